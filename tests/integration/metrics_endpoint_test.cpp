// Scrapes /metrics of the real `tokengate serve` after known traffic and reads it with the
// reference Prometheus parser (python3-prometheus-client, tests/tools/prometheus_summary.py):
// families and types, exact counts per outcome, reason, provider and route, histogram
// counts, the token cache, reloads, and the rate-limited clock.drift warning.
#include "support/http_client.hpp"
#include "support/jwks_server.hpp"
#include "support/proxy_fixture.hpp"
#include "support/test_keys.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace tokengate::test {
namespace {

const std::string public_route = R"(,
  "routes": [{"path": "/public/", "match": "prefix", "auth": "none"}])";

std::string bearer(const std::string& token) { return "Bearer " + token; }

// The canonical summary of one scrape: family → type, and series → value.
struct scrape {
    std::map<std::string, std::string> types;
    std::map<std::string, std::string> values;

    std::string value(const std::string& series) const {
        const auto it = values.find(series);
        return it == values.end() ? "<absent>" : it->second;
    }
    // Every series of a sample name (e.g. all tokengate_requests_total lines).
    std::map<std::string, std::string> series_of(const std::string& name) const {
        std::map<std::string, std::string> out;
        for (const auto& [k, v] : values) {
            if (k.rfind(name + "{", 0) == 0) out.emplace(k, v);
        }
        return out;
    }
};

std::string requests(const std::string& outcome, const std::string& reason, const std::string& provider,
                     const std::string& route) {
    return "tokengate_requests_total{outcome=\"" + outcome + "\",provider=\"" + provider + "\",reason=\"" + reason +
           "\",route=\"" + route + "\"}";
}

class MetricsEndpointTest : public ::testing::Test {
protected:
    void TearDown() override {
        if (fx.proxy_running()) {
            EXPECT_EQ(fx.stop_proxy(), 0) << fx.proxy().err_text();
        }
    }

    // GET /metrics on the admin port, parsed by the Python reference parser.
    scrape scrape_metrics() {
        const auto r = get(fx.admin_port(), "/metrics");
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
        process_options opts;
        opts.stdin_data = r.body;
        const process_result parsed =
            run_process({TOKENGATE_PYTHON, std::string(TOKENGATE_SOURCE_DIR) + "/tests/tools/prometheus_summary.py"}, opts);
        EXPECT_EQ(parsed.exit_code, 0) << parsed.err << "\n--- exposition:\n" << r.body;
        scrape s;
        std::size_t start = 0;
        while (start < parsed.out.size()) {
            const std::size_t end = std::min(parsed.out.find('\n', start), parsed.out.size());
            const std::string line = parsed.out.substr(start, end - start);
            start = end + 1;
            const auto space = line.rfind(' ');
            if (line.rfind("family ", 0) == 0) s.types.emplace(line.substr(7, space - 7), line.substr(space + 1));
            else if (space != std::string::npos) s.values.emplace(line.substr(0, space), line.substr(space + 1));
        }
        return s;
    }

    int status_of(const std::string& target, const header_list& headers = {}) {
        return get(fx.port(), target, headers).status;
    }

    proxy_fixture fx{TOKENGATE_BINARY};
};

std::string hmac_claims() {
    const std::int64_t now = unix_now();
    return R"({"iss":")" + std::string(fixture_hmac_issuer) + R"(","aud":"api","sub":"svc","iat":)" +
           std::to_string(now - 5) + R"(,"exp":)" + std::to_string(now + 300) + "}";
}

std::string claims_with_audience(const std::string& aud) {
    const std::int64_t now = unix_now();
    return R"({"iss":")" + std::string(fixture_issuer) + R"(","aud":")" + aud + R"(","sub":"u","iat":)" +
           std::to_string(now - 5) + R"(,"exp":)" + std::to_string(now + 300) + "}";
}

std::string expired_claims() {
    const std::int64_t now = unix_now();
    return R"({"iss":")" + std::string(fixture_issuer) + R"(","aud":"api","sub":"u","iat":)" +
           std::to_string(now - 3600) + R"(,"exp":)" + std::to_string(now - 600) + "}";
}

TEST_F(MetricsEndpointTest, CountsEachOutcomeReasonProviderAndRouteExactly) {
    // Verifies: after accepted (two providers), rejected (three reasons), anonymous and
    // malformed requests, /metrics parses with the reference parser and holds exactly
    // those counts, with every family typed as declared.
    // Setup
    fx.start_echo();
    fx.start_proxy(fx.config(fx.echo_port(), public_route));
    const std::string token = rsa_token(good_claims("user-1"));
    const std::string wrong_audience = rsa_token(claims_with_audience("other-api"));

    // Act: the same token twice on one connection (one worker: a cache miss, then a hit)
    http_connection c(fx.port());
    for (int i = 0; i < 2; ++i) {
        c.send(make_request("GET", "/api/orders", {{"Authorization", bearer(token)}}));
        ASSERT_EQ(c.read_response().status, 200);
    }
    ASSERT_EQ(status_of("/api/orders", {{"Authorization", bearer(hmac_token(hmac_claims()))}}), 200);
    ASSERT_EQ(status_of("/api/orders"), 401);
    ASSERT_EQ(status_of("/api/orders", {{"Authorization", bearer(rsa_token(expired_claims()))}}), 401);
    ASSERT_EQ(status_of("/api/orders", {{"Authorization", bearer(rsa_token(expired_claims()))}}), 401);
    ASSERT_EQ(status_of("/api/orders", {{"Authorization", bearer(wrong_audience)}}), 401);
    ASSERT_EQ(status_of("/public/a"), 200);
    ASSERT_EQ(status_of("/public/b"), 200);
    ASSERT_EQ(status_of("/a%2Fb"), 400);
    const scrape s = scrape_metrics();

    // Check: families and types (the parser names counters without _total)
    const std::map<std::string, std::string> types = {
        {"tokengate_requests", "counter"},
        {"tokengate_auth_duration_seconds", "histogram"},
        {"tokengate_upstream_duration_seconds", "histogram"},
        {"tokengate_token_age_seconds", "histogram"},
        {"tokengate_token_cache_hits", "counter"},
        {"tokengate_token_cache_misses", "counter"},
        {"tokengate_token_cache_entries", "gauge"},
        {"tokengate_clock_drift_tokens", "counter"},
        {"tokengate_config_reloads", "counter"},
        {"tokengate_log_lines_dropped", "counter"},
        {"tokengate_jwks_fetches", "counter"},
        {"tokengate_open_connections", "gauge"},
        {"tokengate_provider_keys", "gauge"},
        {"tokengate_provider_keys_age_seconds", "gauge"},
    };
    EXPECT_EQ(s.types, types);
    // Check: one series per (outcome, reason, provider, route) sent, nothing else
    const std::map<std::string, std::string> expected = {
        {requests("accepted", "", "rsa", "default"), "2"},
        {requests("accepted", "", "hmac", "default"), "1"},
        {requests("rejected", "missing_token", "", "default"), "1"},
        {requests("rejected", "expired", "rsa", "default"), "2"},
        {requests("rejected", "bad_audience", "rsa", "default"), "1"},
        {requests("anonymous", "", "", "/public/"), "2"},
        {requests("bad_request", "", "", ""), "1"},
    };
    EXPECT_EQ(s.series_of("tokengate_requests_total"), expected);
    // Check: every auth decision timed (not the 400), every forward timed, accepted tokens aged
    EXPECT_EQ(s.value("tokengate_auth_duration_seconds_count"), "9");
    EXPECT_EQ(s.value("tokengate_auth_duration_seconds_bucket{le=\"+Inf\"}"), "9");
    EXPECT_EQ(s.value("tokengate_upstream_duration_seconds_count"), "5");
    EXPECT_EQ(s.value("tokengate_token_age_seconds_count"), "3");
    // Check: the token cache (lookups for every extracted token; rejections never cached)
    EXPECT_EQ(s.value("tokengate_token_cache_hits_total"), "1");
    EXPECT_EQ(s.value("tokengate_token_cache_misses_total"), "5");
    EXPECT_EQ(s.value("tokengate_token_cache_entries"), "2");
    // Check: keys of local sources have a count and no age; nothing fetched, nothing reloaded
    EXPECT_EQ(s.value("tokengate_provider_keys{provider=\"rsa\"}"), "1");
    EXPECT_EQ(s.value("tokengate_provider_keys{provider=\"hmac\"}"), "1");
    EXPECT_TRUE(s.series_of("tokengate_provider_keys_age_seconds").empty());
    EXPECT_TRUE(s.series_of("tokengate_jwks_fetches_total").empty());
    EXPECT_EQ(s.value("tokengate_config_reloads_total{result=\"success\"}"), "0");
    EXPECT_EQ(s.value("tokengate_config_reloads_total{result=\"failure\"}"), "0");
    EXPECT_EQ(s.value("tokengate_clock_drift_tokens_total"), "0");
}

TEST_F(MetricsEndpointTest, UpstreamFailureCountedAsUpstreamError) {
    // Verifies: an authorised request whose upstream refuses the connection counts as
    // upstream_error with its provider and route, and is not timed as an upstream answer.
    fx.start_proxy(fx.config(pick_free_port(), public_route));

    ASSERT_EQ(status_of("/api/x", {{"Authorization", bearer(rsa_token(good_claims()))}}), 502);
    ASSERT_EQ(status_of("/public/x"), 502);
    const scrape s = scrape_metrics();

    const std::map<std::string, std::string> expected = {
        {requests("upstream_error", "", "rsa", "default"), "1"},
        {requests("upstream_error", "", "", "/public/"), "1"},
    };
    EXPECT_EQ(s.series_of("tokengate_requests_total"), expected);
    EXPECT_EQ(s.value("tokengate_upstream_duration_seconds_count"), "0");
}

TEST_F(MetricsEndpointTest, ForwardAuthAnswersCountedWithTheOriginalRoute) {
    // Verifies: forward-auth subrequests count like proxied ones, labelled with the route of
    // the original URI they ask about; the 200 answer is an accepted request, and nothing
    // is timed as an upstream exchange.
    fx.start_proxy(fx.config(pick_free_port(), public_route + R"(,
  "forward_auth": {"enabled": true, "path": "/auth"})"));

    ASSERT_EQ(status_of("/auth", {{"X-Original-URI", "/api/x"}, {"Authorization", bearer(rsa_token(good_claims()))}}),
              200);
    ASSERT_EQ(status_of("/auth", {{"X-Original-URI", "/api/x"}}), 401);
    ASSERT_EQ(status_of("/auth", {{"X-Original-URI", "/public/x"}}), 200);
    const scrape s = scrape_metrics();

    const std::map<std::string, std::string> expected = {
        {requests("accepted", "", "rsa", "default"), "1"},
        {requests("rejected", "missing_token", "", "default"), "1"},
        {requests("anonymous", "", "", "/public/"), "1"},
    };
    EXPECT_EQ(s.series_of("tokengate_requests_total"), expected);
    EXPECT_EQ(s.value("tokengate_auth_duration_seconds_count"), "3");
    EXPECT_EQ(s.value("tokengate_upstream_duration_seconds_count"), "0");
}

TEST_F(MetricsEndpointTest, JwksFetchesCountedByResultWithKeyCountAndAge) {
    // Verifies the remote key metrics: failed and successful fetches counted by provider
    // and result (exactly as many as the JWKS server answered), requests refused while no
    // key had arrived, and the fetched set's key count and age.
    // Setup: a plain-HTTP JWKS server (allowed explicitly) failing with 500 at first
    jwks_server server;
    server.set("/jwks.json", {.status = 500, .body = "{}"});
    fx.start_echo();
    const std::string cfg = R"({
  "listen": "127.0.0.1:${TOKENGATE_TEST_LISTEN_PORT}",
  "admin_listen": "127.0.0.1:${TOKENGATE_TEST_ADMIN_PORT}",
  "upstream": "http://127.0.0.1:)" + std::to_string(fx.echo_port()) + R"(",
  "providers": [{"name": "idp", "issuer": ")" + std::string(fixture_issuer) + R"(", "audiences": ["api"],
    "algorithms": ["RS256"], "jwks_url": ")" + server.url("/jwks.json") + R"(", "allow_http_jwks": true,
    "jwks_cache": {"retry_min_ms": 50, "retry_max_ms": 200}}]
})";

    // Act: a request while the fetches fail, then the server gets its keys and the proxy
    // becomes ready (the refresh after that success is minutes away: the counts hold still)
    fx.start_proxy(cfg, "/healthz");
    ASSERT_TRUE(fx.wait_for_log("result", "http_error", "jwks.fetch").has_value());
    ASSERT_EQ(status_of("/api/x", {{"Authorization", bearer(rsa_token(good_claims()))}}), 503);
    server.set_jwks("/jwks.json", R"({"keys":[)" + jwk_json(rsa_pair(0), "k1") + "]}");
    ASSERT_TRUE(wait_until_ready(fx.admin_port(), startup_timeout, "/readyz"));
    const scrape s = scrape_metrics();

    // Check
    const std::size_t answered = server.count("/jwks.json");
    ASSERT_GE(answered, 2U);
    EXPECT_EQ(s.value("tokengate_jwks_fetches_total{provider=\"idp\",result=\"success\"}"), "1");
    EXPECT_EQ(s.value("tokengate_jwks_fetches_total{provider=\"idp\",result=\"http_error\"}"),
              std::to_string(answered - 1));
    EXPECT_EQ(s.value(requests("rejected", "keys_unavailable", "idp", "default")), "1");
    EXPECT_EQ(s.value("tokengate_provider_keys{provider=\"idp\"}"), "1");
    const std::string age = s.value("tokengate_provider_keys_age_seconds{provider=\"idp\"}");
    ASSERT_NE(age, "<absent>");
    EXPECT_GE(std::stod(age), 0.0);
    EXPECT_LT(std::stod(age), 60.0);
}

TEST_F(MetricsEndpointTest, ReloadsCountedByResultAndCountersSurviveThem) {
    // Verifies: SIGHUP reloads count as success or failure, and request counters keep
    // counting the same series across a reload (labels are interned by name).
    // Setup
    fx.start_echo();
    const std::string cfg = fx.config(fx.echo_port(), public_route);
    fx.start_proxy(cfg);
    const header_list auth = {{"Authorization", bearer(rsa_token(good_claims()))}};
    ASSERT_EQ(status_of("/api/x", auth), 200);

    // Act: reload the same config, then a broken one
    ::kill(fx.proxy().pid(), SIGHUP);
    ASSERT_TRUE(fx.wait_for_log("message", "configuration reloaded", "config.reload").has_value());
    ASSERT_EQ(status_of("/api/x", auth), 200);
    std::ofstream(fx.dir() / "config.json") << "{\"providers\": [}";
    ::kill(fx.proxy().pid(), SIGHUP);
    ASSERT_TRUE(fx.wait_for_log("level", "error", "config.reload").has_value());
    const scrape s = scrape_metrics();

    // Check
    EXPECT_EQ(s.value("tokengate_config_reloads_total{result=\"success\"}"), "1");
    EXPECT_EQ(s.value("tokengate_config_reloads_total{result=\"failure\"}"), "1");
    EXPECT_EQ(s.value(requests("accepted", "", "rsa", "default")), "2");
}

TEST_F(MetricsEndpointTest, TokenIssuedAheadOfClockWarnsOncePerProvider) {
    // Verifies SPEC §8 clock drift: tokens whose iat is 20 s ahead (inside the 30 s leeway)
    // are accepted; the first raises one clock.drift warning naming the provider and the
    // offset, the second is counted but not logged again (rate limit).
    // Setup
    fx.start_echo();
    fx.start_proxy(fx.config(fx.echo_port()));
    const std::int64_t now = unix_now();
    const auto ahead_token = [&](const std::string& sub) {
        return rsa_token(R"({"iss":")" + std::string(fixture_issuer) + R"(","aud":"api","sub":")" + sub +
                         R"(","iat":)" + std::to_string(now + 20) + R"(,"exp":)" + std::to_string(now + 600) + "}");
    };

    // Act: on one connection (one worker), so its log lines come out in request order
    http_connection c(fx.port());
    c.send(make_request("GET", "/api/x", {{"Authorization", bearer(ahead_token("a"))}}));
    ASSERT_EQ(c.read_response().status, 200);
    const auto warning = fx.wait_for_log("event", "clock.drift");
    c.send(make_request("GET", "/api/x", {{"Authorization", bearer(ahead_token("b"))}}));
    ASSERT_EQ(c.read_response().status, 200);
    c.send(make_request("GET", "/api/x", {{"X-Request-Id", "after-drift"}}));
    ASSERT_EQ(c.read_response().status, 401);
    ASSERT_TRUE(fx.wait_for_log("request_id", "after-drift", "auth.reject").has_value());
    const scrape s = scrape_metrics();

    // Check
    ASSERT_TRUE(warning.has_value()) << "no clock.drift line";
    EXPECT_EQ(json_field(*warning, {"level"}), "warn");
    EXPECT_EQ(json_field(*warning, {"provider"}), "rsa");
    EXPECT_EQ(json_field(*warning, {"leeway_s"}), "30");
    const auto offset = json_field(*warning, {"offset_s"});
    ASSERT_TRUE(offset.has_value()) << *warning;
    EXPECT_NEAR(std::stod(*offset), 20.0, 2.0) << *warning;  // the test's clock read and the proxy's differ a little
    EXPECT_NE(warning->find("ahead of this host's clock"), std::string::npos) << *warning;
    int drift_lines = 0;
    for (const auto& l : fx.log_lines()) drift_lines += json_field(l, {"event"}) == "clock.drift" ? 1 : 0;
    EXPECT_EQ(drift_lines, 1);
    EXPECT_EQ(s.value("tokengate_clock_drift_tokens_total"), "2");
    EXPECT_EQ(s.value(requests("accepted", "", "rsa", "default")), "2");
}

}  // namespace
}  // namespace tokengate::test
