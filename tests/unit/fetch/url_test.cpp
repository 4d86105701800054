#include "tokengate/fetch/url.hpp"

#include <gtest/gtest.h>

namespace tokengate::fetch {
namespace {

TEST(UrlTest, HttpsDefaultsToPort443AndRootTarget) {
    auto u = parse_url("https://idp.example.com");
    ASSERT_TRUE(u) << u.error();
    EXPECT_TRUE(u->tls);
    EXPECT_EQ(u->host, "idp.example.com");
    EXPECT_EQ(u->port, 443);
    EXPECT_EQ(u->target, "/");
    EXPECT_EQ(u->authority(), "idp.example.com");
}

TEST(UrlTest, PortPathAndQueryAreKept) {
    auto u = parse_url("http://127.0.0.1:8080/a/jwks.json?x=1");
    ASSERT_TRUE(u) << u.error();
    EXPECT_FALSE(u->tls);
    EXPECT_EQ(u->host, "127.0.0.1");
    EXPECT_EQ(u->port, 8080);
    EXPECT_EQ(u->target, "/a/jwks.json?x=1");
    EXPECT_EQ(u->authority(), "127.0.0.1:8080");
}

TEST(UrlTest, QueryWithoutPathGetsASlash) {
    auto u = parse_url("https://h?x=1");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->target, "/?x=1");
}

TEST(UrlTest, BracketedIpv6Host) {
    auto u = parse_url("https://[::1]:8443/jwks");
    ASSERT_TRUE(u) << u.error();
    EXPECT_EQ(u->host, "::1");
    EXPECT_EQ(u->port, 8443);
    EXPECT_EQ(u->authority(), "[::1]:8443");
    EXPECT_TRUE(is_ip_literal(u->host));
}

TEST(UrlTest, DefaultPortIsLeftOutOfTheHostHeader) {
    auto u = parse_url("http://h:80/");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->authority(), "h");
}

TEST(UrlTest, RefusesWhatAKeyUrlMustNotBe) {
    EXPECT_FALSE(parse_url("ftp://h/"));
    EXPECT_FALSE(parse_url("https://user:pw@h/"));
    EXPECT_FALSE(parse_url("https://h/jwks#frag"));
    EXPECT_FALSE(parse_url("https://h /"));
    EXPECT_FALSE(parse_url("https:///jwks"));
    EXPECT_FALSE(parse_url("https://h:0/"));
    EXPECT_FALSE(parse_url("https://h:65536/"));
    EXPECT_FALSE(parse_url("https://h:/"));
    EXPECT_FALSE(parse_url("https://h:12x/"));
    EXPECT_FALSE(parse_url("https://::1/"));
    EXPECT_FALSE(parse_url("https://[::1/"));
    EXPECT_FALSE(parse_url("https://[example.com]/"));
    EXPECT_FALSE(parse_url(std::string("https://h/\0", 11)));
}

TEST(UrlTest, TextAfterThePortIsRefusedNotIgnored) {
    // Regression (fuzz_fetch): a port ending in ']' was skipped, so "https://h:8443]/" meant port 443.
    EXPECT_FALSE(parse_url("https://h:8443]/"));
    EXPECT_FALSE(parse_url("https://h:]/"));
    EXPECT_FALSE(parse_url("https://[::1]:8443]/"));
    EXPECT_FALSE(parse_url("https://[::1]:]"));
    auto u = parse_url("https://[::1]");
    ASSERT_TRUE(u) << u.error();
    EXPECT_EQ(u->port, 443);
}

TEST(UrlTest, IpLiteralDetection) {
    EXPECT_TRUE(is_ip_literal("127.0.0.1"));
    EXPECT_TRUE(is_ip_literal("fe80::1"));
    EXPECT_FALSE(is_ip_literal("localhost"));
    EXPECT_FALSE(is_ip_literal("1.2.3"));
}

TEST(UrlTest, DisplayUrlDropsQueryFragmentAndUserInfo) {
    // Verifies: a URL shown in a message or log keeps scheme, host and path but never its query, fragment or credentials.
    EXPECT_EQ(display_url("https://idp.example.com/jwks.json?api_key=s3cret#frag"), "https://idp.example.com/jwks.json");
    EXPECT_EQ(display_url("https://user:pa55@idp.example.com:8443/keys"), "https://idp.example.com:8443/keys");
    EXPECT_EQ(display_url("https://idp.example.com"), "https://idp.example.com");
    EXPECT_EQ(display_url("https://idp.example.com/a@b/keys"), "https://idp.example.com/a@b/keys");
    EXPECT_EQ(display_url("ftp:/x?token=abc"), "ftp:/x");
}

}  // namespace
}  // namespace tokengate::fetch
