#include "tokengate/jose/base64url.hpp"

#include <array>
#include <cstdint>

namespace tokengate::jose {
namespace {

constexpr char url_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char std_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::int8_t invalid = -1;

constexpr std::array<std::int8_t, 256> make_table(const char* alphabet) {
    std::array<std::int8_t, 256> t{};
    for (auto& v : t) v = invalid;
    for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
    return t;
}

constexpr auto url_table = make_table(url_alphabet);
constexpr auto std_table = make_table(std_alphabet);

b64_error classify(char c) {
    if (c == '+' || c == '/') return b64_error::standard_alphabet;
    if (c == '=') return b64_error::padding;
    return b64_error::bad_character;
}

// Decodes `text` (no padding) with `table`; shared by both alphabets. Four characters
// at a time into a buffer sized up front: tokens are decoded on every cache miss.
b64_decoded decode_with(std::string_view text, const std::array<std::int8_t, 256>& table) {
    b64_decoded out;
    const std::size_t rest = text.size() % 4;
    if (rest == 1) {
        out.error = b64_error::bad_length;
        out.position = text.size();
        return out;
    }
    const std::size_t groups = text.size() / 4;
    out.bytes.resize(groups * 3 + (rest == 0 ? 0 : rest - 1));
    const auto at = [&](std::size_t i) { return static_cast<std::int32_t>(table[static_cast<unsigned char>(text[i])]); };
    // The first invalid character decides the error, as a left-to-right scan would find it.
    const auto fail = [&](std::size_t from) {
        std::size_t i = from;
        while (at(i) != invalid) ++i;
        out.error = classify(text[i]);
        out.position = i;
        out.bytes.clear();
    };
    char* o = out.bytes.data();
    for (std::size_t g = 0; g < groups; ++g) {
        const std::size_t i = 4 * g;
        const std::int32_t a = at(i), b = at(i + 1), c = at(i + 2), d = at(i + 3);
        if ((a | b | c | d) < 0) {
            fail(i);
            return out;
        }
        const auto v = static_cast<std::uint32_t>((a << 18) | (b << 12) | (c << 6) | d);
        *o++ = static_cast<char>((v >> 16) & 0xFFu);
        *o++ = static_cast<char>((v >> 8) & 0xFFu);
        *o++ = static_cast<char>(v & 0xFFu);
    }
    if (rest == 0) return out;
    const std::size_t i = 4 * groups;
    const std::int32_t a = at(i), b = at(i + 1), c = rest == 3 ? at(i + 2) : 0;
    if ((a | b | c) < 0) {
        fail(i);
        return out;
    }
    // RFC 4648 §3.5: leftover bits must be zero, or two encodings would decode alike.
    std::uint32_t spare = 0;
    if (rest == 2) {
        const auto v = static_cast<std::uint32_t>((a << 6) | b);
        *o = static_cast<char>((v >> 4) & 0xFFu);
        spare = v & 0xFu;
    } else {
        const auto v = static_cast<std::uint32_t>((a << 12) | (b << 6) | c);
        *o++ = static_cast<char>((v >> 10) & 0xFFu);
        *o = static_cast<char>((v >> 2) & 0xFFu);
        spare = v & 0x3u;
    }
    if (spare != 0) {
        out.error = b64_error::non_canonical;
        out.position = text.size() - 1;
        out.bytes.clear();
    }
    return out;
}

}  // namespace

b64_decoded base64url_decode(std::string_view text) { return decode_with(text, url_table); }

std::string base64url_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::uint32_t acc = 0;
    int bits = 0;
    for (char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        acc = (acc << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(url_alphabet[(acc >> bits) & 0x3Fu]);
        }
    }
    if (bits > 0) out.push_back(url_alphabet[(acc << (6 - bits)) & 0x3Fu]);
    return out;
}

bool base64_std_decode(std::string_view text, std::string& out) {
    while (!text.empty() && text.back() == '=') text.remove_suffix(1);
    const b64_decoded d = decode_with(text, std_table);
    if (d.error != b64_error::none) return false;
    out = d.bytes;
    return true;
}

std::string_view to_string(b64_error e) noexcept {
    switch (e) {
    case b64_error::none: return "ok";
    case b64_error::standard_alphabet: return "standard base64 character ('+' or '/')";
    case b64_error::padding: return "padding '='";
    case b64_error::bad_character: return "character outside the base64url alphabet";
    case b64_error::bad_length: return "length that cannot encode whole bytes";
    case b64_error::non_canonical: return "non-zero unused trailing bits";
    }
    return "?";
}

}  // namespace tokengate::jose
