// Runs the real `tokengate serve` against a real upstream on 127.0.0.1: who gets through,
// with which identity headers, and how every rejection reason looks on the wire (status,
// WWW-Authenticate, JSON body, log line) without the upstream ever seeing the request.
#include "support/http_client.hpp"
#include "support/proxy_fixture.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <string>
#include <vector>

namespace tokengate::test {
namespace {

// Routes shared by the tests: public prefix, exact, method-limited, optional and
// scope-demanding routes, everything else required.
const std::string routes = R"(,
  "routes": [
    {"path": "/public/", "match": "prefix", "auth": "none"},
    {"path": "/exact", "match": "exact", "auth": "none"},
    {"path": "/reports", "match": "prefix", "methods": ["GET", "HEAD"], "auth": "none"},
    {"path": "/maybe", "match": "prefix", "auth": "optional"},
    {"path": "/scoped", "match": "prefix", "auth": "required", "required_scopes": ["admin"]}
  ],
  "default_auth": "required",
  "identity_headers": {"sub": "X-User-Id", "scope": "X-User-Scope"})";

std::string bearer(const std::string& token) { return "Bearer " + token; }

std::string www_authenticate(std::string_view reason) {
    if (reason == "missing_token") return R"(Bearer realm="tokengate")";
    const std::string error = reason == "insufficient_scope" ? "insufficient_scope" : "invalid_token";
    return R"(Bearer realm="tokengate", error=")" + error + R"(", error_description=")" + std::string(reason) + "\"";
}

class ProxyAuthTest : public ::testing::Test {
protected:
    void TearDown() override {
        if (fx.proxy_running()) {
            EXPECT_EQ(fx.stop_proxy(), 0) << fx.proxy().err_text();
        }
    }

    // Echo upstream plus a proxy in front of it configured with `extra`.
    void start_with_echo(std::string_view extra = routes) {
        fx.start_echo();
        fx.start_proxy(fx.config(fx.echo_port(), extra));
    }

    proxy_fixture fx{TOKENGATE_BINARY};
};

TEST_F(ProxyAuthTest, ValidTokenReachesUpstreamWithIdentityHeadersAndNoSpoofs) {
    // Verifies: a valid token is forwarded with identity headers from its claims; client-sent copies never arrive.
    start_with_echo();

    const auto r = get(fx.port(), "/api/orders?page=2",
                       {{"Authorization", bearer(rsa_token(good_claims("user-42", "read write")))},
                        {"X-User-Id", "spoofed-admin"},
                        {"x-user-id", "spoofed-admin-lower"},
                        {"X-User-Scope", "spoofed-scope"},
                        {"X-Auth-Provider", "spoofed-provider"}});

    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json_field(r.body, {"target"}), "/api/orders?page=2");
    EXPECT_EQ(json_field(r.body, {"headers", "X-User-Id"}), "user-42");
    EXPECT_EQ(json_field(r.body, {"headers", "X-User-Scope"}), "read write");
    EXPECT_EQ(json_field(r.body, {"headers", "X-Auth-Provider"}), "rsa");
    EXPECT_EQ(r.body.find("spoofed"), std::string::npos) << r.body;
    // strip_authorization is off by default: the upstream gets the header (the echo shows its size only).
    EXPECT_TRUE(json_field(r.body, {"headers", "Authorization"}).has_value()) << r.body;
}

TEST_F(ProxyAuthTest, ClaimWithLineBreakNeverBecomesAHeader) {
    // Verifies: a verified claim holding CR/LF never becomes an identity header (no header injection upstream).
    start_with_echo();
    // {"iss":…,"sub":"eve\r\nX-Injected: 1",…}
    const std::string token = rsa_token(good_claims(R"(eve\r\nX-Injected: 1)"));

    const auto r = get(fx.port(), "/api/x", {{"Authorization", bearer(token)}});

    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json_field(r.body, {"headers", "X-User-Id"}), std::nullopt) << r.body;
    EXPECT_EQ(r.body.find("X-Injected"), std::string::npos) << r.body;
}

TEST_F(ProxyAuthTest, UnsafeRequestIdReplacedSafeOnePropagated) {
    // Verifies: a sane X-Request-Id is propagated to upstream and client; an unsafe one is replaced by a generated id.
    start_with_echo();
    const header_list token = {{"Authorization", bearer(rsa_token(good_claims()))}};
    header_list sane = token;
    sane.emplace_back("X-Request-Id", "req-123_abc.def:9");
    header_list unsafe = token;
    unsafe.emplace_back("X-Request-Id", "<script>alert(1)</script>");

    const auto kept = get(fx.port(), "/api/x", sane);
    const auto replaced = get(fx.port(), "/api/x", unsafe);

    EXPECT_EQ(json_field(kept.body, {"headers", "X-Request-Id"}), "req-123_abc.def:9");
    EXPECT_EQ(kept.header("X-Request-Id"), "req-123_abc.def:9");
    const auto id = json_field(replaced.body, {"headers", "X-Request-Id"});
    ASSERT_TRUE(id.has_value()) << replaced.body;
    EXPECT_EQ(id->find('<'), std::string::npos);
    EXPECT_EQ(replaced.header("X-Request-Id"), id);
}

TEST_F(ProxyAuthTest, HmacTokenPicksProviderByIssuer) {
    // Verifies: the unverified iss selects the provider: an HS256 token of the "hmac" issuer passes as provider "hmac".
    start_with_echo();
    const std::int64_t now = unix_now();
    const std::string claims = R"({"iss":")" + std::string(fixture_hmac_issuer) + R"(","aud":"api","sub":"svc-7","iat":)" +
                               std::to_string(now) + R"(,"exp":)" + std::to_string(now + 300) + "}";

    const auto r = get(fx.port(), "/api/x", {{"Authorization", bearer(hmac_token(claims))}});

    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json_field(r.body, {"headers", "X-User-Id"}), "svc-7");
    EXPECT_EQ(json_field(r.body, {"headers", "X-Auth-Provider"}), "hmac");
}

struct rejection_case {
    std::string reason;
    int status;
    header_list headers;
    std::string path = "/api/resource";
};

// One request per SPEC §7 reason the proxy can produce with static keys.
std::vector<rejection_case> rejection_cases() {
    const std::int64_t now = unix_now();
    const std::string iss = std::string(fixture_issuer);
    const auto claims = [&](const std::string& members) { return "{\"iss\":\"" + iss + "\"," + members + "}"; };
    const std::string times = "\"iat\":" + std::to_string(now) + ",\"exp\":" + std::to_string(now + 600);
    const auto auth = [](const std::string& token) { return header_list{{"Authorization", bearer(token)}}; };
    // {"alg":"RSA-OAEP","enc":"A256GCM"} as a JWE: five segments
    const std::string jwe = "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.AAAA.AAAA.AAAA.AAAA";
    return {
        {"missing_token", 401, {}},
        {"missing_token", 401, {{"Authorization", "Basic dXNlcjpwYXNz"}}},
        {"malformed_token", 401, auth("abc.def")},
        {"malformed_token", 401,
         {{"Authorization", bearer(rsa_token(good_claims()))}, {"Authorization", bearer(rsa_token(good_claims()))}}},
        {"token_too_large", 401, auth(std::string(9000, 'a'))},
        {"encrypted_token_unsupported", 401, auth(jwe)},
        {"alg_not_allowed", 401, auth(hmac_token(good_claims()))},
        {"unknown_kid", 401, auth(rsa_token(good_claims(), R"({"alg":"RS256","kid":"k9","typ":"JWT"})"))},
        {"bad_signature", 401, auth(rsa_token(good_claims(), R"({"alg":"RS256","kid":"k1","typ":"JWT"})", 1))},
        {"expired", 401,
         auth(rsa_token(claims("\"aud\":\"api\",\"iat\":" + std::to_string(now - 4000) + ",\"exp\":" +
                               std::to_string(now - 3600))))},
        {"not_yet_valid", 401, auth(rsa_token(claims("\"aud\":\"api\"," + times + ",\"nbf\":" + std::to_string(now + 3600))))},
        {"issued_in_future", 401,
         auth(rsa_token(claims("\"aud\":\"api\",\"iat\":" + std::to_string(now + 3600) + ",\"exp\":" +
                               std::to_string(now + 4000))))},
        {"invalid_claim", 401, auth(rsa_token(claims("\"aud\":\"api\",\"iat\":" + std::to_string(now) + ",\"exp\":\"tomorrow\"")))},
        {"bad_issuer", 401,
         auth(rsa_token(R"({"iss":"https://unknown.test/","aud":"api",)" + times + "}"))},
        {"bad_audience", 401, auth(rsa_token(claims("\"aud\":\"other-api\"," + times)))},
        {"missing_claim", 401, auth(rsa_token(claims("\"aud\":\"api\",\"iat\":" + std::to_string(now))))},
        {"insufficient_scope", 403, auth(rsa_token(good_claims("user-42", "read"))), "/scoped/users"},
        {"lifetime_too_long", 401,
         auth(rsa_token(claims("\"aud\":\"api\",\"iat\":" + std::to_string(now) + ",\"exp\":" + std::to_string(now + 86400))))},
        {"bad_type", 401, auth(rsa_token(good_claims(), R"({"alg":"RS256","kid":"k1","typ":"at+jwt"})"))},
    };
}

TEST_F(ProxyAuthTest, EveryRejectionReasonAnswersPerSpecAndNeverReachesUpstream) {
    // Verifies: each reason: its status, WWW-Authenticate, JSON body and auth.reject line; the upstream gets not one byte.
    recording_upstream upstream;
    fx.start_proxy(fx.config(upstream.port(), routes));

    int n = 0;
    for (const auto& c : rejection_cases()) {
        SCOPED_TRACE(c.reason + " #" + std::to_string(n));
        const std::string request_id = "reject-" + std::to_string(n++);
        header_list headers = c.headers;
        headers.emplace_back("X-Request-Id", request_id);

        const auto r = get(fx.port(), c.path, headers);

        EXPECT_EQ(r.status, c.status) << r.body;
        EXPECT_EQ(r.header("WWW-Authenticate"), www_authenticate(c.reason));
        EXPECT_EQ(r.header("Content-Type"), "application/json");
        EXPECT_EQ(r.header("X-Request-Id"), request_id);
        EXPECT_EQ(json_field(r.body, {"reason"}), c.reason) << r.body;
        EXPECT_EQ(json_field(r.body, {"request_id"}), request_id) << r.body;
        const std::string error = c.reason == "missing_token"        ? "unauthorized"
                                  : c.reason == "insufficient_scope" ? "insufficient_scope"
                                                                     : "invalid_token";
        EXPECT_EQ(json_field(r.body, {"error"}), error) << r.body;
        EXPECT_EQ(json_field(r.body, {"hint"}), std::nullopt) << "hints stay in the logs: " << r.body;
        const auto line = fx.wait_for_log("request_id", request_id, "auth.reject");
        ASSERT_TRUE(line.has_value()) << "no auth.reject line for " << request_id;
        EXPECT_EQ(json_field(*line, {"reason"}), c.reason) << *line;
    }
    EXPECT_EQ(upstream.connections(), 0u);
    EXPECT_EQ(upstream.bytes(), 0u);

    // Control: the same upstream does count a request that is let through.
    const auto ok = get(fx.port(), "/api/resource", {{"Authorization", bearer(rsa_token(good_claims()))}});
    EXPECT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(upstream.answered(), 1u);
}

TEST_F(ProxyAuthTest, KeysUnavailableAnswers503WithRetryAfter) {
    // Verifies: remote JWKS unreachable → 503 keys_unavailable with Retry-After, /readyz 503, nothing forwarded.
    recording_upstream upstream;
    const std::uint16_t closed = pick_free_port();
    const std::string remote = R"(,
  "providers": [
    {"name": "remote", "issuer": "https://remote.test/", "audiences": ["api"], "algorithms": ["RS256"],
     "jwks_url": "http://127.0.0.1:)" + std::to_string(closed) + R"(/jwks", "allow_http_jwks": true}
  ])";
    std::string cfg = fx.config(upstream.port());
    // Replace the fixture's providers with the remote-only list.
    const auto from = cfg.find(",\n  \"providers\"");
    cfg = cfg.substr(0, from) + remote + "\n}\n";
    fx.start_proxy(cfg, "/healthz");
    const std::int64_t now = unix_now();
    const std::string token = rsa_token(R"({"iss":"https://remote.test/","aud":"api","iat":)" + std::to_string(now) +
                                        R"(,"exp":)" + std::to_string(now + 300) + "}");

    const auto r = get(fx.port(), "/api/x", {{"Authorization", bearer(token)}, {"X-Request-Id", "keys-1"}});
    const auto ready = get(fx.admin_port(), "/readyz");

    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_TRUE(r.header("Retry-After").has_value());
    EXPECT_EQ(json_field(r.body, {"reason"}), "keys_unavailable");
    EXPECT_EQ(json_field(r.body, {"request_id"}), "keys-1");
    EXPECT_EQ(ready.status, 503) << ready.body;
    EXPECT_TRUE(fx.wait_for_log("request_id", "keys-1", "auth.reject").has_value());
    EXPECT_EQ(upstream.connections(), 0u);
}

TEST_F(ProxyAuthTest, RoutesApplyAuthModeByPathPrefixExactAndMethod) {
    // Verifies: route matching: prefix on segment boundaries, exact, methods, optional auth, route scopes → 403.
    start_with_echo();
    const header_list good = {{"Authorization", bearer(rsa_token(good_claims("user-42", "read")))}};
    const header_list admin = {{"Authorization", bearer(rsa_token(good_claims("root", "read admin")))}};
    const header_list bad = {{"Authorization", "Bearer not.a.jwt"}};
    const auto status = [&](std::string_view method, std::string_view path, const header_list& h = {}) {
        return request(fx.port(), method, path, h).status;
    };

    EXPECT_EQ(status("GET", "/public/page"), 200);
    EXPECT_EQ(status("GET", "/public/page", bad), 200) << "auth none ignores tokens";
    EXPECT_EQ(status("GET", "/publicity"), 401) << "prefix /public/ must not match /publicity";
    EXPECT_EQ(status("GET", "/public"), 401) << "prefix /public/ must not match /public";
    EXPECT_EQ(status("GET", "/exact"), 200);
    EXPECT_EQ(status("GET", "/exact/more"), 401);
    EXPECT_EQ(status("GET", "/reports/q1"), 200);
    EXPECT_EQ(status("HEAD", "/reports/q1"), 200);
    EXPECT_EQ(status("POST", "/reports/q1"), 401) << "POST is not in the route's methods";
    EXPECT_EQ(status("GET", "/maybe/x"), 200);
    EXPECT_EQ(status("GET", "/maybe/x", bad), 401) << "optional auth still refuses a bad token";
    EXPECT_EQ(status("GET", "/maybe/x", good), 200);
    EXPECT_EQ(status("GET", "/scoped/x", good), 403);
    EXPECT_EQ(status("GET", "/scoped/x", admin), 200);
    EXPECT_EQ(status("GET", "/other"), 401);

    // An anonymous request on an optional route carries no identity; a valid token does.
    const auto anon = get(fx.port(), "/maybe/x", {{"X-User-Id", "spoofed"}});
    EXPECT_EQ(json_field(anon.body, {"headers", "X-User-Id"}), std::nullopt) << anon.body;
    const auto known = get(fx.port(), "/maybe/x", good);
    EXPECT_EQ(json_field(known.body, {"headers", "X-User-Id"}), "user-42") << known.body;
}

TEST_F(ProxyAuthTest, CookieAndCustomHeaderSourcesAcceptedAndTwoTokensRefused) {
    // Verifies: cookie and custom-header token sources work; a token in two places (or twice) is malformed_token.
    start_with_echo(routes + R"(,
  "token_sources": [{"type": "authorization"}, {"type": "cookie", "name": "access_token"},
                    {"type": "header", "name": "X-Token"}])");
    const std::string token = rsa_token(good_claims("cookie-user"));

    const auto by_cookie = get(fx.port(), "/api/a", {{"Cookie", "theme=dark; access_token=" + token + "; lang=en"}});
    const auto by_header = get(fx.port(), "/api/b", {{"X-Token", token}});
    const auto both = get(fx.port(), "/api/c",
                          {{"Authorization", bearer(token)}, {"Cookie", "access_token=" + token}, {"X-Request-Id", "two-1"}});
    const auto two_cookies = get(fx.port(), "/api/d", {{"Cookie", "access_token=" + token + "; access_token=" + token}});

    EXPECT_EQ(by_cookie.status, 200) << by_cookie.body;
    EXPECT_EQ(json_field(by_cookie.body, {"headers", "X-User-Id"}), "cookie-user");
    EXPECT_EQ(by_header.status, 200) << by_header.body;
    EXPECT_EQ(json_field(by_header.body, {"headers", "X-User-Id"}), "cookie-user");
    EXPECT_EQ(both.status, 401);
    EXPECT_EQ(json_field(both.body, {"reason"}), "malformed_token") << both.body;
    const auto line = fx.wait_for_log("request_id", "two-1", "auth.reject");
    ASSERT_TRUE(line.has_value());
    EXPECT_NE(json_field(*line, {"hint"}).value_or("").find("ambiguous"), std::string::npos) << *line;
    EXPECT_EQ(two_cookies.status, 401);
    EXPECT_EQ(json_field(two_cookies.body, {"reason"}), "malformed_token") << two_cookies.body;
}

TEST_F(ProxyAuthTest, StripAuthorizationRemovesHeaderBeforeUpstream) {
    // Verifies: with strip_authorization the upstream gets identity headers but no Authorization header.
    start_with_echo(routes + R"(, "strip_authorization": true)");

    const auto r = get(fx.port(), "/api/x", {{"Authorization", bearer(rsa_token(good_claims("strip-user")))}});

    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json_field(r.body, {"headers", "Authorization"}), std::nullopt) << r.body;
    EXPECT_EQ(json_field(r.body, {"headers", "X-User-Id"}), "strip-user");
}

TEST_F(ProxyAuthTest, SighupReloadAppliesNewRoutesWithoutDroppingConnections) {
    // Verifies: SIGHUP re-reads the config (a new public route applies) and an open keep-alive connection survives.
    start_with_echo();
    http_connection c(fx.port());
    c.send(make_request("GET", "/later/x"));
    const auto before = c.read_response();
    ASSERT_EQ(before.status, 401);
    std::ofstream(fx.dir() / "config.json")
        << fx.config(fx.echo_port(), R"(,
  "routes": [{"path": "/later/", "match": "prefix", "auth": "none"}])");

    ::kill(fx.proxy().pid(), SIGHUP);
    ASSERT_TRUE(fx.wait_for_log("message", "configuration reloaded", "config.reload").has_value())
        << "no reload line; log:\n" << [&] {
               std::string all;
               for (const auto& l : fx.log_lines()) all += l + "\n";
               return all;
           }();
    // The new snapshot reaches each worker through its queue: poll on the same connection.
    int status = before.status;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (status != 200 && std::chrono::steady_clock::now() < deadline) {
        c.send(make_request("GET", "/later/x"));
        status = c.read_response().status;
    }

    EXPECT_EQ(status, 200);
}

}  // namespace
}  // namespace tokengate::test
