#include "tokengate/validate/extract.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace tokengate::validate {
namespace {

// {"alg":"HS256"} . {"sub":"a"} . (signature): the shape matters here, not the validity.
constexpr std::string_view jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl";

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

extraction extract(std::initializer_list<std::string_view> values) {
    const std::vector<std::string_view> v(values);
    return extract_bearer(v);
}

// No Authorization header: missing_token with no hint (nothing to diagnose).
TEST(ExtractTest, NoHeaderIsMissingTokenWithoutHint) {
    const extraction e = extract({});

    EXPECT_FALSE(e.token.has_value());
    ASSERT_TRUE(e.error.has_value());
    EXPECT_EQ(e.error->code, reason::missing_token);
    EXPECT_EQ(e.error->hint, "");
}

// Two Authorization headers are ambiguous (SPEC §3): refused, even when both are Bearer.
TEST(ExtractTest, TwoHeadersRefusedAsAmbiguous) {
    const std::string first = "Bearer " + std::string(jwt);

    const extraction e = extract({first, "Bearer other"});

    EXPECT_FALSE(e.token.has_value());
    ASSERT_TRUE(e.error.has_value());
    EXPECT_EQ(e.error->code, reason::malformed_token);
    EXPECT_EQ(e.error->hint, "2 Authorization headers: ambiguous, refused");
    EXPECT_FALSE(contains(e.error->hint, jwt));
}

// Another scheme is named in the hint; its credentials never are.
TEST(ExtractTest, BasicSchemeNamedWithoutCredentials) {
    // Setup: user:pass in base64, which must not reach a log line.
    const extraction e = extract({"Basic dXNlcjpwYXNzd29yZA=="});

    // Check
    EXPECT_FALSE(e.token.has_value());
    ASSERT_TRUE(e.error.has_value());
    EXPECT_EQ(e.error->code, reason::missing_token);
    EXPECT_EQ(e.error->hint, "Authorization header present with scheme Basic, expected Bearer");
    EXPECT_FALSE(contains(e.error->hint, "dXNlcjpwYXNzd29yZA"));
}

// "Basic abc" exactly as in SPEC §7: the scheme appears, "abc" does not.
TEST(ExtractTest, BasicAbcHintOmitsAbc) {
    const extraction e = extract({"Basic abc"});

    ASSERT_TRUE(e.error.has_value());
    EXPECT_EQ(e.error->code, reason::missing_token);
    EXPECT_TRUE(contains(e.error->hint, "Authorization header present with scheme Basic, expected Bearer"));
    EXPECT_FALSE(contains(e.error->hint, "abc"));
}

// A scheme that is not a plain word is not echoed (it could be part of a credential).
TEST(ExtractTest, OddSchemeNotEchoed) {
    const extraction e = extract({"Bearer:secret-value x"});

    ASSERT_TRUE(e.error.has_value());
    EXPECT_EQ(e.error->code, reason::missing_token);
    EXPECT_EQ(e.error->hint, "Authorization header present with scheme (unrecognised), expected Bearer");
}

// The scheme is case-insensitive (RFC 7235 §2.1): bearer, BEARER and Bearer all work.
TEST(ExtractTest, BearerSchemeAnyCaseAccepted) {
    for (std::string scheme : {"Bearer ", "bearer ", "BEARER ", "bEaReR "}) {
        const std::string value = scheme + std::string(jwt);

        const extraction e = extract({value});

        EXPECT_FALSE(e.error.has_value()) << scheme;
        ASSERT_TRUE(e.token.has_value()) << scheme;
        EXPECT_EQ(*e.token, jwt);
    }
}

// "bearer TOKEN": the token is everything after the single space, viewing the header value.
TEST(ExtractTest, LowerCaseBearerYieldsToken) {
    const std::string value = "bearer TOKEN";

    const extraction e = extract({value});

    ASSERT_TRUE(e.token.has_value());
    EXPECT_EQ(*e.token, "TOKEN");
    EXPECT_EQ(e.token->data(), value.data() + 7);
}

// "Bearer" without a token, with or without the space, is missing_token.
TEST(ExtractTest, BearerWithoutTokenIsMissingToken) {
    for (std::string_view value : {"Bearer", "Bearer ", "bearer"}) {
        const extraction e = extract({value});

        EXPECT_FALSE(e.token.has_value()) << value;
        ASSERT_TRUE(e.error.has_value()) << value;
        EXPECT_EQ(e.error->code, reason::missing_token) << value;
        EXPECT_EQ(e.error->hint, "Authorization: Bearer with no token") << value;
    }
}

// A bare JWT (no scheme) gets a hint to add "Bearer ", without quoting the token.
TEST(ExtractTest, BareJwtHintsBearerScheme) {
    const extraction e = extract({jwt});

    EXPECT_FALSE(e.token.has_value());
    ASSERT_TRUE(e.error.has_value());
    EXPECT_EQ(e.error->code, reason::missing_token);
    EXPECT_EQ(e.error->hint, "Authorization header holds a bare token: prefix it with the scheme 'Bearer '");
    EXPECT_FALSE(contains(e.error->hint, "eyJ"));
}

// A value with no space has no scheme: it may be a bare API key, so it is never echoed.
TEST(ExtractTest, SchemelessCredentialNotEchoed) {
    for (std::string_view key : {"sk-live-abc123", "a1b2c3d4e5f6a7b8c9d0", "Basic"}) {
        const extraction e = extract({key});

        ASSERT_TRUE(e.error.has_value()) << key;
        EXPECT_EQ(e.error->code, reason::missing_token) << key;
        EXPECT_EQ(e.error->hint, "Authorization header present with scheme (unrecognised), expected Bearer") << key;
    }
}

// A scheme word that merely starts with "Bearer" is another scheme.
TEST(ExtractTest, BearerLookalikeSchemeRefused) {
    const extraction e = extract({"BearerToken abc"});

    ASSERT_TRUE(e.error.has_value());
    EXPECT_EQ(e.error->code, reason::missing_token);
    EXPECT_EQ(e.error->hint, "Authorization header present with scheme BearerToken, expected Bearer");
}

}  // namespace
}  // namespace tokengate::validate
