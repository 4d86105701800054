#include "tokengate/proxy/token_sources.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace tokengate::proxy {
namespace {

namespace http = boost::beast::http;
using config::token_source;

// {"alg":"HS256"} . {"sub":"a"} . (signature): only the shape matters here.
constexpr std::string_view jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl";
constexpr std::string_view other_jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJiIn0.b3RoZXI";

const std::vector<token_source> default_sources{token_source{}};

token_source source(token_source::kind k, std::string name) { return token_source{k, std::move(name)}; }

const token_source authorization = source(token_source::kind::authorization, "");
const token_source cookie = source(token_source::kind::cookie, "access_token");
const token_source custom_header = source(token_source::kind::header, "X-Access-Token");
const token_source query_param = source(token_source::kind::query, "access_token");

void expect_token(const validate::extraction& e, std::string_view token) {
    ASSERT_TRUE(e.token.has_value()) << "rejected: " << (e.error ? e.error->hint : "");
    EXPECT_EQ(*e.token, token);
    EXPECT_FALSE(e.error.has_value());
}

void expect_rejected(const validate::extraction& e, reason code, const std::string& hint) {
    EXPECT_FALSE(e.token.has_value());
    ASSERT_TRUE(e.error.has_value());
    EXPECT_EQ(to_string(e.error->code), to_string(code));
    EXPECT_EQ(e.error->hint, hint);
}

// The default source is the Authorization Bearer header.
TEST(TokenSourcesTest, DefaultAuthorizationBearerFound) {
    http::fields h;
    h.set(http::field::authorization, "Bearer " + std::string(jwt));

    expect_token(find_token(h, "", default_sources), jwt);
}

// The scheme is case-insensitive (RFC 6750 §2.1 via RFC 9110 §11.1).
TEST(TokenSourcesTest, LowerCaseBearerSchemeFound) {
    http::fields h;
    h.set(http::field::authorization, "bearer " + std::string(jwt));

    expect_token(find_token(h, "", default_sources), jwt);
}

// By default only Authorization counts: a cookie, header or query token is ignored.
TEST(TokenSourcesTest, DefaultIgnoresOtherPlaces) {
    http::fields h;
    h.set(http::field::cookie, "access_token=" + std::string(jwt));
    h.set("X-Access-Token", jwt);

    expect_rejected(find_token(h, "access_token=" + std::string(jwt), default_sources), reason::missing_token, "");
}

// Nothing anywhere: missing_token without a hint (nothing to diagnose).
TEST(TokenSourcesTest, NothingIsMissingTokenWithoutHint) {
    const http::fields h;

    expect_rejected(find_token(h, "", {authorization, cookie, custom_header, query_param}), reason::missing_token,
                    "");
}

// A Basic header is not a token; the scheme (never the credentials) is the hint.
TEST(TokenSourcesTest, BasicSchemeMissingWithSchemeHint) {
    http::fields h;
    h.set(http::field::authorization, "Basic dXNlcjpwYXNzd29yZA==");

    const validate::extraction e = find_token(h, "", default_sources);

    expect_rejected(e, reason::missing_token, "Authorization header present with scheme Basic, expected Bearer");
    EXPECT_EQ(e.error->hint.find("dXNlcjpwYXNzd29yZA"), std::string::npos);
}

// A Basic header does not hide a token in a later source, and its hint is dropped.
TEST(TokenSourcesTest, BasicHeaderThenCookieTokenFound) {
    http::fields h;
    h.set(http::field::authorization, "Basic dXNlcjpwYXNzd29yZA==");
    h.set(http::field::cookie, "access_token=" + std::string(jwt));

    expect_token(find_token(h, "", {authorization, cookie}), jwt);
}

// The Basic hint survives when no later source holds a token either.
TEST(TokenSourcesTest, BasicHeaderNoCookieKeepsSchemeHint) {
    http::fields h;
    h.set(http::field::authorization, "Basic abc");
    h.set(http::field::cookie, "session=xyz");

    expect_rejected(find_token(h, "", {authorization, cookie}), reason::missing_token,
                    "Authorization header present with scheme Basic, expected Bearer");
}

// Two Authorization headers are ambiguous (SPEC §3), even when both are Bearer.
TEST(TokenSourcesTest, TwoAuthorizationHeadersAmbiguous) {
    http::fields h;
    h.insert(http::field::authorization, "Bearer " + std::string(jwt));
    h.insert(http::field::authorization, "Bearer " + std::string(other_jwt));

    expect_rejected(find_token(h, "", default_sources), reason::malformed_token,
                    "2 Authorization headers: ambiguous, refused");
}

// The named cookie is picked out of a header holding several cookies.
TEST(TokenSourcesTest, CookieAmongSeveralInOneHeaderFound) {
    http::fields h;
    h.set(http::field::cookie, "theme=dark; access_token=" + std::string(jwt) + "; lang=en");

    expect_token(find_token(h, "", {cookie}), jwt);
}

// Cookies spread over several Cookie headers (HTTP/2-style split) are all searched.
TEST(TokenSourcesTest, CookieInSecondCookieHeaderFound) {
    http::fields h;
    h.insert(http::field::cookie, "theme=dark; lang=en");
    h.insert(http::field::host, "api.example.com");
    h.insert(http::field::cookie, "access_token=" + std::string(jwt));

    expect_token(find_token(h, "", {cookie}), jwt);
}

// Names compare exactly: a cookie whose name merely ends or starts the same is not it.
TEST(TokenSourcesTest, SimilarCookieNamesIgnored) {
    http::fields h;
    h.set(http::field::cookie, "my_access_token=a; access_token_old=b; Access_Token=c; access_token");

    expect_rejected(find_token(h, "", {cookie}), reason::missing_token, "");
}

// The named cookie twice in one header is ambiguous: which one would the app use?
TEST(TokenSourcesTest, CookieTwiceInOneHeaderAmbiguous) {
    http::fields h;
    h.set(http::field::cookie, "access_token=" + std::string(jwt) + "; access_token=" + std::string(other_jwt));

    expect_rejected(find_token(h, "", {cookie}), reason::malformed_token,
                    "2 tokens in cookie access_token: ambiguous, refused");
}

// The named cookie once in each of two Cookie headers is just as ambiguous.
TEST(TokenSourcesTest, CookieTwiceAcrossHeadersAmbiguous) {
    http::fields h;
    h.insert(http::field::cookie, "access_token=" + std::string(jwt));
    h.insert(http::field::cookie, "access_token=" + std::string(other_jwt));

    expect_rejected(find_token(h, "", {cookie}), reason::malformed_token,
                    "2 tokens in cookie access_token: ambiguous, refused");
}

// A custom header's value is trimmed of optional whitespace (RFC 9110 §5.6.3).
TEST(TokenSourcesTest, CustomHeaderTrimmedOfOws) {
    http::fields h;
    h.set("X-Access-Token", " \t" + std::string(jwt) + "\t ");

    expect_token(find_token(h, "", {custom_header}), jwt);
}

// Header names are case-insensitive.
TEST(TokenSourcesTest, CustomHeaderNameAnyCaseFound) {
    http::fields h;
    h.set("x-access-token", jwt);

    expect_token(find_token(h, "", {custom_header}), jwt);
}

// The custom header twice is ambiguous.
TEST(TokenSourcesTest, CustomHeaderTwiceAmbiguous) {
    http::fields h;
    h.insert("X-Access-Token", jwt);
    h.insert("X-Access-Token", other_jwt);

    expect_rejected(find_token(h, "", {custom_header}), reason::malformed_token,
                    "2 tokens in header X-Access-Token: ambiguous, refused");
}

// A query parameter is found among others, by exact name.
TEST(TokenSourcesTest, QueryParameterFound) {
    const http::fields h;
    const std::string query = "page=2&x_access_token=no&access_token=" + std::string(jwt) + "&sort=asc";

    expect_token(find_token(h, query, {query_param}), jwt);
}

// The query parameter twice is ambiguous.
TEST(TokenSourcesTest, QueryParameterTwiceAmbiguous) {
    const http::fields h;
    const std::string query = "access_token=" + std::string(jwt) + "&access_token=" + std::string(other_jwt);

    expect_rejected(find_token(h, query, {query_param}), reason::malformed_token,
                    "2 tokens in query parameter access_token: ambiguous, refused");
}

// A token in both Authorization and a cookie is refused as ambiguous, naming both places.
TEST(TokenSourcesTest, AuthorizationAndCookieAmbiguous) {
    http::fields h;
    h.set(http::field::authorization, "Bearer " + std::string(jwt));
    h.set(http::field::cookie, "access_token=" + std::string(jwt));

    expect_rejected(find_token(h, "", {authorization, cookie}), reason::malformed_token,
                    "tokens in both Authorization header and cookie access_token: ambiguous, refused");
}

// Ambiguity is refused even when the query source comes after a header source.
TEST(TokenSourcesTest, HeaderAndQueryAmbiguous) {
    http::fields h;
    h.set("X-Access-Token", jwt);

    expect_rejected(find_token(h, "access_token=" + std::string(other_jwt), {custom_header, query_param}),
                    reason::malformed_token,
                    "tokens in both header X-Access-Token and query parameter access_token: ambiguous, refused");
}

// With several sources configured, the one place holding a token is used.
TEST(TokenSourcesTest, OneOfSeveralSourcesFound) {
    http::fields h;
    h.set(http::field::cookie, "theme=dark");

    expect_token(find_token(h, "access_token=" + std::string(jwt), {authorization, cookie, custom_header, query_param}),
                 jwt);
}

// Hints never carry the token itself.
TEST(TokenSourcesTest, AmbiguousHintOmitsToken) {
    http::fields h;
    h.set(http::field::authorization, "Bearer " + std::string(jwt));
    h.set(http::field::cookie, "access_token=" + std::string(other_jwt));

    const validate::extraction e = find_token(h, "", {authorization, cookie});

    ASSERT_TRUE(e.error.has_value());
    EXPECT_EQ(e.error->hint.find(jwt), std::string::npos);
    EXPECT_EQ(e.error->hint.find(other_jwt), std::string::npos);
}

}  // namespace
}  // namespace tokengate::proxy
