// Remote keys against a real HTTPS JWKS server on 127.0.0.1 (certificates from a CA the
// test makes): start-up without keys, rotation, fetch faults, unknown-kid floods, TLS
// refusals, Cache-Control timing and OIDC discovery, all through the real binary.
#include "support/http_client.hpp"
#include "support/jwks_server.hpp"
#include "support/proxy_fixture.hpp"
#include "support/temp_dir.hpp"
#include "support/test_keys.hpp"
#include "support/test_pki.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace tokengate::test {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

const std::string jwks_path = "/jwks.json";

std::string jwks_of(std::initializer_list<std::pair<int, std::string>> keys) {
    std::string out = R"({"keys":[)";
    bool first = true;
    for (const auto& [index, kid] : keys) {
        out += (first ? "" : ",") + jwk_json(rsa_pair(index), kid);
        first = false;
    }
    return out + "]}";
}

std::string token_for(int key_index, const std::string& kid, std::string_view issuer = fixture_issuer) {
    const std::int64_t now = unix_now();
    const std::string claims = R"({"iss":")" + std::string(issuer) + R"(","aud":"api","sub":"user-1","iat":)" +
                               std::to_string(now) + R"(,"exp":)" + std::to_string(now + 600) + "}";
    return rsa_token(claims, R"({"alg":"RS256","typ":"JWT","kid":")" + kid + "\"}", key_index);
}

// Listen/admin ports for configs that are only loaded, never served.
process_options port_env() {
    process_options o;
    o.env = {{"TOKENGATE_TEST_LISTEN_PORT", "1"}, {"TOKENGATE_TEST_ADMIN_PORT", "2"}};
    return o;
}

header_list bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

// Polls `done` until it holds or the deadline passes; returns whether it held.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 5000ms) {
    const auto deadline = clock_type::now() + timeout;
    for (;;) {
        if (done()) return true;
        if (clock_type::now() >= deadline) return false;
        std::this_thread::sleep_for(20ms);  // poll interval, not a readiness wait
    }
}

class RemoteKeysTest : public ::testing::Test {
protected:
    void TearDown() override {
        if (fx.proxy_running()) {
            EXPECT_EQ(fx.stop_proxy(), 0) << fx.proxy().err_text();
        }
    }

    // A config whose only provider "idp" takes keys from `source_members` (e.g.
    // "\"jwks_url\": …"), trusting the test CA, with `cache` as jwks_cache.
    std::string config_with(const std::string& source_members, const std::string& cache = "",
                            std::string_view issuer = fixture_issuer) {
        if (fx.echo_port() == 0) fx.start_echo();
        return R"({
  "listen": "127.0.0.1:${TOKENGATE_TEST_LISTEN_PORT}",
  "admin_listen": "127.0.0.1:${TOKENGATE_TEST_ADMIN_PORT}",
  "upstream": "http://127.0.0.1:)" +
               std::to_string(fx.echo_port()) + R"(",
  "threads": 2,
  "providers": [{"name": "idp", "issuer": ")" +
               std::string(issuer) + R"(", "audiences": ["api"], "algorithms": ["RS256"],
    )" + source_members +
               (cache.empty() ? "" : R"(, "jwks_cache": )" + cache) + R"(}]
})";
    }

    std::string remote(const jwks_server& s, const std::string& path = jwks_path) {
        return R"("jwks_url": ")" + s.url(path) + R"(", "ca_file": ")" + pki.ca_file().string() + "\"";
    }

    // The proxy answers without waiting for keys: readiness is /healthz here.
    void start(const std::string& config) { fx.start_proxy(config, "/healthz"); }

    int status_of(const std::string& token) { return get(fx.port(), "/api", bearer(token)).status; }

    std::string all_log() {
        std::string all;
        for (const auto& l : fx.log_lines()) all += l + "\n";
        return all;
    }

    temp_dir dir{"tokengate-remote-keys"};
    test_pki pki = test_pki::create(dir.path());
    proxy_fixture fx{TOKENGATE_BINARY};
};

TEST_F(RemoteKeysTest, StartsWithServerDownAnswers503ThenServesOnceItIsUpWithoutRestart) {
    // Verifies: JWKS server down at start → 503 keys_unavailable + Retry-After and /readyz 503 naming the
    // provider and the fetch error; when the server comes up, the same process accepts the token.
    jwks_server server({.tls = pki.issue("jwks")});
    server.set_jwks(jwks_path, jwks_of({{0, "k1"}}));
    server.down();
    start(config_with(remote(server), R"({"retry_min_ms": 50, "retry_max_ms": 200})"));
    const std::string token = token_for(0, "k1");

    ASSERT_TRUE(fx.wait_for_log("result", "connect_error", "jwks.fetch").has_value()) << all_log();
    const auto early = get(fx.port(), "/api", bearer(token));
    EXPECT_EQ(early.status, 503) << early.body;
    EXPECT_EQ(early.header("Retry-After"), "5");
    const auto not_ready = get(fx.admin_port(), "/readyz");
    EXPECT_EQ(not_ready.status, 503);
    EXPECT_NE(not_ready.body.find("provider idp has no keys: cannot connect to 127.0.0.1:"), std::string::npos)
        << not_ready.body;

    server.up();
    EXPECT_TRUE(eventually([&] { return status_of(token) == 200; })) << all_log();
    EXPECT_EQ(get(fx.admin_port(), "/readyz").status, 200);
    EXPECT_TRUE(fx.wait_for_log("result", "success", "jwks.fetch").has_value());
}

TEST_F(RemoteKeysTest, SlowServerTimesOutThenServesWhenFast) {
    // Verifies: a JWKS response slower than timeout_ms is a logged timeout (503 meanwhile); once the server
    // answers in time the keys arrive without restart.
    jwks_server server({.tls = pki.issue("jwks")});
    server.set(jwks_path, {.body = jwks_of({{0, "k1"}}), .delay = 2000ms});
    start(config_with(remote(server), R"({"timeout_ms": 300, "retry_min_ms": 50, "retry_max_ms": 100})"));
    const std::string token = token_for(0, "k1");

    const auto line = fx.wait_for_log("result", "timeout", "jwks.fetch");
    ASSERT_TRUE(line.has_value()) << all_log();
    EXPECT_NE(line->find("within 300 ms"), std::string::npos) << *line;
    EXPECT_EQ(status_of(token), 503);

    server.set_jwks(jwks_path, jwks_of({{0, "k1"}}));
    EXPECT_TRUE(eventually([&] { return status_of(token) == 200; })) << all_log();
}

TEST_F(RemoteKeysTest, RotationNewKidAcceptedAtOnceRemovedKidRejectedAfterRefresh) {
    // Verifies: the IdP adds k2 and signs with it → the first k2 token triggers one refetch and is accepted;
    // the IdP drops k1 → after the next scheduled refresh a k1 token is rejected as unknown_kid.
    jwks_server server({.tls = pki.issue("jwks")});
    server.set_jwks(jwks_path, jwks_of({{0, "k1"}}), "max-age=3600");
    start(config_with(remote(server), R"({"refresh_min_s": 1, "refresh_max_s": 3600})"));
    const std::string old_token = token_for(0, "k1");
    const std::string new_token = token_for(1, "k2");
    ASSERT_TRUE(eventually([&] { return status_of(old_token) == 200; })) << all_log();
    const std::size_t fetches_before = server.count(jwks_path);

    server.set_jwks(jwks_path, jwks_of({{0, "k1"}, {1, "k2"}}), "max-age=1");
    const auto t0 = clock_type::now();
    const auto rotated = get(fx.port(), "/api", bearer(new_token));
    const auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - t0);

    EXPECT_EQ(rotated.status, 200) << rotated.body;
    EXPECT_EQ(server.count(jwks_path), fetches_before + 1);
    EXPECT_LT(latency, 2000ms);
    std::printf("[rotation] first token with the new kid accepted after %lld ms (one refetch)\n",
                static_cast<long long>(latency.count()));

    server.set_jwks(jwks_path, jwks_of({{1, "k2"}}), "max-age=1");
    ASSERT_TRUE(eventually([&] { return status_of(old_token) == 401; }, 5000ms)) << all_log();
    const auto r = get(fx.port(), "/api", bearer(old_token));
    EXPECT_NE(r.header("WWW-Authenticate").value_or("").find("unknown_kid"), std::string::npos);
    EXPECT_EQ(status_of(new_token), 200);
}

TEST_F(RemoteKeysTest, ConcurrentRequestsWithTheNewKidShareOneRefetchAndAllPass) {
    // Verifies: single flight: 8 clients presenting a just-rotated-in kid while the refetch is slow all wait on
    // the same fetch (one request at the server) and are all accepted.
    jwks_server server({.tls = pki.issue("jwks")});
    server.set_jwks(jwks_path, jwks_of({{0, "k1"}}), "max-age=3600");
    start(config_with(remote(server), R"({"unknown_kid_wait_ms": 5000})"));
    ASSERT_TRUE(eventually([&] { return status_of(token_for(0, "k1")) == 200; })) << all_log();
    server.reset_counts();
    server.set(jwks_path, {.body = jwks_of({{0, "k1"}, {1, "k2"}}), .delay = 400ms});

    std::vector<std::string> tokens;
    for (int i = 0; i < 8; ++i) tokens.push_back(token_for(1, "k2"));
    std::atomic<int> accepted{0};
    std::vector<std::thread> clients;
    for (const auto& t : tokens)
        clients.emplace_back([&, t] { accepted += get(fx.port(), "/api", bearer(t)).status == 200 ? 1 : 0; });
    for (auto& c : clients) c.join();

    EXPECT_EQ(accepted.load(), 8);
    EXPECT_EQ(server.count(jwks_path), 1u);
}

TEST_F(RemoteKeysTest, RotatedInKidAcceptedOnConnectionsOpenedBeforeTheRefetch) {
    // Verifies: after one client's token with a new kid made the proxy refetch, the same kid is accepted at once
    // on keep-alive connections that were open (and idle) during that refetch — not 401 until
    // unknown_kid_interval has passed (the soak found this: their requests were decided on the older keys).
    jwks_server server({.tls = pki.issue("jwks")});
    server.set_jwks(jwks_path, jwks_of({{0, "k1"}}), "max-age=3600");
    start(config_with(remote(server), R"({"unknown_kid_interval_s": 30})"));
    ASSERT_TRUE(eventually([&] { return status_of(token_for(0, "k1")) == 200; })) << all_log();
    std::vector<std::unique_ptr<http_connection>> kept;
    for (int i = 0; i < 6; ++i) {
        kept.push_back(std::make_unique<http_connection>(fx.port()));
        kept.back()->send(make_request("GET", "/api", bearer(token_for(0, "k1"))));
        ASSERT_EQ(kept.back()->read_response().status, 200) << all_log();
    }
    server.set_jwks(jwks_path, jwks_of({{0, "k1"}, {1, "k2"}}), "max-age=3600");
    const std::string rotated = token_for(1, "k2");

    const auto first = get(fx.port(), "/api", bearer(rotated));
    ASSERT_EQ(first.status, 200) << first.body;
    for (auto& c : kept) {
        c->send(make_request("GET", "/api", bearer(rotated)));
        const auto r = c->read_response();
        EXPECT_EQ(r.status, 200) << r.header("WWW-Authenticate").value_or("") << " " << r.body;
    }
    EXPECT_EQ(server.count(jwks_path), 2u) << "one start-up fetch, one refetch";
}

TEST_F(RemoteKeysTest, UnknownKidWaitIsBoundedWhenTheRefetchIsSlow) {
    // Verifies: a request with an unknown kid waits for the refetch at most unknown_kid_wait_ms, then gets
    // 401 unknown_kid; the slow fetch does not hold it for the fetch timeout.
    jwks_server server({.tls = pki.issue("jwks")});
    server.set_jwks(jwks_path, jwks_of({{0, "k1"}}), "max-age=3600");
    start(config_with(remote(server), R"({"unknown_kid_wait_ms": 300, "timeout_ms": 5000})"));
    ASSERT_TRUE(eventually([&] { return status_of(token_for(0, "k1")) == 200; })) << all_log();
    server.set(jwks_path, {.body = jwks_of({{0, "k1"}}), .delay = 3000ms});

    const auto t0 = clock_type::now();
    const auto r = get(fx.port(), "/api", bearer(token_for(0, "nope")));
    const auto waited = clock_type::now() - t0;

    EXPECT_EQ(r.status, 401);
    EXPECT_NE(r.header("WWW-Authenticate").value_or("").find("unknown_kid"), std::string::npos);
    EXPECT_GE(waited, 250ms);
    EXPECT_LT(waited, 2500ms);
}

TEST_F(RemoteKeysTest, StaleKeysServeUpToMaxStaleThenTheProviderAnswers503) {
    // Verifies: while refreshes fail, cached keys serve until lifetime + max_stale_s has passed; then they are
    // dropped (logged), requests get 503 keys_unavailable and /readyz turns not ready.
    jwks_server server({.tls = pki.issue("jwks")});
    server.set_jwks(jwks_path, jwks_of({{0, "k1"}}), "max-age=1");
    start(config_with(remote(server), R"({"refresh_min_s": 1, "max_stale_s": 1, "retry_min_ms": 100,
                                          "retry_max_ms": 200})"));
    const std::string token = token_for(0, "k1");
    ASSERT_TRUE(eventually([&] { return status_of(token) == 200; })) << all_log();
    const auto t0 = clock_type::now();
    server.set(jwks_path, {.status = 503, .body = "maintenance"});

    ASSERT_TRUE(eventually([&] { return status_of(token) == 503; }, 6000ms)) << all_log();
    EXPECT_GE(clock_type::now() - t0, 900ms);  // not before lifetime + max_stale of the last good set
    const auto line = fx.wait_for_log("level", "error", "jwks.fetch");
    ASSERT_TRUE(line.has_value()) << all_log();
    EXPECT_NE(line->find("past their maximum staleness"), std::string::npos) << *line;
    EXPECT_EQ(get(fx.admin_port(), "/readyz").status, 503);

    server.set_jwks(jwks_path, jwks_of({{0, "k1"}}), "max-age=1");
    EXPECT_TRUE(eventually([&] { return status_of(token) == 200; })) << all_log();
}

struct fault_case {
    const char* name;
    jwks_server::response response;
    const char* result;        // jwks.fetch "result" field
    const char* log_fragment;  // what the log line must say
};

// Test names in ctest show the case name, not the struct's bytes.
void PrintTo(const fault_case& c, std::ostream* os) { *os << c.name; }

class RemoteKeysFaultTest : public RemoteKeysTest, public ::testing::WithParamInterface<fault_case> {};

TEST_P(RemoteKeysFaultTest, FailedRefreshKeepsTheCachedKeysAndSaysWhatFailed) {
    // Verifies: a refresh that fails (status, timeout, garbage, oversized, empty set, wrong content, cut body)
    // never replaces the cached keys: tokens keep passing, /readyz stays ready, the log names the failure.
    const fault_case& c = GetParam();
    jwks_server server({.tls = pki.issue("jwks")});
    server.set_jwks(jwks_path, jwks_of({{0, "k1"}}), "max-age=1");
    start(config_with(remote(server), R"({"refresh_min_s": 1, "timeout_ms": 500, "max_bytes": 4096,
                                          "retry_min_ms": 100, "retry_max_ms": 200})"));
    const std::string token = token_for(0, "k1");
    ASSERT_TRUE(eventually([&] { return status_of(token) == 200; })) << all_log();

    server.set(jwks_path, c.response);
    const auto line = fx.wait_for_log("result", c.result, "jwks.fetch", 5000ms);
    ASSERT_TRUE(line.has_value()) << all_log();
    EXPECT_NE(line->find(c.log_fragment), std::string::npos) << *line;
    EXPECT_NE(line->find("keeping the 1 cached key(s)"), std::string::npos) << *line;

    EXPECT_EQ(status_of(token), 200);
    EXPECT_EQ(get(fx.admin_port(), "/readyz").status, 200);
    const std::string metrics = get(fx.admin_port(), "/metrics").body;
    EXPECT_NE(metrics.find(std::string(R"(tokengate_jwks_fetches_total{provider="idp",result=")") + c.result + "\"}"),
              std::string::npos)
        << metrics;
    // A failed refresh is retried: the server sees more than one request after the fault.
    const std::size_t seen = server.count(jwks_path);
    EXPECT_TRUE(eventually([&] { return server.count(jwks_path) > seen; }));
    EXPECT_EQ(status_of(token), 200);
}

const std::string big_body = R"({"keys":[],"padding":")" + std::string(10000, 'x') + "\"}";

INSTANTIATE_TEST_SUITE_P(
    Faults, RemoteKeysFaultTest,
    ::testing::Values(
        fault_case{"Http500", {.status = 500, .body = "oops"}, "http_error", "HTTP 500"},
        fault_case{"Timeout", {.body = "{}", .delay = 3000ms}, "timeout", "within 500 ms"},
        fault_case{"Garbage", {.body = "\x01\x02garbage"}, "invalid", "not a usable JWK Set"},
        fault_case{"Oversized", {.body = big_body}, "too_large", "exceeds the 4096-byte limit"},
        fault_case{"EmptyKeySet", {.body = R"({"keys":[]})"}, "invalid", "not a usable JWK Set"},
        fault_case{"HtmlPage",
                   {.body = "<html><body>Login</body></html>", .headers = {{"Content-Type", "text/html"}}},
                   "invalid", "Content-Type text/html"},
        fault_case{"TruncatedBody",
                   {.body = R"({"keys":[{"kty":"RSA","n":"abc","e":"AQAB"}]})",
                    .fault_mode = jwks_server::fault::truncate_body},
                   "bad_response", "before the response was complete"},
        fault_case{"ClosedWithoutResponse", {.fault_mode = jwks_server::fault::close_without_response},
                   "bad_response", "before the response was complete"},
        // The server dies mid-body: TCP closed without TLS close_notify, as a crashed process's kernel does.
        fault_case{"TruncatedBodyAbrupt",
                   {.body = R"({"keys":[{"kty":"RSA","n":"abc","e":"AQAB"}]})",
                    .fault_mode = jwks_server::fault::truncate_body, .abrupt_close = true},
                   "bad_response", "before the response was complete"},
        fault_case{"NoUsableKey", {.body = R"({"keys":[{"kty":"oct","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}]})"},
                   "invalid", "none usable for the whitelisted RS256"}),
    [](const ::testing::TestParamInfo<fault_case>& i) { return std::string(i.param.name); });

TEST_F(RemoteKeysTest, RandomKidFloodCausesAtMostOneRefetchPerInterval) {
    // Verifies: 1,000 requests with random unknown kids within ~2 s (8 concurrent clients) are all rejected as
    // unknown_kid and cost at most one refetch (unknown_kid_interval 30 s), counted at the JWKS server.
    jwks_server server({.tls = pki.issue("jwks")});
    server.set_jwks(jwks_path, jwks_of({{0, "k1"}}), "max-age=3600");
    start(config_with(remote(server), R"({"unknown_kid_interval_s": 30})"));
    ASSERT_TRUE(eventually([&] { return status_of(token_for(0, "k1")) == 200; })) << all_log();
    server.reset_counts();

    constexpr int clients = 8;
    constexpr int per_client = 125;
    std::vector<std::string> tokens;
    std::mt19937_64 rng(42);
    for (int i = 0; i < clients * per_client; ++i) tokens.push_back(token_for(0, "rnd-" + std::to_string(rng())));
    std::atomic<int> unknown_kid{0};
    std::atomic<int> other{0};
    const auto t0 = clock_type::now();
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
        threads.emplace_back([&, c] {
            http_connection conn(fx.port());
            for (int i = 0; i < per_client; ++i) {
                const std::string& t = tokens[static_cast<std::size_t>(c * per_client + i)];
                conn.send(make_request("GET", "/api", bearer(t)));
                const auto r = conn.read_response();
                if (r.status == 401 && r.header("WWW-Authenticate").value_or("").find("unknown_kid") != std::string::npos)
                    ++unknown_kid;
                else
                    ++other;
            }
        });
    }
    for (auto& t : threads) t.join();
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - t0);

    EXPECT_EQ(unknown_kid.load(), clients * per_client);
    EXPECT_EQ(other.load(), 0);
    EXPECT_LE(server.count(jwks_path), 1u);
    std::printf("[kid flood] %d requests with random kids in %lld ms -> %zu JWKS fetch(es) at the server\n",
                clients * per_client, static_cast<long long>(took.count()), server.count(jwks_path));
    EXPECT_EQ(status_of(token_for(0, "k1")), 200);
}

struct tls_case {
    const char* name;
    const char* log_fragment;
};

void PrintTo(const tls_case& c, std::ostream* os) { *os << c.name; }

class RemoteKeysTlsTest : public RemoteKeysTest, public ::testing::WithParamInterface<tls_case> {};

TEST_P(RemoteKeysTlsTest, CertificateProblemRefusesTheFetchWithAClearLogLine) {
    // Verifies: a JWKS server whose certificate names another host, comes from an untrusted CA or has expired is
    // refused: no keys (503), and the jwks.fetch line says why.
    const std::string which = GetParam().name;
    const test_pki::leaf leaf = which == "WrongHostname"  ? pki.issue("other", {"DNS:other.example", "IP:10.9.9.9"})
                                : which == "UntrustedCa" ? pki.issue_untrusted("rogue")
                                                         : pki.issue("old", loopback_sans, expired);
    jwks_server server({.tls = leaf});
    server.set_jwks(jwks_path, jwks_of({{0, "k1"}}));
    start(config_with(remote(server), R"({"retry_min_ms": 1000})"));

    const auto line = fx.wait_for_log("result", "tls_error", "jwks.fetch");
    ASSERT_TRUE(line.has_value()) << all_log();
    EXPECT_NE(line->find(GetParam().log_fragment), std::string::npos) << *line;
    EXPECT_EQ(status_of(token_for(0, "k1")), 503);
    EXPECT_EQ(server.count(jwks_path), 0u);
}

INSTANTIATE_TEST_SUITE_P(Certificates, RemoteKeysTlsTest,
                         ::testing::Values(tls_case{"WrongHostname", "refused: IP address mismatch"},
                                           tls_case{"UntrustedCa", "refused: unable to get local issuer certificate"},
                                           tls_case{"Expired", "refused: certificate has expired"}),
                         [](const ::testing::TestParamInfo<tls_case>& i) { return std::string(i.param.name); });

TEST_F(RemoteKeysTest, HostNameIsCheckedAgainstDnsNamesToo) {
    // Verifies: reached as "localhost", the certificate must carry DNS:localhost (SNI sent); one that names
    // only other hosts is refused with a hostname mismatch.
    jwks_server good({.tls = pki.issue("jwks")});
    good.set_jwks(jwks_path, jwks_of({{0, "k1"}}));
    start(config_with(R"("jwks_url": ")" + good.localhost_url(jwks_path) + R"(", "ca_file": ")" +
                      pki.ca_file().string() + "\""));
    EXPECT_TRUE(eventually([&] { return status_of(token_for(0, "k1")) == 200; })) << all_log();
    const auto reqs = good.requests(jwks_path);
    ASSERT_FALSE(reqs.empty());
    EXPECT_EQ(reqs.front().sni, "localhost");
    EXPECT_EQ(fx.stop_proxy(), 0);

    jwks_server bad({.tls = pki.issue("wrong", {"DNS:other.example"})});
    bad.set_jwks(jwks_path, jwks_of({{0, "k1"}}));
    start(config_with(R"("jwks_url": ")" + bad.localhost_url(jwks_path) + R"(", "ca_file": ")" +
                      pki.ca_file().string() + "\""));
    const auto line = fx.wait_for_log("result", "tls_error", "jwks.fetch");
    ASSERT_TRUE(line.has_value()) << all_log();
    EXPECT_NE(line->find("hostname mismatch"), std::string::npos) << *line;
}

TEST_F(RemoteKeysTest, PlainHttpRefusedUnlessOptedInThenWorksWithAWarning) {
    // Verifies: an http:// jwks_url makes serve refuse to start (naming allow_http_jwks); with the opt-in it
    // starts, warns, and fetches the keys.
    jwks_server plain;
    plain.set_jwks(jwks_path, jwks_of({{0, "k1"}}));
    const std::string src = R"("jwks_url": ")" + plain.url(jwks_path) + "\"";
    const std::filesystem::path cfg = fx.dir() / "plain.json";
    std::ofstream(cfg) << config_with(src);
    const auto refused = run_process({TOKENGATE_BINARY, "serve", "--config", cfg.string()},
                                     port_env());
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("allow_http_jwks"), std::string::npos) << refused.err;
    EXPECT_EQ(plain.count(jwks_path), 0u);

    start(config_with(src + R"(, "allow_http_jwks": true)"));
    EXPECT_TRUE(fx.wait_for_log("event", "config.warning").has_value());
    EXPECT_NE(all_log().find("plain-HTTP JWKS"), std::string::npos) << all_log();
    EXPECT_TRUE(eventually([&] { return status_of(token_for(0, "k1")) == 200; })) << all_log();
}

TEST_F(RemoteKeysTest, CacheControlMaxAgeSetsTheRefreshWithinBounds) {
    // Verifies: refreshes follow max-age (75–90 % of it), clamped to refresh_max_s and refresh_min_s, observed as
    // request times at the server.
    struct step {
        const char* cache_control;
        double lo_s, hi_s;
    };
    for (const step& s : {step{"max-age=2", 1.4, 2.1}, step{"max-age=100", 0.7, 1.15}, step{"no-cache", 0.7, 1.15}}) {
        SCOPED_TRACE(s.cache_control);
        jwks_server server({.tls = pki.issue("jwks")});
        server.set_jwks(jwks_path, jwks_of({{0, "k1"}}), s.cache_control);
        // "max-age=2" lies inside [1, 3]; 100 is clamped to 3 → but refresh_max 1 for the other steps.
        const std::string bounds = std::string(s.cache_control) == "max-age=2"
                                       ? R"({"refresh_min_s": 1, "refresh_max_s": 3})"
                                       : R"({"refresh_min_s": 1, "refresh_max_s": 1})";
        start(config_with(remote(server), bounds));
        ASSERT_TRUE(eventually([&] { return server.count(jwks_path) >= 3; }, 8000ms)) << all_log();
        const auto times = server.request_times(jwks_path);
        for (std::size_t i = 1; i < 3; ++i) {
            const double gap = std::chrono::duration<double>(times[i] - times[i - 1]).count();
            EXPECT_GE(gap, s.lo_s) << "fetch " << i;
            EXPECT_LE(gap, s.hi_s) << "fetch " << i;
        }
        EXPECT_EQ(fx.stop_proxy(), 0);
    }
}

TEST_F(RemoteKeysTest, OidcDiscoveryFindsTheJwksAndChecksTheIssuer) {
    // Verifies: discovery fetches {issuer}/.well-known/openid-configuration, follows jwks_uri and accepts tokens;
    // a document naming another issuer is refused with a log line saying so.
    jwks_server server({.tls = pki.issue("idp")});
    const std::string issuer = server.url("/realms/test");
    server.set("/realms/test/.well-known/openid-configuration",
               {.body = R"({"issuer":")" + issuer + R"(","jwks_uri":")" + server.url("/realms/test/certs") + "\"}"});
    server.set_jwks("/realms/test/certs", jwks_of({{0, "k1"}}));
    start(config_with(R"("discovery": true, "ca_file": ")" + pki.ca_file().string() + "\"", "", issuer));

    EXPECT_TRUE(eventually([&] { return status_of(token_for(0, "k1", issuer)) == 200; })) << all_log();
    EXPECT_EQ(server.count("/realms/test/.well-known/openid-configuration"), 1u);
    EXPECT_EQ(fx.stop_proxy(), 0);

    server.set("/realms/test/.well-known/openid-configuration",
               {.body = R"({"issuer":")" + issuer + R"(/","jwks_uri":")" + server.url("/realms/test/certs") + "\"}"});
    start(config_with(R"("discovery": true, "ca_file": ")" + pki.ca_file().string() + "\"", "", issuer));
    const auto line = fx.wait_for_log("result", "invalid", "jwks.fetch");
    ASSERT_TRUE(line.has_value()) << all_log();
    EXPECT_NE(line->find("ends with a slash"), std::string::npos) << *line;
}

TEST_F(RemoteKeysTest, ReloadKeepsFetchedKeysForAnUnchangedSource) {
    // Verifies: SIGHUP with the same remote source keeps the fetched keys (tokens pass even with the JWKS server
    // down) instead of starting over at 503.
    jwks_server server({.tls = pki.issue("jwks")});
    server.set_jwks(jwks_path, jwks_of({{0, "k1"}}), "max-age=3600");
    start(config_with(remote(server), R"({"refresh_min_s": 60})"));
    const std::string token = token_for(0, "k1");
    ASSERT_TRUE(eventually([&] { return status_of(token) == 200; })) << all_log();
    server.down();

    ::kill(fx.proxy().pid(), SIGHUP);
    ASSERT_TRUE(fx.wait_for_log("message", "configuration reloaded", "config.reload").has_value()) << all_log();
    EXPECT_EQ(status_of(token), 200);
    EXPECT_EQ(get(fx.admin_port(), "/readyz").status, 200);
}

TEST_F(RemoteKeysTest, LocalKeyFileIsRereadOnSighupAndABrokenOneKeepsTheOldKeys) {
    // Verifies: SIGHUP re-reads a jwks_file: a new key works after the reload; a broken file refuses the reload
    // (logged) and the keys in use keep working.
    const std::filesystem::path keys = fx.dir() / "local.json";
    std::ofstream(keys) << jwks_of({{0, "k1"}});
    start(config_with(R"("jwks_file": ")" + keys.string() + "\""));
    ASSERT_EQ(status_of(token_for(0, "k1")), 200);
    ASSERT_EQ(status_of(token_for(1, "k2")), 401);

    std::ofstream(keys, std::ios::trunc) << jwks_of({{0, "k1"}, {1, "k2"}});
    ::kill(fx.proxy().pid(), SIGHUP);
    ASSERT_TRUE(fx.wait_for_log("message", "configuration reloaded", "config.reload").has_value()) << all_log();
    EXPECT_EQ(status_of(token_for(1, "k2")), 200);

    std::ofstream(keys, std::ios::trunc) << "{\"keys\": [";
    ::kill(fx.proxy().pid(), SIGHUP);
    const auto refused = fx.wait_for_log("level", "error", "config.reload");
    ASSERT_TRUE(refused.has_value()) << all_log();
    EXPECT_NE(refused->find("local.json"), std::string::npos) << *refused;
    EXPECT_EQ(status_of(token_for(0, "k1")), 200);
    EXPECT_EQ(status_of(token_for(1, "k2")), 200);
}

TEST_F(RemoteKeysTest, ExplainFetchesAJwksUrlAndAConfigsRemoteKeys) {
    // Verifies: `explain --jwks URL --ca-file` and `explain --config FILE --provider` use the proxy's fetcher:
    // verified over TLS with the test CA, refused without it.
    jwks_server server({.tls = pki.issue("jwks")});
    server.set_jwks(jwks_path, jwks_of({{0, "k1"}}));
    const std::string token = token_for(0, "k1");

    const auto ok = run_process({TOKENGATE_BINARY, "explain", token, "--jwks", server.url(jwks_path), "--ca-file",
                                 pki.ca_file().string(), "--issuer", std::string(fixture_issuer), "--audience", "api"});
    EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
    EXPECT_NE(ok.out.find("ACCEPTED"), std::string::npos) << ok.out;

    const auto untrusted = run_process({TOKENGATE_BINARY, "explain", token, "--jwks", server.url(jwks_path)});
    EXPECT_EQ(untrusted.exit_code, 2);
    EXPECT_NE(untrusted.err.find("certificate of 127.0.0.1:"), std::string::npos) << untrusted.err;

    const std::filesystem::path cfg = fx.dir() / "explain.json";
    std::ofstream(cfg) << config_with(remote(server));
    const auto from_config = run_process({TOKENGATE_BINARY, "explain", token, "--config", cfg.string(), "--provider", "idp"},
                                         port_env());
    EXPECT_EQ(from_config.exit_code, 0) << from_config.out << from_config.err;
    EXPECT_NE(from_config.out.find("keys fetched from " + server.url(jwks_path)), std::string::npos) << from_config.out;

    const auto mixed = run_process({TOKENGATE_BINARY, "explain", token, "--config", cfg.string(), "--issuer", "x"},
                                   port_env());
    EXPECT_EQ(mixed.exit_code, 2);
    EXPECT_NE(mixed.err.find("--issuer cannot be combined with --config"), std::string::npos) << mixed.err;
}

}  // namespace
}  // namespace tokengate::test
