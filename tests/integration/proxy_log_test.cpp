// Runs the real `tokengate serve` and reads what it writes to stdout: the access log
// (auth.accept with status and latency), the sub policies, paths without query strings,
// the per-reason rate limit and its "suppressed" report, the text format, and that every
// line is out when the process has exited.
#include "support/http_client.hpp"
#include "support/proxy_fixture.hpp"

#include "tokengate/crypto/digest.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <string>
#include <vector>

namespace tokengate::test {
namespace {

using std::chrono::milliseconds;

const std::string routes = R"(,
  "routes": [{"path": "/public/", "match": "prefix", "auth": "none"}],
  "forward_auth": {"enabled": true, "path": "/auth"})";

std::string bearer(const std::string& token) { return "Bearer " + token; }

header_list with_id(header_list h, const std::string& id) {
    h.emplace_back("X-Request-Id", id);
    return h;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string all;
    for (const auto& l : lines) all += l + "\n";
    return all;
}

class ProxyLogTest : public ::testing::Test {
protected:
    void TearDown() override {
        if (fx.proxy_running()) {
            EXPECT_EQ(fx.stop_proxy(), 0) << fx.proxy().err_text();
        }
    }

    void start(std::string_view log_section) {
        fx.start_echo();
        fx.start_proxy(fx.config(fx.echo_port(), routes + ",\n  \"log\": " + std::string(log_section)));
    }

    // Every line logged before a marker rejection: lines leave the queue in order, so
    // once the marker's line is read, everything logged before it has been read too.
    std::vector<std::string> lines_until_marker(const std::string& marker) {
        EXPECT_EQ(get(fx.port(), "/marker", {{"X-Request-Id", marker}}).status, 401);
        EXPECT_TRUE(fx.wait_for_log("request_id", marker, "auth.reject").has_value()) << joined(fx.log_lines());
        return fx.log_lines();
    }

    std::vector<std::string> events(const std::vector<std::string>& lines, std::string_view event) {
        std::vector<std::string> out;
        for (const auto& l : lines) {
            if (json_field(l, {"event"}) == event) out.push_back(l);
        }
        return out;
    }

    // Rewrites config.json with another log section and reloads it (SIGHUP).
    void reload_with(std::string_view log_section) {
        std::ofstream(fx.dir() / "config.json")
            << fx.config(fx.echo_port(), routes + ",\n  \"log\": " + std::string(log_section));
        const std::size_t before = events(fx.log_lines(), "config.reload").size();
        ::kill(fx.proxy().pid(), SIGHUP);
        ASSERT_GT(fx.wait_for_count("config.reload", before + 1), before) << joined(fx.log_lines());
    }

    proxy_fixture fx{TOKENGATE_BINARY};
};

TEST_F(ProxyLogTest, AccessLogIsOffByDefault) {
    // Verifies: without "access_log", an accepted request writes no auth.accept line.
    start("{}");

    ASSERT_EQ(get(fx.port(), "/api/orders", {{"Authorization", bearer(rsa_token(good_claims()))}}).status, 200);
    const auto lines = lines_until_marker("marker-1");

    EXPECT_TRUE(events(lines, "auth.accept").empty()) << joined(lines);
}

TEST_F(ProxyLogTest, AccessLineHasStatusLatencyAndEvidenceButNoQuery) {
    // Verifies: auth.accept carries request context, the final status, latency_ms and the token's evidence; path has no query.
    start(R"({"access_log": true})");
    const std::string token = rsa_token(good_claims("user-42"));

    const auto r = get(fx.port(), "/api/orders?page=2&access_token=zzq", with_id({{"Authorization", bearer(token)}}, "acc-1"));
    ASSERT_EQ(r.status, 200);
    const auto line = fx.wait_for_log("request_id", "acc-1", "auth.accept");

    ASSERT_TRUE(line.has_value()) << joined(fx.log_lines());
    EXPECT_EQ(json_field(*line, {"level"}), "info");
    EXPECT_EQ(json_field(*line, {"method"}), "GET");
    EXPECT_EQ(json_field(*line, {"path"}), "/api/orders");
    EXPECT_EQ(json_field(*line, {"client"}), "127.0.0.1");
    EXPECT_EQ(json_field(*line, {"status"}), "200");
    EXPECT_EQ(json_field(*line, {"provider"}), "rsa");
    EXPECT_EQ(json_field(*line, {"sub"}), "user-42");
    EXPECT_EQ(json_field(*line, {"kid"}), "k1");
    EXPECT_EQ(json_field(*line, {"token_fp"}), crypto::token_fingerprint(token));
    EXPECT_NE(line->find("\"latency_ms\":"), std::string::npos) << *line;
    EXPECT_EQ(line->find("zzq"), std::string::npos) << *line;
    EXPECT_EQ(line->find(token), std::string::npos) << *line;
}

TEST_F(ProxyLogTest, AccessLineLatencyCoversTheUpstreamTime) {
    // Verifies: latency_ms runs to the end of the response: a 300 ms upstream shows at least 300 ms.
    start(R"({"access_log": true})");

    ASSERT_EQ(get(fx.port(), "/slow?ms=300", with_id({{"Authorization", bearer(rsa_token(good_claims()))}}, "lat-1")).status,
              200);
    const auto line = fx.wait_for_log("request_id", "lat-1", "auth.accept");

    ASSERT_TRUE(line.has_value()) << joined(fx.log_lines());
    const auto at = line->find("\"latency_ms\":");
    ASSERT_NE(at, std::string::npos) << *line;
    const double ms = std::stod(line->substr(at + 13));
    EXPECT_GE(ms, 300.0) << *line;
    EXPECT_LT(ms, 5000.0) << *line;
}

TEST_F(ProxyLogTest, AccessLineForUpstreamErrorAndForwardAuth) {
    // Verifies: an accepted request whose upstream is down logs auth.accept with 502 (and upstream.error, both without
    // the query); a forward-auth 200 logs auth.accept with the original path.
    const std::uint16_t closed = pick_free_port();
    fx.start_proxy(fx.config(closed, routes + R"(, "log": {"access_log": true})"));
    const std::string token = rsa_token(good_claims());

    EXPECT_EQ(get(fx.port(), "/api/x?q=1", with_id({{"Authorization", bearer(token)}}, "down-1")).status, 502);
    EXPECT_EQ(get(fx.port(), "/auth", with_id({{"Authorization", bearer(token)}, {"X-Original-URI", "/orders/7?secret=abc"}},
                                              "fa-1"))
                  .status,
              200);
    const auto down = fx.wait_for_log("request_id", "down-1", "auth.accept");
    const auto fa = fx.wait_for_log("request_id", "fa-1", "auth.accept");

    const auto error = fx.wait_for_log("request_id", "down-1", "upstream.error");
    ASSERT_TRUE(down.has_value()) << joined(fx.log_lines());
    EXPECT_EQ(json_field(*down, {"status"}), "502");
    EXPECT_EQ(json_field(*down, {"path"}), "/api/x");
    ASSERT_TRUE(error.has_value()) << joined(fx.log_lines());
    EXPECT_EQ(json_field(*error, {"path"}), "/api/x") << "the upstream.error line drops the query too";
    ASSERT_TRUE(fa.has_value()) << joined(fx.log_lines());
    EXPECT_EQ(json_field(*fa, {"status"}), "200");
    EXPECT_EQ(json_field(*fa, {"path"}), "/orders/7");
}

TEST_F(ProxyLogTest, AccessLogSampleZeroLogsNothingAndOneLogsAll) {
    // Verifies: access_log_sample 0 writes no access lines; after a reload to 1, every accepted request gets one.
    start(R"({"access_log": true, "access_log_sample": 0})");
    const header_list auth = {{"Authorization", bearer(rsa_token(good_claims()))}};
    for (int i = 0; i < 10; ++i) ASSERT_EQ(get(fx.port(), "/api/a", auth).status, 200);
    EXPECT_TRUE(events(lines_until_marker("marker-0"), "auth.accept").empty());

    reload_with(R"({"access_log": true, "access_log_sample": 1})");
    for (int i = 0; i < 10; ++i) ASSERT_EQ(get(fx.port(), "/api/b", auth).status, 200);

    EXPECT_EQ(events(lines_until_marker("marker-1"), "auth.accept").size(), 10U);
}

TEST_F(ProxyLogTest, SubPoliciesPlainHashOmitApplyAndReload) {
    // Verifies: sub is written as is, as the first 16 hex of its SHA-256, or not at all — switched by SIGHUP.
    start(R"({"sub": "hash"})");
    // {"iss":"https://issuer.test/","aud":"other-api","sub":"alice@example.com",…}: rejected as bad_audience
    const std::string claims = R"({"iss":"https://issuer.test/","aud":"other-api","sub":"alice@example.com","iat":)" +
                               std::to_string(unix_now()) + R"(,"exp":)" + std::to_string(unix_now() + 600) + "}";
    const header_list auth = {{"Authorization", bearer(rsa_token(claims))}};
    const auto sub_of = [&](const std::string& id) {
        EXPECT_EQ(get(fx.port(), "/api/x", with_id(auth, id)).status, 401);
        const auto line = fx.wait_for_log("request_id", id, "auth.reject");
        EXPECT_TRUE(line.has_value()) << joined(fx.log_lines());
        EXPECT_EQ(json_field(line.value_or(""), {"reason"}), "bad_audience");
        return line ? json_field(*line, {"sub"}) : std::optional<std::string>("<no line>");
    };

    const auto hashed = sub_of("sub-hash");
    reload_with(R"({"sub": "omit"})");
    const auto omitted = sub_of("sub-omit");
    reload_with(R"({"sub": "plain"})");
    const auto plain = sub_of("sub-plain");

    EXPECT_EQ(hashed, crypto::to_hex(crypto::sha256("alice@example.com")).substr(0, 16));
    EXPECT_EQ(omitted, std::nullopt);
    EXPECT_EQ(plain, "alice@example.com");
}

TEST_F(ProxyLogTest, PathNeverCarriesTheQueryString) {
    // Verifies: rejection, refused-path, upstream-error and forward-auth lines log the path without its query.
    recording_upstream upstream;
    fx.start_proxy(fx.config(upstream.port(), routes));
    const std::string q = "access_token=QUERYSECRET123";

    EXPECT_EQ(get(fx.port(), "/api/x?" + q, {{"X-Request-Id", "q-reject"}}).status, 401);
    EXPECT_EQ(get(fx.port(), "/a%2Fb?" + q, {{"X-Request-Id", "q-refused"}}).status, 400);
    EXPECT_EQ(get(fx.port(), "/auth", {{"X-Request-Id", "q-fa"}, {"X-Original-URI", "/orders?" + q}}).status, 401);
    const auto lines = lines_until_marker("marker-q");

    const auto reject = fx.wait_for_log("request_id", "q-reject", "auth.reject");
    const auto refused = fx.wait_for_log("request_id", "q-refused", "request.refused");
    const auto fa = fx.wait_for_log("request_id", "q-fa", "auth.reject");
    ASSERT_TRUE(reject && refused && fa) << joined(lines);
    EXPECT_EQ(json_field(*reject, {"path"}), "/api/x");
    EXPECT_EQ(json_field(*fa, {"path"}), "/orders");
    EXPECT_EQ(json_field(*refused, {"path"}), "");
    EXPECT_EQ(joined(lines).find("QUERYSECRET123"), std::string::npos) << joined(lines);
}

TEST_F(ProxyLogTest, FloodIsRateLimitedAndReportedWithoutFurtherTraffic) {
    // Verifies: 80 rejections of one reason give at most 20 lines per second; the rest arrive as a suppressed count
    // even though nothing else is sent afterwards, and lines + suppressed = 80 exactly.
    start("{}");
    http_connection c(fx.port());
    for (int i = 0; i < 80; ++i) {
        c.send(make_request("GET", "/api/flood"));
        ASSERT_EQ(c.read_response().status, 401);
    }

    // Nothing more is sent: the report has to come from the proxy's own timer.
    const std::size_t reports = fx.wait_for_count("auth.reject.suppressed", 1, milliseconds(4000));
    ASSERT_GE(reports, 1U) << joined(fx.log_lines());
    // A flood spread over two windows is reported twice; wait for the second report's window to close too.
    (void)fx.wait_for_count("auth.reject.suppressed", 2, milliseconds(1500));

    std::size_t lines = 0;
    std::uint64_t suppressed = 0;
    for (const auto& l : fx.log_lines()) {
        if (json_field(l, {"event"}) == "auth.reject" && json_field(l, {"path"}) == "/api/flood") ++lines;
        if (json_field(l, {"event"}) == "auth.reject.suppressed") {
            EXPECT_EQ(json_field(l, {"reason"}), "missing_token") << l;
            EXPECT_EQ(json_field(l, {"level"}), "warn") << l;
            suppressed += std::stoull(json_field(l, {"suppressed"}).value_or("0"));
        }
    }
    EXPECT_LE(lines, 60U);
    EXPECT_EQ(lines + suppressed, 80U) << joined(fx.log_lines());
    const auto metrics = get(fx.admin_port(), "/metrics");
    EXPECT_NE(metrics.body.find("tokengate_log_lines_dropped_total{cause=\"rate_limited\"} " + std::to_string(suppressed)),
              std::string::npos)
        << metrics.body;
}

TEST_F(ProxyLogTest, TextFormatAfterReloadKeepsFieldsOnOneLine) {
    // Verifies: "format": "text" (applied by SIGHUP, from the reload's own line on) writes "ts level event key=value…".
    start("{}");
    std::ofstream(fx.dir() / "config.json") << fx.config(fx.echo_port(), routes + R"(, "log": {"format": "text"})");
    ::kill(fx.proxy().pid(), SIGHUP);
    const auto reloaded = fx.proxy().wait_for_line(" config.reload ", milliseconds(5000));
    ASSERT_TRUE(reloaded.has_value()) << joined(fx.log_lines());

    ASSERT_EQ(get(fx.port(), "/api/t", {{"X-Request-Id", "text-1"}}).status, 401);
    const auto line = fx.proxy().wait_for_line("request_id=text-1", milliseconds(3000));

    EXPECT_NE(reloaded->find(" info config.reload message=\"configuration reloaded\""), std::string::npos) << *reloaded;
    ASSERT_TRUE(line.has_value());
    EXPECT_NE(line->find(" info auth.reject request_id=text-1 method=GET path=/api/t client=127.0.0.1 status=401 "
                         "reason=missing_token"),
              std::string::npos)
        << *line;
    EXPECT_EQ(line->front(), '2') << "starts with the timestamp: " << *line;
}

TEST_F(ProxyLogTest, EveryLineIsOutWhenTheProcessHasExited) {
    // Verifies: lines logged right before SIGTERM are all on stdout once the proxy exited, proxy.stop last.
    start("{}");
    for (int i = 0; i < 15; ++i)
        ASSERT_EQ(get(fx.port(), "/api/bye", {{"X-Request-Id", "bye-" + std::to_string(i)}}).status, 401);

    ASSERT_EQ(fx.stop_proxy(), 0) << fx.proxy().err_text();
    ASSERT_EQ(fx.wait_for_count("proxy.stop", 1), 1U) << joined(fx.log_lines());
    const auto lines = fx.log_lines();

    for (int i = 0; i < 15; ++i) {
        const std::string id = "bye-" + std::to_string(i);
        EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [&](const std::string& l) {
            return json_field(l, {"request_id"}) == id;
        })) << id;
    }
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(json_field(lines.back(), {"event"}), "proxy.stop") << joined(lines);
}

}  // namespace
}  // namespace tokengate::test
