// Resource exhaustion beyond ProxyHttpTest's single slowloris, slow body and
// max_connections tests: a crowd of slowloris clients, request bodies the proxy must not
// wait for, and a connection flood up to and past max_connections — after each, the proxy
// serves as before. (Random-kid floods: RemoteKeysTest.RandomKidFloodCausesAtMostOneRefetchPerInterval.)
#include "attack_fixture.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace tokengate::test {
namespace {

using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

header_list bearer() { return {{"Authorization", "Bearer " + rsa_token(good_claims())}}; }

// The value of an unlabelled sample in a Prometheus text page, or -1.
long long sample(const std::string& page, std::string_view name) {
    const std::string prefix = "\n" + std::string(name) + " ";
    const auto at = page.find(prefix);
    return at == std::string::npos ? -1 : std::stoll(page.substr(at + prefix.size()));
}

// Polls `done` until it holds or the deadline passes.
template <class F>
bool eventually(F done, milliseconds timeout = milliseconds(5000)) {
    const auto deadline = steady::now() + timeout;
    while (!done()) {
        if (steady::now() > deadline) return false;
        std::this_thread::sleep_for(milliseconds(20));
    }
    return true;
}

using ExhaustionTest = AttackTest;

TEST_F(ExhaustionTest, SlowlorisCrowdIsCutOffWhileOthersAreServed) {
    // Verifies: 60 clients each holding half a header are all closed once header_timeout_ms (600 ms) has passed,
    // valid requests are answered promptly meanwhile, and no slow client reaches the upstream.
    start(R"(, "limits": {"header_timeout_ms": 600})");
    std::vector<std::unique_ptr<http_connection>> slow;
    for (int i = 0; i < 60; ++i) {
        slow.push_back(std::make_unique<http_connection>(fx.port()));
        slow.back()->send("GET /api/x HTTP/1.1\r\nHost: x\r\nX-Slow-" + std::to_string(i) + ": ");
    }
    const auto start_time = steady::now();

    for (int i = 0; i < 5; ++i) {
        const auto t0 = steady::now();
        EXPECT_EQ(get(fx.port(), "/api/served", bearer()).status, 200);
        EXPECT_LT(steady::now() - t0, milliseconds(500));
    }
    for (auto& c : slow) EXPECT_TRUE(c->wait_closed(milliseconds(3000)));

    EXPECT_LT(steady::now() - start_time, milliseconds(3000));
    const auto heads = upstream->heads();
    EXPECT_EQ(heads.size(), 5u);
    for (const auto& h : heads) EXPECT_EQ(h.find("X-Slow"), std::string::npos) << h;
}

TEST_F(ExhaustionTest, UnauthenticatedBodiesAreNotWaitedFor) {
    // Verifies: a request without a token announcing a 10 GB body (or a chunked one) that never sends it gets its
    // 401 at once and the connection closes: an anonymous client cannot make the proxy hold a body open.
    start();
    for (const char* framing : {"Content-Length: 10000000000\r\n", "Transfer-Encoding: chunked\r\n"}) {
        http_connection c(fx.port());
        const auto t0 = steady::now();
        c.send(std::string("POST /api/upload HTTP/1.1\r\nHost: x\r\n") + framing + "\r\n");

        const auto r = c.read_response(milliseconds(2000));

        EXPECT_EQ(r.status, 401);
        EXPECT_EQ(json_field(r.body, {"reason"}), "missing_token");
        EXPECT_TRUE(c.wait_closed(milliseconds(1000)));
        EXPECT_LT(steady::now() - t0, milliseconds(1000));
    }
    expect_upstream_untouched();
}

TEST_F(ExhaustionTest, BodiesPastMaxBodyBytesGet413) {
    // Verifies: with max_body_bytes 40000, a declared Content-Length of 40001 gets 413 (error
    // content_too_large, a request.refused line with status 413) before any body byte is read and
    // the upstream sees nothing; a chunked body over the limit within its first piece gets 413 with
    // the upstream untouched; one that passes the limit later (after the first 32 KiB went
    // upstream) still gets 413 and a closed connection; a body of exactly the limit is forwarded.
    start(R"(, "limits": {"max_body_bytes": 40000})");
    const std::string head =
        "POST /api/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + rsa_token(good_claims()) + "\r\n";
    const auto chunk = [](std::size_t n) {
        std::ostringstream hex;
        hex << std::hex << n;
        return hex.str() + "\r\n" + std::string(n, 'b') + "\r\n";
    };

    {
        http_connection c(fx.port());
        c.send(head + "Content-Length: 40001\r\n\r\n");  // no body sent: the answer must not wait for it
        const auto r = c.read_response(milliseconds(2000));
        expect_refused(r, 413);
        EXPECT_EQ(json_field(r.body, {"error"}), "content_too_large");
        EXPECT_TRUE(c.wait_closed(milliseconds(1000)));
    }
    {
        http_connection c(fx.port());
        c.send(head + "Transfer-Encoding: chunked\r\n\r\n" + chunk(40001) + "0\r\n\r\n");
        const auto r = c.read_response(milliseconds(2000));
        expect_refused(r, 413);
        EXPECT_TRUE(c.wait_closed(milliseconds(1000)));
    }
    expect_upstream_untouched();

    {
        http_connection c(fx.port());
        c.send(head + "Transfer-Encoding: chunked\r\n\r\n" + chunk(30000));
        c.send(chunk(30000) + "0\r\n\r\n");
        const auto r = c.read_response(milliseconds(3000));
        expect_refused(r, 413);
        EXPECT_TRUE(c.wait_closed(milliseconds(1000)));
    }
    {
        http_connection c(fx.port());
        c.send(head + "Content-Length: 40000\r\n\r\n" + std::string(40000, 'b'));
        const auto r = c.read_response(milliseconds(3000));
        EXPECT_EQ(r.status, 200) << r.body;
    }
    EXPECT_EQ(upstream->answered(), 1u);
}

TEST_F(ExhaustionTest, ConnectionFloodPastMaxConnectionsThenServesAsBefore) {
    // Verifies: with max_connections 40, a flood of 40 idle connections plus 40 more: the extra ones are closed at
    // once, the admin listener still answers, and once the flood ends open connections return to 0 and requests
    // are served as before.
    start(R"(, "limits": {"max_connections": 40})");
    std::vector<std::unique_ptr<http_connection>> held;
    for (int i = 0; i < 40; ++i) held.push_back(std::make_unique<http_connection>(fx.port()));
    ASSERT_TRUE(eventually([&] { return sample(get(fx.admin_port(), "/metrics").body, "tokengate_open_connections") == 40; }))
        << get(fx.admin_port(), "/metrics").body;

    std::size_t refused = 0;
    for (int i = 0; i < 40; ++i) {
        http_connection extra(fx.port());
        if (extra.wait_closed(milliseconds(1000))) ++refused;
    }
    const auto health = get(fx.admin_port(), "/healthz");
    held.clear();

    EXPECT_EQ(refused, 40u);
    EXPECT_EQ(health.status, 200);
    EXPECT_TRUE(eventually([&] { return sample(get(fx.admin_port(), "/metrics").body, "tokengate_open_connections") == 0; }));
    for (int i = 0; i < 20; ++i) EXPECT_EQ(get(fx.port(), "/api/after", bearer()).status, 200);
    EXPECT_EQ(upstream->answered(), 20u);
}

TEST_F(ExhaustionTest, RejectionFloodDoesNotFloodTheLog) {
    // Verifies: 300 rejections of one reason sent back to back are all answered 401, but write at most 20
    // auth.reject lines per second of the burst; the rest are counted in an auth.reject.suppressed line.
    start();
    const std::string forged = rsa_token(good_claims(), R"({"alg":"RS256","kid":"k1","typ":"JWT"})", 1);
    http_connection c(fx.port());
    int answered = 0;
    const auto t0 = steady::now();
    for (int i = 0; i < 300; ++i) {
        c.send(make_request("GET", "/api/x", {{"Authorization", "Bearer " + forged}, {"X-Request-Id", "flood-" + std::to_string(i)}}));
        answered += c.read_response().status == 401 ? 1 : 0;
    }
    const auto burst = std::chrono::duration_cast<std::chrono::seconds>(steady::now() - t0).count();
    // The count is reported when a later rejection of that reason opens a new second.
    std::optional<std::string> report;
    const auto deadline = steady::now() + milliseconds(5000);
    while (!report && steady::now() < deadline) {
        http_connection probe(fx.port());
        probe.send(make_request("GET", "/api/x", {{"Authorization", "Bearer " + forged}}));
        (void)probe.read_response();
        report = fx.wait_for_log("event", "auth.reject.suppressed", {}, milliseconds(200));
    }
    ASSERT_TRUE(report.has_value()) << "no auth.reject.suppressed line";
    const auto& lines = fx.log_lines();
    const auto logged = std::count_if(lines.begin(), lines.end(), [](const std::string& l) {
        return json_field(l, {"event"}) == "auth.reject" && json_field(l, {"request_id"}).value_or("").rfind("flood-", 0) == 0;
    });

    EXPECT_EQ(answered, 300);
    EXPECT_EQ(json_field(*report, {"reason"}), "bad_signature") << *report;
    EXPECT_GT(std::stoll(json_field(*report, {"suppressed"}).value_or("0")), 0) << *report;
    EXPECT_LE(logged, 20 * (burst + 2)) << "burst of " << burst << " s";
    expect_upstream_untouched();
}

}  // namespace
}  // namespace tokengate::test
