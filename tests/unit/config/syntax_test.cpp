#include "tokengate/config/syntax.hpp"

#include <gtest/gtest.h>

namespace tokengate::config {
namespace {

TEST(ConfigSyntaxTest, ListenAddresses) {
    // Verifies the accepted listen forms and their parsed host and port.
    EXPECT_EQ(parse_listen_address("0.0.0.0:8080")->port, 8080);
    EXPECT_EQ(parse_listen_address(":1")->host, "0.0.0.0");
    EXPECT_EQ(parse_listen_address("[::]:443")->host, "::");
    EXPECT_FALSE(parse_listen_address("[::1]8080"));
    EXPECT_FALSE(parse_listen_address("[nope]:80"));
    EXPECT_FALSE(parse_listen_address("1.2.3.4:"));
    EXPECT_FALSE(parse_listen_address("1.2.3.4:80x"));
    EXPECT_FALSE(parse_listen_address("1.2.3.4:-1"));
}

TEST(ConfigSyntaxTest, UpstreamUrls) {
    // Verifies upstream URL forms, the default port and the refusals.
    EXPECT_EQ(parse_upstream_url("http://api.default.svc:8080")->host, "api.default.svc");
    EXPECT_EQ(parse_upstream_url("http://127.0.0.1/")->port, 80);
    EXPECT_EQ(parse_upstream_url("http://[::1]")->port, 80);
    EXPECT_FALSE(parse_upstream_url("http://"));
    EXPECT_FALSE(parse_upstream_url("http://a_b:80"));
    EXPECT_FALSE(parse_upstream_url("http://api?x=1"));
    EXPECT_NE(parse_upstream_url("https://api").error().find("not supported"), std::string::npos);
}

TEST(ConfigSyntaxTest, FetchUrls) {
    // Verifies the shape check of JWKS and discovery URLs.
    EXPECT_TRUE(check_fetch_url("https://idp.example.com/.well-known/jwks.json"));
    EXPECT_TRUE(check_fetch_url("http://keys.internal:8080/jwks"));
    EXPECT_FALSE(check_fetch_url("https:///jwks"));
    EXPECT_FALSE(check_fetch_url("https://user@idp/jwks"));
    EXPECT_FALSE(check_fetch_url("idp.example.com/jwks"));
}

TEST(ConfigSyntaxTest, HttpTokens) {
    // Verifies the RFC 9110 token rule used for header names and methods.
    EXPECT_TRUE(is_http_token("X-User-Id"));
    EXPECT_TRUE(is_http_token("M-SEARCH"));
    EXPECT_FALSE(is_http_token(""));
    EXPECT_FALSE(is_http_token("X User"));
    EXPECT_FALSE(is_http_token("X:User"));
}

TEST(ConfigSyntaxTest, RoutePaths) {
    // Verifies which route paths could ever match a normalised request path.
    EXPECT_EQ(route_path_problem("/"), "");
    EXPECT_EQ(route_path_problem("/api/v1/"), "");
    EXPECT_EQ(route_path_problem("/a.b/.well-known/x"), "");
    EXPECT_NE(route_path_problem("/a/.."), "");
    EXPECT_NE(route_path_problem("/./a"), "");
    EXPECT_NE(route_path_problem("/a b"), "");
    EXPECT_NE(route_path_problem("a"), "");
}

}  // namespace
}  // namespace tokengate::config
