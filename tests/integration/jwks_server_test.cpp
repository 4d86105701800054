// Proves the jwks_server test support against an independent HTTP/TLS client, the curl
// binary: certificate trust, expiry and name checks as a real client sees them, plain
// HTTP, and every scripted behaviour (status, headers, delay, faults, down/up, counts).
#include "support/jwks_server.hpp"

#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <poll.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

namespace tokengate::test {
namespace {

using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

const std::string jwks = R"({"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":"AA","y":"AA"}]})";

// curl exit codes (curl(1) "EXIT CODES").
constexpr int curl_couldnt_connect = 7;
constexpr int curl_partial_file = 18;
constexpr int curl_timeout = 28;
constexpr int curl_empty_reply = 52;
constexpr int curl_peer_failed_verification = 60;

// -q first: no ~/.curlrc; --noproxy: an http_proxy in the environment must not reroute loopback.
std::vector<std::string> curl_argv(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"curl", "-q", "--silent", "--show-error", "--include", "--noproxy", "*"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

// One curl run, split into status, head and body (--include puts the head on stdout).
struct curl_result {
    int exit_code = -1;
    int status = 0;
    std::string head;
    std::string body;
    std::string err;
};

curl_result curl(const std::vector<std::string>& args) {
    // A --max-time in args comes later and wins: curl takes the last one given.
    std::vector<std::string> with_deadline{"--max-time", "10"};
    with_deadline.insert(with_deadline.end(), args.begin(), args.end());
    process_options options;
    options.timeout = milliseconds(15'000);
    const process_result p = run_process(curl_argv(with_deadline), options);
    curl_result r{p.exit_code, 0, "", p.out, p.err};
    const auto end = p.out.find("\r\n\r\n");
    if (p.out.rfind("HTTP/", 0) == 0 && end != std::string::npos) {
        r.head = p.out.substr(0, end + 2);
        r.body = p.out.substr(end + 4);
        r.status = std::stoi(p.out.substr(p.out.find(' ') + 1, 3));
    }
    return r;
}

bool has_header(const curl_result& r, const std::string& line) {
    std::string head = r.head;
    std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string want = line + "\r\n";
    std::transform(want.begin(), want.end(), want.begin(), [](unsigned char c) { return std::tolower(c); });
    return head.find(want) != std::string::npos;
}

// Polls cond until it holds; false at the deadline.
bool eventually(const std::function<bool()>& cond, milliseconds timeout = milliseconds(5'000)) {
    const auto deadline = steady::now() + timeout;
    while (!cond()) {
        if (steady::now() >= deadline) return false;
        ::poll(nullptr, 0, 5);
    }
    return true;
}

class JwksServerTest : public ::testing::Test {
protected:
    temp_dir dir_{"tokengate-jwks-server"};
    test_pki pki_ = test_pki::create(dir_.path());
    test_pki::leaf good_ = pki_.issue("server");

    jwks_server::options https() const { return {.tls = good_}; }
    std::vector<std::string> trusting(const std::string& url) const {
        return {"--cacert", pki_.ca_file().string(), url};
    }
};

TEST_F(JwksServerTest, HttpsWithTestCaServesJwks) {
    // curl trusting ca.pem fetches the JWKS over HTTPS from 127.0.0.1, with the scripted headers.
    jwks_server server(https());
    server.set_jwks("/jwks", jwks, "max-age=5");

    const curl_result r = curl(trusting(server.url("/jwks")));

    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, jwks);
    EXPECT_TRUE(has_header(r, "Content-Type: application/json")) << r.head;
    EXPECT_TRUE(has_header(r, "Cache-Control: max-age=5")) << r.head;
    ASSERT_EQ(server.count("/jwks"), 1U);
    const auto req = server.requests("/jwks").front();
    EXPECT_EQ(req.method, "GET");
    EXPECT_EQ(req.target, "/jwks");
    EXPECT_EQ(req.sni, "");  // RFC 6066 §3: no SNI for an IP literal
    EXPECT_EQ(server.url("/jwks"), "https://127.0.0.1:" + std::to_string(server.port()) + "/jwks");
}

TEST_F(JwksServerTest, LocalhostUrlMatchesDnsSanAndRecordsSni) {
    // Via "localhost" the DNS SAN matches and the client's SNI reaches the server.
    jwks_server server(https());
    server.set_jwks("/jwks", jwks);

    const curl_result r = curl(trusting(server.localhost_url("/jwks")));

    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.body, jwks);
    ASSERT_EQ(server.count("/jwks"), 1U);
    EXPECT_EQ(server.requests("/jwks").front().sni, "localhost");
}

TEST_F(JwksServerTest, UntrustedIssuerFailsVerification) {
    // A leaf of the untrusted CA: curl refuses it and the server never sees a request.
    jwks_server server({.tls = pki_.issue_untrusted("rogue")});
    server.set_jwks("/jwks", jwks);

    const curl_result r = curl(trusting(server.url("/jwks")));

    EXPECT_EQ(r.exit_code, curl_peer_failed_verification);
    EXPECT_NE(r.err.find("unable to get local issuer certificate"), std::string::npos) << r.err;
    EXPECT_EQ(server.count("/jwks"), 0U);
    EXPECT_EQ(server.connections(), 1U);
}

TEST_F(JwksServerTest, ExpiredCertificateFailsVerification) {
    // A trusted leaf whose notAfter has passed.
    jwks_server server({.tls = pki_.issue("expired", loopback_sans, expired)});
    server.set_jwks("/jwks", jwks);

    const curl_result r = curl(trusting(server.url("/jwks")));

    EXPECT_EQ(r.exit_code, curl_peer_failed_verification);
    EXPECT_NE(r.err.find("certificate has expired"), std::string::npos) << r.err;
    EXPECT_EQ(server.count("/jwks"), 0U);
}

TEST_F(JwksServerTest, SanMismatchFailsVerification) {
    // A trusted, valid leaf for other names: neither 127.0.0.1 nor localhost matches.
    jwks_server server({.tls = pki_.issue("elsewhere", {"DNS:jwks.example", "IP:10.0.0.1"})});
    server.set_jwks("/jwks", jwks);

    const curl_result by_ip = curl(trusting(server.url("/jwks")));
    const curl_result by_name = curl(trusting(server.localhost_url("/jwks")));

    EXPECT_EQ(by_ip.exit_code, curl_peer_failed_verification);
    EXPECT_NE(by_ip.err.find("'127.0.0.1'"), std::string::npos) << by_ip.err;
    EXPECT_EQ(by_name.exit_code, curl_peer_failed_verification);
    EXPECT_NE(by_name.err.find("'localhost'"), std::string::npos) << by_name.err;
    EXPECT_EQ(server.total_count(), 0U);
}

TEST_F(JwksServerTest, PlainHttpServesJwks) {
    // Without a leaf the server speaks plain HTTP.
    jwks_server server;
    server.set_jwks("/jwks", jwks);

    const curl_result r = curl({server.url("/jwks")});

    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(server.tls());
    EXPECT_EQ(server.url("/jwks").rfind("http://127.0.0.1:", 0), 0U);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, jwks);
    EXPECT_EQ(server.count("/jwks"), 1U);
}

TEST_F(JwksServerTest, CountsAndTimesArePerPathWithoutQuery) {
    // Requests are counted per path (query stripped), in order; unset paths get 404 and
    // count too; reset_counts forgets requests but keeps the scripts.
    jwks_server server(https());
    server.set_jwks("/a", jwks);
    const auto before = steady::now();

    for (int i = 0; i < 3; ++i) ASSERT_EQ(curl(trusting(server.url("/a"))).exit_code, 0);
    const curl_result query = curl(trusting(server.url("/a?round=4")));
    const curl_result unset = curl(trusting(server.url("/nothing")));

    EXPECT_EQ(query.body, jwks);
    EXPECT_EQ(unset.status, 404);
    EXPECT_EQ(server.count("/nothing"), 1U);
    ASSERT_EQ(server.count("/a"), 4U);
    EXPECT_EQ(server.requests("/a").back().target, "/a?round=4");
    const auto times = server.request_times("/a");
    EXPECT_TRUE(std::is_sorted(times.begin(), times.end()));
    EXPECT_GE(times.front(), before);
    EXPECT_EQ(server.total_count(), 5U);

    server.reset_counts();
    EXPECT_EQ(server.count("/a"), 0U);
    EXPECT_EQ(server.connections(), 0U);
    EXPECT_EQ(curl(trusting(server.url("/a"))).body, jwks);
    EXPECT_EQ(server.count("/a"), 1U);
}

TEST_F(JwksServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
    // Two URLs in one curl run share one connection: two requests, one accept.
    jwks_server server(https());
    server.set_jwks("/jwks", jwks);

    const curl_result r =
        curl({"--cacert", pki_.ca_file().string(), server.url("/jwks"), server.url("/jwks")});

    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(server.count("/jwks"), 2U);
    EXPECT_EQ(server.connections(), 1U);
}

TEST_F(JwksServerTest, ServerErrorStatusIsSentAsScripted) {
    // A 500 with its own body and Content-Type.
    jwks_server server(https());
    server.set("/jwks", {.status = 500, .body = "oops", .headers = {{"Content-Type", "text/plain"}}});

    const curl_result r = curl(trusting(server.url("/jwks")));

    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(r.body, "oops");
    EXPECT_TRUE(has_header(r, "Content-Type: text/plain")) << r.head;
    EXPECT_FALSE(has_header(r, "Content-Type: application/json")) << r.head;
}

TEST_F(JwksServerTest, DelayHoldsTheAnswer) {
    // A delayed answer arrives after the delay, and a client with a shorter deadline times out.
    jwks_server server(https());
    server.set("/slow", {.body = jwks, .delay = milliseconds(300)});
    server.set("/slower", {.body = jwks, .delay = milliseconds(5'000)});

    const auto start = steady::now();
    const curl_result slow = curl(trusting(server.url("/slow")));
    const auto took = steady::now() - start;
    const curl_result timed_out = curl({"--max-time", "0.3", "--cacert", pki_.ca_file().string(),
                                        server.url("/slower")});

    ASSERT_EQ(slow.exit_code, 0) << slow.err;
    EXPECT_EQ(slow.body, jwks);
    EXPECT_GE(took, milliseconds(300));
    EXPECT_EQ(timed_out.exit_code, curl_timeout) << timed_out.err;
    EXPECT_EQ(server.count("/slower"), 1U);
}

TEST_F(JwksServerTest, DownRefusesAndUpServesTheSameUrl) {
    // down() refuses connections; up() serves again on the same port (past the TIME_WAIT
    // of the connection served before); both are idempotent.
    jwks_server server(https());
    server.set_jwks("/jwks", jwks);
    const std::string url = server.url("/jwks");
    const curl_result before = curl(trusting(url));

    server.down();
    server.down();
    const curl_result refused = curl(trusting(url));
    server.up();
    server.up();
    const curl_result after = curl(trusting(url));

    EXPECT_EQ(before.exit_code, 0) << before.err;
    EXPECT_EQ(refused.exit_code, curl_couldnt_connect) << refused.err;
    ASSERT_EQ(after.exit_code, 0) << after.err;
    EXPECT_EQ(after.body, jwks);
    EXPECT_EQ(server.url("/jwks"), url);
    EXPECT_EQ(server.count("/jwks"), 2U);
}

TEST_F(JwksServerTest, DownClosesOpenConnections) {
    // A client waiting on a stalled answer is cut off by down(), as by a dying server.
    jwks_server server(https());
    server.set("/jwks", {.fault_mode = jwks_server::fault::stall_forever});
    running_process client(curl_argv({"--max-time", "10", "--cacert", pki_.ca_file().string(), server.url("/jwks")}));
    ASSERT_TRUE(eventually([&] { return server.count("/jwks") == 1; }));

    server.down();
    const int code = client.wait(milliseconds(5'000));

    EXPECT_NE(code, 0);
    EXPECT_NE(code, curl_timeout);
}

TEST_F(JwksServerTest, TruncatedBodyIsAPartialTransfer) {
    // Content-Length promises more than comes: curl reports the missing bytes. The clean
    // variant ends with the TLS close_notify alert, the abrupt one without (curl -v
    // logs the alert; curl itself treats a TLS EOF without it as a plain EOF).
    jwks_server server(https());
    server.set("/clean", {.body = jwks, .fault_mode = jwks_server::fault::truncate_body});
    server.set("/abrupt", {.body = jwks, .fault_mode = jwks_server::fault::truncate_body, .abrupt_close = true});
    const std::string close_notify_received = "(IN), TLS alert, close notify";

    const curl_result clean = curl({"--verbose", "--cacert", pki_.ca_file().string(), server.url("/clean")});
    const curl_result abrupt = curl({"--verbose", "--cacert", pki_.ca_file().string(), server.url("/abrupt")});

    EXPECT_EQ(clean.exit_code, curl_partial_file) << clean.err;
    EXPECT_NE(clean.err.find(std::to_string(jwks.size() - jwks.size() / 2) + " bytes remaining"),
              std::string::npos)
        << clean.err;
    EXPECT_EQ(clean.body, jwks.substr(0, jwks.size() / 2));
    EXPECT_TRUE(has_header(clean, "Content-Length: " + std::to_string(jwks.size()))) << clean.head;
    EXPECT_NE(clean.err.find(close_notify_received), std::string::npos) << clean.err;
    EXPECT_EQ(abrupt.exit_code, curl_partial_file) << abrupt.err;
    EXPECT_EQ(abrupt.body, jwks.substr(0, jwks.size() / 2));
    EXPECT_EQ(abrupt.err.find(close_notify_received), std::string::npos) << abrupt.err;
}

TEST_F(JwksServerTest, PlainTruncatedBodyIsAPartialTransfer) {
    // The same over plain HTTP, where there is no TLS layer to notice first.
    jwks_server server;
    server.set("/jwks", {.body = jwks, .fault_mode = jwks_server::fault::truncate_body});

    const curl_result r = curl({server.url("/jwks")});

    EXPECT_EQ(r.exit_code, curl_partial_file) << r.err;
}

TEST_F(JwksServerTest, CloseWithoutResponseIsAnEmptyReply) {
    // The request is read and counted, then the connection ends without an answer.
    jwks_server server(https());
    server.set("/jwks", {.fault_mode = jwks_server::fault::close_without_response});
    jwks_server plain;
    plain.set("/jwks", {.fault_mode = jwks_server::fault::close_without_response});

    const curl_result tls = curl(trusting(server.url("/jwks")));
    const curl_result http = curl({plain.url("/jwks")});

    EXPECT_EQ(tls.exit_code, curl_empty_reply) << tls.err;
    EXPECT_EQ(http.exit_code, curl_empty_reply) << http.err;
    EXPECT_EQ(server.count("/jwks"), 1U);
    EXPECT_EQ(plain.count("/jwks"), 1U);
}

TEST_F(JwksServerTest, ChunkedBodyArrivesWhole) {
    // chunked = true frames the body with Transfer-Encoding: chunked.
    jwks_server server(https());
    server.set("/jwks", {.body = jwks, .chunked = true});

    const curl_result r = curl(trusting(server.url("/jwks")));

    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(has_header(r, "Transfer-Encoding: chunked")) << r.head;
    EXPECT_EQ(r.body, jwks);
}

TEST_F(JwksServerTest, StalledClientTimesOutAndServerStillStops) {
    // stall_forever never answers; the server's destructor returns at once even with the
    // stalled connection and a long delayed answer still open.
    auto server = std::make_unique<jwks_server>(https());
    server->set("/stall", {.fault_mode = jwks_server::fault::stall_forever});
    server->set("/delayed", {.body = jwks, .delay = std::chrono::minutes(10)});

    const curl_result r = curl({"--max-time", "0.3", "--cacert", pki_.ca_file().string(), server->url("/stall")});
    running_process stalled(curl_argv({"--max-time", "10", "--cacert", pki_.ca_file().string(), server->url("/stall")}));
    running_process delayed(curl_argv({"--max-time", "10", "--cacert", pki_.ca_file().string(), server->url("/delayed")}));
    ASSERT_TRUE(eventually([&] { return server->count("/stall") == 2 && server->count("/delayed") == 1; }));
    const auto start = steady::now();
    server.reset();
    const auto stopping = steady::now() - start;

    EXPECT_EQ(r.exit_code, curl_timeout) << r.err;
    EXPECT_LT(stopping, milliseconds(2'000));
    EXPECT_NE(stalled.wait(milliseconds(5'000)), 0);
    EXPECT_NE(delayed.wait(milliseconds(5'000)), 0);
}

TEST_F(JwksServerTest, SwappedCertificateServesNewConnections) {
    // swap_certificate changes what the next handshake presents.
    jwks_server server(https());
    server.set_jwks("/jwks", jwks);

    server.swap_certificate(pki_.issue("expired", loopback_sans, expired));
    const curl_result with_expired = curl(trusting(server.url("/jwks")));
    server.swap_certificate(good_);
    const curl_result with_good = curl(trusting(server.url("/jwks")));

    EXPECT_EQ(with_expired.exit_code, curl_peer_failed_verification) << with_expired.err;
    EXPECT_EQ(with_good.exit_code, 0) << with_good.err;
}

TEST_F(JwksServerTest, SwapCertificateOnPlainServerThrows) {
    // A plain server has no certificate to swap: a test bug, reported at once.
    jwks_server server;
    EXPECT_THROW(server.swap_certificate(good_), std::logic_error);
}

}  // namespace
}  // namespace tokengate::test
