#include "tokengate/proxy/authenticator.hpp"

#include "support/test_keys.hpp"
#include "support/token_builder.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace tokengate::proxy {
namespace {

namespace http = boost::beast::http;
using config::auth_mode;
using config::route_config;
using jose::alg;
using std::chrono::seconds;
using std::chrono::system_clock;

constexpr std::int64_t now_s = 1'800'000'000;  // 2027-01-15T08:00:00Z
const system_clock::time_point now{seconds(now_s)};
const std::string issuer = "https://idp.example.com/";
const std::string audience = "api://orders";
const std::string rs256_header = R"({"alg":"RS256","typ":"JWT","kid":"k1"})";

// {"iss":issuer,"aud":audience,"sub":"user-1","scope":"read <extra>","iat":now-60,"exp":now+600}
std::string payload(const std::string& scopes = "read") {
    return R"({"iss":")" + issuer + R"(","aud":")" + audience + R"(","sub":"user-1","scope":")" + scopes +
           R"(","iat":)" + std::to_string(now_s - 60) + R"(,"exp":)" + std::to_string(now_s + 600) + "}";
}

// Signed by test key 0, which the provider holds as kid k1.
std::string good_token(const std::string& scopes = "read") {
    return test::make_token(rs256_header, payload(scopes), alg::rs256, test::rsa_pair(0).priv.get());
}

// Claims kid k1 but is signed by test key 1 (another tenant's key).
std::string foreign_key_token() {
    return test::make_token(rs256_header, payload(), alg::rs256, test::rsa_pair(1).priv.get());
}

route_config route(std::string path, bool prefix, auth_mode mode) {
    route_config r;
    r.path = std::move(path);
    r.prefix = prefix;
    r.auth = mode;
    return r;
}

// Routes: /public/ (none), /admin (required, scope admin), /maybe (optional),
// /partner (only provider "partner"); everything else falls to default_auth required.
runtime make_runtime() {
    runtime rt;
    validate::provider p;
    p.name = "main";
    p.issuer = issuer;
    p.audiences = {audience};
    p.algorithms = {alg::rs256};
    p.keys.keys = test::key_set_of({test::with_kid(*test::rsa_pair(0).pub, "k1")});
    rt.trust.providers.push_back(std::move(p));

    route_config admin = route("/admin", true, auth_mode::required);
    admin.required.scopes = {"admin"};
    route_config partner = route("/partner", true, auth_mode::required);
    partner.providers = {"partner"};
    rt.cfg.routes = {route("/public/", true, auth_mode::none), admin, route("/maybe", false, auth_mode::optional),
                     partner};
    rt.cfg.default_auth = auth_mode::required;
    rt.route_policies = make_route_policies(rt.cfg);
    rt.generation = 1;
    return rt;
}

http::fields bearer(const std::string& token) {
    http::fields h;
    h.set(http::field::authorization, "Bearer " + token);
    return h;
}

void expect_rejected(const auth_outcome& o, reason code, const std::string& fragment) {
    EXPECT_EQ(o.verdict, auth_outcome::kind::rejected);
    ASSERT_TRUE(o.rejected.has_value()) << "expected " << to_string(code);
    EXPECT_EQ(to_string(o.rejected->code), to_string(code)) << "hint: " << o.rejected->hint;
    EXPECT_NE(o.rejected->hint.find(fragment), std::string::npos)
        << "hint \"" << o.rejected->hint << "\" lacks \"" << fragment << "\"";
}

class AuthenticatorTest : public ::testing::Test {
protected:
    auth_outcome run(std::string_view path, const http::fields& h, system_clock::time_point at = now,
                     std::string_view method = "GET") {
        return authenticate(rt_, &cache_, method, path, "", h, at);
    }

    runtime rt_ = make_runtime();
    token_cache cache_{16};
};

// An auth-none route is anonymous without looking at the token, even a garbage or ambiguous one.
TEST_F(AuthenticatorTest, NoneRouteAnonymousIgnoringTokens) {
    http::fields h;
    h.insert(http::field::authorization, "Bearer not-a-jwt");
    h.insert(http::field::authorization, "Basic abc");

    const auth_outcome o = run("/public/logo.png", h);

    EXPECT_EQ(o.verdict, auth_outcome::kind::anonymous);
    EXPECT_FALSE(o.rejected.has_value());
    EXPECT_EQ(o.decision, nullptr);
    EXPECT_EQ(o.route, &rt_.cfg.routes[0]);
    EXPECT_EQ(cache_.hits() + cache_.misses(), 0U);
}

// An optional route without a token lets the request through anonymously.
TEST_F(AuthenticatorTest, OptionalWithoutTokenAnonymous) {
    const auth_outcome o = run("/maybe", http::fields{});

    EXPECT_EQ(o.verdict, auth_outcome::kind::anonymous);
    EXPECT_FALSE(o.rejected.has_value());
    EXPECT_EQ(o.route, &rt_.cfg.routes[2]);
}

// A Basic header on an optional route is "no bearer token", hence anonymous too.
TEST_F(AuthenticatorTest, OptionalWithBasicAnonymous) {
    http::fields h;
    h.set(http::field::authorization, "Basic dXNlcjpwYXNzd29yZA==");

    EXPECT_EQ(run("/maybe", h).verdict, auth_outcome::kind::anonymous);
}

// An optional route rejects a present but invalid token instead of treating it as anonymous.
TEST_F(AuthenticatorTest, OptionalWithBadTokenRejected) {
    const auth_outcome o = run("/maybe", bearer(foreign_key_token()));

    expect_rejected(o, reason::bad_signature, "signed by a different key than the one with this kid");
    ASSERT_NE(o.decision, nullptr);
    EXPECT_EQ(o.decision->ev.kid, "k1");
}

// An optional route rejects an ambiguous request as well.
TEST_F(AuthenticatorTest, OptionalWithTwoAuthorizationHeadersRejected) {
    http::fields h;
    h.insert(http::field::authorization, "Bearer " + good_token());
    h.insert(http::field::authorization, "Bearer " + good_token());

    expect_rejected(run("/maybe", h), reason::malformed_token, "2 Authorization headers: ambiguous, refused");
}

// A required route (here the default for an unrouted path) without a token: missing_token.
TEST_F(AuthenticatorTest, RequiredWithoutTokenMissing) {
    const auth_outcome o = run("/orders", http::fields{});

    expect_rejected(o, reason::missing_token, "");
    EXPECT_EQ(o.rejected->hint, "");
    EXPECT_EQ(o.route, nullptr);
}

// The scheme hint reaches the outcome when another scheme was sent.
TEST_F(AuthenticatorTest, RequiredWithBasicMissingWithHint) {
    http::fields h;
    h.set(http::field::authorization, "Basic abc");

    expect_rejected(run("/orders", h), reason::missing_token,
                    "Authorization header present with scheme Basic, expected Bearer");
}

// A valid token is accepted with its evidence and cached; the next request is a cache hit.
TEST_F(AuthenticatorTest, ValidAcceptedThenCacheHit) {
    const http::fields h = bearer(good_token());

    const auth_outcome first = run("/orders", h);
    const auth_outcome second = run("/orders", h);

    EXPECT_EQ(first.verdict, auth_outcome::kind::accepted);
    EXPECT_FALSE(first.rejected.has_value());
    EXPECT_FALSE(first.cache_hit);
    ASSERT_NE(first.decision, nullptr);
    EXPECT_EQ(first.decision->ev.sub, "user-1");
    EXPECT_EQ(first.decision->ev.provider, "main");
    EXPECT_EQ(second.verdict, auth_outcome::kind::accepted);
    EXPECT_TRUE(second.cache_hit);
    EXPECT_EQ(second.decision, first.decision);
    EXPECT_EQ(cache_.hits(), 1U);
    EXPECT_EQ(cache_.size(), 1U);
}

// Without a cache every request is validated in full and still accepted.
TEST_F(AuthenticatorTest, NoCacheStillAccepted) {
    const http::fields h = bearer(good_token());

    const auth_outcome o = authenticate(rt_, nullptr, "GET", "/orders", "", h, now);

    EXPECT_EQ(o.verdict, auth_outcome::kind::accepted);
    EXPECT_FALSE(o.cache_hit);
}

// A rejected token is not cached: the next request with it is validated again.
TEST_F(AuthenticatorTest, RejectedNotCached) {
    const http::fields h = bearer(foreign_key_token());

    run("/orders", h);
    const auth_outcome o = run("/orders", h);

    expect_rejected(o, reason::bad_signature, "signed by a different key than the one with this kid");
    EXPECT_FALSE(o.cache_hit);
    EXPECT_EQ(cache_.size(), 0U);
}

// A cached token is refused as expired once now passes exp + leeway (600 s + 30 s; here 631 s).
TEST_F(AuthenticatorTest, CachedTokenPastExpExpired) {
    const http::fields h = bearer(good_token());
    ASSERT_EQ(run("/orders", h).verdict, auth_outcome::kind::accepted);

    const auth_outcome o = run("/orders", h, now + seconds(631));

    expect_rejected(o, reason::expired, "expired 31s ago");
    EXPECT_NE(o.rejected->hint.find("leeway 30 s"), std::string::npos) << o.rejected->hint;
    EXPECT_FALSE(o.cache_hit);
}

// Inside the leeway after exp the token is still accepted (by full validation).
TEST_F(AuthenticatorTest, CachedTokenWithinLeewayAccepted) {
    const http::fields h = bearer(good_token());
    ASSERT_EQ(run("/orders", h).verdict, auth_outcome::kind::accepted);

    const auth_outcome o = run("/orders", h, now + seconds(629));

    EXPECT_EQ(o.verdict, auth_outcome::kind::accepted);
}

// A cache hit still runs the time checks: an hour earlier, the cached token's iat is in the future.
TEST_F(AuthenticatorTest, CacheHitRecheckedAgainstTime) {
    const http::fields h = bearer(good_token());
    ASSERT_EQ(run("/orders", h).verdict, auth_outcome::kind::accepted);

    const auth_outcome o = run("/orders", h, now - seconds(3600));

    EXPECT_TRUE(o.cache_hit);
    expect_rejected(o, reason::issued_in_future, "iat 59m in the future");
}

// A cache hit still runs route scopes: accepted on /orders, the cached token lacks admin on /admin.
TEST_F(AuthenticatorTest, CacheHitRecheckedAgainstRouteScopes) {
    const http::fields h = bearer(good_token());
    ASSERT_EQ(run("/orders", h).verdict, auth_outcome::kind::accepted);

    const auth_outcome o = run("/admin/users", h);

    EXPECT_TRUE(o.cache_hit);
    EXPECT_EQ(o.route, &rt_.cfg.routes[1]);
    expect_rejected(o, reason::insufficient_scope, "missing scope admin; required: admin; token has: read");
}

// Uncached, the admin route refuses the token for the same reason.
TEST_F(AuthenticatorTest, AdminWithoutScopeInsufficientScope) {
    const auth_outcome o = run("/admin", bearer(good_token()));

    EXPECT_FALSE(o.cache_hit);
    expect_rejected(o, reason::insufficient_scope, "missing scope admin; required: admin; token has: read");
}

// A token granting the admin scope passes the admin route, cached or not.
TEST_F(AuthenticatorTest, AdminWithScopeAccepted) {
    const http::fields h = bearer(good_token("read admin"));

    EXPECT_EQ(run("/admin/users", h).verdict, auth_outcome::kind::accepted);
    const auth_outcome o = run("/admin/users", h);

    EXPECT_EQ(o.verdict, auth_outcome::kind::accepted);
    EXPECT_TRUE(o.cache_hit);
}

// A cache hit still checks the route's providers: /partner accepts only "partner".
TEST_F(AuthenticatorTest, CacheHitRecheckedAgainstRouteProviders) {
    const http::fields h = bearer(good_token());
    ASSERT_EQ(run("/orders", h).verdict, auth_outcome::kind::accepted);

    const auth_outcome o = run("/partner/x", h);

    EXPECT_TRUE(o.cache_hit);
    expect_rejected(o, reason::bad_issuer, "iss belongs to provider main, which this route does not accept");
}

// A new snapshot (key refresh or reload) invalidates cached decisions.
TEST_F(AuthenticatorTest, NewGenerationRevalidates) {
    const http::fields h = bearer(good_token());
    ASSERT_EQ(run("/orders", h).verdict, auth_outcome::kind::accepted);
    rt_.generation = 2;

    const auth_outcome o = run("/orders", h);

    EXPECT_EQ(o.verdict, auth_outcome::kind::accepted);
    EXPECT_FALSE(o.cache_hit);
}

// A method outside a GET-only public route falls to default_auth (required): missing_token.
TEST_F(AuthenticatorTest, MethodOutsidePublicRouteRequired) {
    rt_.cfg.routes[0].methods = {"GET"};

    EXPECT_EQ(run("/public/form", http::fields{}, now, "GET").verdict, auth_outcome::kind::anonymous);
    const auth_outcome o = run("/public/form", http::fields{}, now, "POST");

    expect_rejected(o, reason::missing_token, "");
    EXPECT_EQ(o.route, nullptr);
}

// default_auth none makes unrouted paths anonymous.
TEST_F(AuthenticatorTest, DefaultNoneAnonymous) {
    rt_.cfg.default_auth = auth_mode::none;

    const auth_outcome o = run("/anything", bearer("garbage"));

    EXPECT_EQ(o.verdict, auth_outcome::kind::anonymous);
    EXPECT_EQ(o.route, nullptr);
}

}  // namespace
}  // namespace tokengate::proxy
