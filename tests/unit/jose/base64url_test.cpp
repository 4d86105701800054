#include "tokengate/jose/base64url.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tokengate::jose {
namespace {

using namespace std::string_view_literals;

// RFC 4648 §10 test vectors, unpadded (RFC 7515 §2 drops the '=').
const std::vector<std::pair<std::string, std::string>> rfc4648_vectors = {
    {"", ""},          {"f", "Zg"},         {"fo", "Zm8"},        {"foo", "Zm9v"},
    {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
};

// Asserts that `text` is refused with exactly `error` at byte `position`, and no bytes leak out.
void expect_refused(std::string_view text, b64_error error, std::size_t position) {
    const b64_decoded d = base64url_decode(text);
    EXPECT_EQ(d.error, error) << "input: " << testing::PrintToString(std::string(text));
    EXPECT_EQ(d.position, position) << "input: " << testing::PrintToString(std::string(text));
    EXPECT_TRUE(d.bytes.empty()) << "input: " << testing::PrintToString(std::string(text));
}

// The RFC 4648 §10 vectors encode to the unpadded form and decode back.
TEST(Base64urlTest, Rfc4648VectorsEncodeAndDecode) {
    for (const auto& [plain, encoded] : rfc4648_vectors) {
        EXPECT_EQ(base64url_encode(plain), encoded) << plain;
        const b64_decoded d = base64url_decode(encoded);
        EXPECT_EQ(d.error, b64_error::none) << encoded;
        EXPECT_EQ(d.bytes, plain) << encoded;
    }
}

// The two url-alphabet characters stand for 62 and 63, where standard base64 has '+' and '/'.
TEST(Base64urlTest, UrlAlphabetUsesDashAndUnderscore) {
    // Setup: 0xfb 0xef 0xbe is 111110 111110 111110 111110; 0xff 0xff 0xff is all 63s.
    const std::string sixty_twos = "\xfb\xef\xbe";
    const std::string sixty_threes = "\xff\xff\xff";

    // Act / Check
    EXPECT_EQ(base64url_encode(sixty_twos), "----");
    EXPECT_EQ(base64url_encode(sixty_threes), "____");
    EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
    EXPECT_EQ(base64url_decode("----").bytes, sixty_twos);
    EXPECT_EQ(base64url_decode("____").bytes, sixty_threes);
    EXPECT_EQ(base64url_decode("-_8").bytes, "\xfb\xff");
}

// Every byte string of length 0..64 survives encode → decode, with no padding emitted.
TEST(Base64urlTest, RoundTripLengthsZeroToSixtyFour) {
    for (std::size_t len = 0; len <= 64; ++len) {
        // Setup: every byte value appears across the lengths, high bytes included.
        std::string bytes(len, '\0');
        for (std::size_t i = 0; i < len; ++i) bytes[i] = static_cast<char>((i * 37 + len * 11) & 0xFFu);

        // Act
        const std::string text = base64url_encode(bytes);
        const b64_decoded d = base64url_decode(text);

        // Check
        EXPECT_EQ(text.size(), (len * 4 + 2) / 3) << len;
        EXPECT_EQ(text.find('='), std::string::npos) << len;
        EXPECT_EQ(d.error, b64_error::none) << len;
        EXPECT_EQ(d.bytes, bytes) << len;
    }
}

// '+' and '/' are standard base64 and are named as such, at their byte.
TEST(Base64urlTest, StandardAlphabetCharactersRefusedAtPosition) {
    expect_refused("ab+c", b64_error::standard_alphabet, 2);
    expect_refused("ab/c", b64_error::standard_alphabet, 2);
    expect_refused("+bcd", b64_error::standard_alphabet, 0);
    expect_refused("Zm9vYmF/", b64_error::standard_alphabet, 7);
}

// '=' padding, trailing or inside, is refused as padding at the first '='.
TEST(Base64urlTest, PaddingRefusedAtFirstEquals) {
    expect_refused("Zg==", b64_error::padding, 2);
    expect_refused("Zm8=", b64_error::padding, 3);
    expect_refused("Zm9vYg==", b64_error::padding, 6);
    expect_refused("Z=9v", b64_error::padding, 1);
}

// Whitespace, NUL, other ASCII punctuation and bytes >= 0x80 are bad characters.
TEST(Base64urlTest, BadCharactersRefusedAtPosition) {
    expect_refused("Zm 9", b64_error::bad_character, 2);
    expect_refused("Zm\t9", b64_error::bad_character, 2);
    expect_refused("Zm9\n", b64_error::bad_character, 3);
    expect_refused("\r\nZm", b64_error::bad_character, 0);
    expect_refused("Zm\0v"sv, b64_error::bad_character, 2);
    expect_refused("Zm9.", b64_error::bad_character, 3);
    expect_refused("Zm\x80v", b64_error::bad_character, 2);
    expect_refused("Zm9v\xc3\xa9Zg", b64_error::bad_character, 4);
    expect_refused("\xffm9v", b64_error::bad_character, 0);
}

// A length of 4k+1 cannot encode whole bytes; the position is the end (where a byte is missing).
TEST(Base64urlTest, LengthFourKPlusOneRefusedAsBadLength) {
    expect_refused("A", b64_error::bad_length, 1);
    expect_refused("Zm9vY", b64_error::bad_length, 5);
    expect_refused("Zm9vYmFyZ", b64_error::bad_length, 9);
    // The length check comes first: it explains a truncated segment better than its content.
    expect_refused("Zm+vY", b64_error::bad_length, 5);
}

// Non-zero unused trailing bits are refused at the last character (RFC 4648 §3.5).
TEST(Base64urlTest, NonCanonicalTrailingBitsRefusedAtLastCharacter) {
    // Setup: "QQ" and "QR" both carry 'A' (0x41) in their first 8 bits; "QR" sets a spare bit.
    const b64_decoded canonical = base64url_decode("QQ");

    // Check
    EXPECT_EQ(canonical.error, b64_error::none);
    EXPECT_EQ(canonical.bytes, "A");
    expect_refused("QR", b64_error::non_canonical, 1);
    expect_refused("QS", b64_error::non_canonical, 1);
    expect_refused("QUJ", b64_error::non_canonical, 2);
    EXPECT_EQ(base64url_decode("QUI").bytes, "AB");
    expect_refused("Zm9vZh", b64_error::non_canonical, 5);
}

// The standard-alphabet decoder takes '+', '/' and padding, and tolerates missing '='.
TEST(Base64urlTest, StandardDecodeAcceptsPaddedAndUnpadded) {
    std::string out;
    EXPECT_TRUE(base64_std_decode("Zm9vYg==", out));
    EXPECT_EQ(out, "foob");
    EXPECT_TRUE(base64_std_decode("Zm9vYg", out));
    EXPECT_EQ(out, "foob");
    EXPECT_TRUE(base64_std_decode("+/8=", out));
    EXPECT_EQ(out, "\xfb\xff");
}

// The standard-alphabet decoder refuses url characters and '=' before the end.
TEST(Base64urlTest, StandardDecodeRefusesUrlAlphabetAndInnerPadding) {
    std::string out = "unchanged";
    EXPECT_FALSE(base64_std_decode("-_8", out));
    EXPECT_FALSE(base64_std_decode("Zg==Zg==", out));
    EXPECT_FALSE(base64_std_decode("Zm9 v", out));
    EXPECT_EQ(out, "unchanged");
}

// Each error has a distinct human description for hints.
TEST(Base64urlTest, ErrorDescriptionsAreDistinct) {
    EXPECT_EQ(to_string(b64_error::none), "ok");
    EXPECT_NE(to_string(b64_error::standard_alphabet).find("'+' or '/'"), std::string_view::npos);
    EXPECT_NE(to_string(b64_error::padding).find("'='"), std::string_view::npos);
    EXPECT_NE(to_string(b64_error::bad_character), to_string(b64_error::bad_length));
    EXPECT_NE(to_string(b64_error::non_canonical).find("trailing bits"), std::string_view::npos);
}

// A bit-at-a-time decoder (the obvious reading of RFC 4648) to hold the fast one against.
b64_decoded reference_decode(std::string_view text) {
    static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    b64_decoded out;
    if (text.size() % 4 == 1) {
        out.error = b64_error::bad_length;
        out.position = text.size();
        return out;
    }
    std::uint32_t acc = 0;
    int bits = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto v = alphabet.find(text[i]);
        if (v == std::string_view::npos) {
            out.error = text[i] == '+' || text[i] == '/' ? b64_error::standard_alphabet
                        : text[i] == '='                 ? b64_error::padding
                                                         : b64_error::bad_character;
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
    if (bits > 0 && (acc & ((1u << bits) - 1u)) != 0) {
        out.error = b64_error::non_canonical;
        out.position = text.size() - 1;
        out.bytes.clear();
    }
    return out;
}

// Random strings over the alphabet plus a few bad characters, of every length up to 40:
// the four-at-a-time decoder agrees with the reference on bytes, error and position.
TEST(Base64urlTest, AgreesWithReferenceDecoderOnRandomInput) {
    static constexpr std::string_view chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=.\n ";
    std::uint32_t seed = 12345;
    const auto next = [&seed] {
        seed = seed * 1664525u + 1013904223u;
        return seed >> 8;
    };
    for (int n = 0; n < 20000; ++n) {
        std::string text(next() % 41, 'A');
        // Mostly valid characters, so the tail and trailing-bit rules get exercised too.
        for (auto& c : text) c = chars[next() % 100 < 97 ? next() % 64 : next() % chars.size()];
        const b64_decoded fast = base64url_decode(text);
        const b64_decoded ref = reference_decode(text);
        ASSERT_EQ(fast.error, ref.error) << text;
        ASSERT_EQ(fast.position, ref.position) << text;
        ASSERT_EQ(fast.bytes, ref.bytes) << text;
    }
}

}  // namespace
}  // namespace tokengate::jose
