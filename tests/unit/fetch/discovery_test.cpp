#include "tokengate/fetch/discovery.hpp"

#include <gtest/gtest.h>

namespace tokengate::fetch {
namespace {

TEST(DiscoveryTest, WellKnownUrlDoesNotDoubleTheSlash) {
    EXPECT_EQ(discovery_url("https://idp.example.com/"), "https://idp.example.com/.well-known/openid-configuration");
    EXPECT_EQ(discovery_url("https://idp.example.com/realms/x"),
              "https://idp.example.com/realms/x/.well-known/openid-configuration");
}

TEST(DiscoveryTest, JwksUriOfAMatchingDocument) {
    auto u = jwks_uri_of(R"({"issuer":"https://idp/","jwks_uri":"https://idp/keys","x":[1,2]})", "https://idp/", false);
    ASSERT_TRUE(u) << u.error();
    EXPECT_EQ(*u, "https://idp/keys");
}

TEST(DiscoveryTest, IssuerMustMatchByteForByte) {
    auto u = jwks_uri_of(R"({"issuer":"https://idp","jwks_uri":"https://idp/keys"})", "https://idp/", false);
    ASSERT_FALSE(u);
    EXPECT_NE(u.error().find("names issuer \"https://idp\""), std::string::npos) << u.error();
    EXPECT_NE(u.error().find("has no trailing slash"), std::string::npos) << u.error();
    auto v = jwks_uri_of(R"({"issuer":"https://idp/","jwks_uri":"https://idp/keys"})", "https://idp", false);
    ASSERT_FALSE(v);
    EXPECT_NE(v.error().find("ends with a slash"), std::string::npos) << v.error();
    EXPECT_FALSE(jwks_uri_of(R"({"issuer":"https://evil/","jwks_uri":"https://idp/keys"})", "https://idp/", false));
}

TEST(DiscoveryTest, RefusesBrokenDocuments) {
    EXPECT_FALSE(jwks_uri_of("<html>", "https://idp/", false));
    EXPECT_FALSE(jwks_uri_of(R"({"issuer":"https://idp/"})", "https://idp/", false));
    EXPECT_FALSE(jwks_uri_of(R"({"issuer":"https://idp/","jwks_uri":7})", "https://idp/", false));
    EXPECT_FALSE(jwks_uri_of(R"({"issuer":"https://idp/","jwks_uri":"not a url"})", "https://idp/", false));
    EXPECT_FALSE(jwks_uri_of(R"({"issuer":"https://idp/","issuer":"https://idp/","jwks_uri":"https://idp/k"})",
                             "https://idp/", false));
}

TEST(DiscoveryTest, PlainHttpJwksUriOnlyWhenAllowed) {
    const char* doc = R"({"issuer":"https://idp/","jwks_uri":"http://idp/keys"})";
    auto refused = jwks_uri_of(doc, "https://idp/", false);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().find("allow_http_jwks"), std::string::npos);
    EXPECT_TRUE(jwks_uri_of(doc, "https://idp/", true));
}

}  // namespace
}  // namespace tokengate::fetch
