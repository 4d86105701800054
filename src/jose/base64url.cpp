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

// Decodes `text` (no padding) with `table`; shared by both alphabets.
b64_decoded decode_with(std::string_view text, const std::array<std::int8_t, 256>& table) {
    b64_decoded out;
    if (text.size() % 4 == 1) {
        out.error = b64_error::bad_length;
        out.position = text.size();
        return out;
    }
    out.bytes.reserve(text.size() * 3 / 4);
    std::uint32_t acc = 0;
    int bits = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const std::int8_t v = table[static_cast<unsigned char>(text[i])];
        if (v == invalid) {
            out.error = classify(text[i]);
            out.position = i;
            out.bytes.clear();
            return out;
        }
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.bytes.push_back(static_cast<char>((acc >> bits) & 0xFFu));
        }
    }
    // RFC 4648 §3.5: leftover bits must be zero, or two encodings would decode alike.
    if (bits > 0 && (acc & ((1u << bits) - 1u)) != 0) {
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
