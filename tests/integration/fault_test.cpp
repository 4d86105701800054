// Faults around the real proxy: an upstream that dies mid-response, resets connections or
// answers garbage, and a proxy process that runs out of file descriptors. Each time the
// client concerned gets the honest answer (502, or a cut connection once headers are
// out), the log says what happened, and every other client is served as before.
// (A JWKS server dying mid-body: RemoteKeysFaultTest, "TruncatedBodyAbrupt".)
#include "support/faulty_upstream.hpp"
#include "support/http_client.hpp"
#include "support/proxy_fixture.hpp"

#include <gtest/gtest.h>

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>
#include <vector>

namespace tokengate::test {
namespace {

using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

// The test binary and the proxy it starts come from the same build, sanitizers included.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool asan_ubsan_build = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool asan_ubsan_build = true;
#else
constexpr bool asan_ubsan_build = false;
#endif
#else
constexpr bool asan_ubsan_build = false;
#endif

header_list bearer() { return {{"Authorization", "Bearer " + rsa_token(good_claims())}}; }

std::size_t open_fds(int pid) {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) ++n;
    return n;
}

class FaultTest : public ::testing::Test {
protected:
    void TearDown() override {
        if (fx.proxy_running()) {
            EXPECT_EQ(fx.stop_proxy(), 0) << fx.proxy().err_text();
        }
    }

    proxy_fixture fx{TOKENGATE_BINARY};
};

TEST_F(FaultTest, UpstreamDyingMidResponseCutsOnlyThatClient) {
    // Verifies: an upstream that closes or resets after the headers and 1,000 of 100,000 body bytes: the client
    // gets the 200 head and a connection cut before the announced length (never a silently short body), a
    // warn upstream.error line names the relay, and a client on another connection is served meanwhile.
    faulty_upstream upstream;
    fx.start_proxy(fx.config(upstream.port()));
    http_connection bystander(fx.port());

    for (const char* path : {"/partial", "/partial-reset"}) {
        SCOPED_TRACE(path);
        http_connection c(fx.port());
        c.send(make_request("GET", path, bearer()));
        std::size_t body_bytes = 0;
        bool cut = false;
        try {
            const auto r = c.read_response(default_io_timeout, false, [&](std::string_view piece) { body_bytes += piece.size(); });
            ADD_FAILURE() << "a complete response arrived: " << r.status;
        } catch (const http_error&) {
            cut = true;
        }
        EXPECT_TRUE(cut);
        EXPECT_LT(body_bytes, 100000u);
        EXPECT_TRUE(c.wait_closed(milliseconds(2000)));

        bystander.send(make_request("GET", "/ok", bearer()));
        EXPECT_EQ(bystander.read_response().status, 200);
    }
    const auto line = fx.wait_for_log("event", "upstream.error");
    ASSERT_TRUE(line.has_value());
    EXPECT_EQ(json_field(*line, {"level"}), "warn") << *line;
    EXPECT_NE(line->find("response body relay"), std::string::npos) << *line;
}

TEST_F(FaultTest, UpstreamResetOrGarbageIs502ThenServesAgain) {
    // Verifies: an upstream that resets the connection instead of answering, or answers something that is not
    // HTTP, gives the client a 502 JSON answer and an error upstream.error line with its request id; the next
    // request is served normally.
    faulty_upstream upstream;
    fx.start_proxy(fx.config(upstream.port()));

    for (const char* path : {"/reset", "/garbage"}) {
        SCOPED_TRACE(path);
        header_list h = bearer();
        const std::string id = std::string("fault") + (path + 1);
        h.emplace_back("X-Request-Id", id);

        const auto r = get(fx.port(), path, h);
        const auto after = get(fx.port(), "/ok", bearer());

        EXPECT_EQ(r.status, 502) << r.body;
        EXPECT_EQ(json_field(r.body, {"error"}), "upstream_unavailable") << r.body;
        const auto line = fx.wait_for_log("request_id", id, "upstream.error");
        ASSERT_TRUE(line.has_value()) << id;
        EXPECT_EQ(json_field(*line, {"level"}), "error") << *line;
        EXPECT_EQ(after.status, 200) << after.body;
    }
}

TEST_F(FaultTest, OutOfFileDescriptorsRefusesNewClientsThenRecovers) {
    // Verifies: with RLIMIT_NOFILE lowered to just above what the proxy holds, a burst of 40 clients exhausts
    // the descriptors: established clients keep being served, the failure is logged as proxy.accept "Too many
    // open files" (or an upstream connect error), and once the burst ends new clients are served again.
    if (asan_ubsan_build) {
        // UBSan's vptr check probes memory through a pipe: with no descriptor left it reports every virtual call
        // (here error_code::message on the EMFILE) as "invalid vptr". Its own false positive, not tokengate's;
        // the plain and ThreadSanitizer runs cover this test.
        GTEST_SKIP() << "descriptor exhaustion breaks UBSan's own vptr check";
    }
    faulty_upstream upstream;
    fx.start_proxy(fx.config(upstream.port()));
    http_connection established(fx.port());
    established.send(make_request("GET", "/ok", bearer()));
    ASSERT_EQ(established.read_response().status, 200);  // its pooled upstream connection is open too
    const int pid = fx.proxy().pid();
    const rlimit low{open_fds(pid) + 6, open_fds(pid) + 6};
    ASSERT_EQ(::prlimit(pid, RLIMIT_NOFILE, &low, nullptr), 0) << std::strerror(errno);

    std::vector<std::unique_ptr<http_connection>> burst;
    for (int i = 0; i < 40; ++i) burst.push_back(std::make_unique<http_connection>(fx.port()));
    for (auto& c : burst) {
        try {
            c->send(make_request("GET", "/ok", bearer()));
        } catch (const http_error&) {
            // refused mid-way: what running out of descriptors looks like to a client
        }
    }
    for (int i = 0; i < 3; ++i) {
        established.send(make_request("GET", "/ok", bearer()));
        EXPECT_EQ(established.read_response().status, 200);
    }
    const auto accept_error = fx.wait_for_log("event", "proxy.accept", {}, milliseconds(3000));
    ASSERT_TRUE(accept_error.has_value());
    EXPECT_NE(accept_error->find("Too many open files"), std::string::npos) << *accept_error;
    burst.clear();

    const auto deadline = steady::now() + milliseconds(5000);
    int status = 0;
    while (status != 200 && steady::now() < deadline) {
        try {
            status = get(fx.port(), "/ok", bearer(), milliseconds(1000)).status;
        } catch (const http_error&) {
            // still backed up with the burst's leftovers: poll again
        }
    }
    EXPECT_EQ(status, 200);
    const auto lines = fx.log_lines();
    const auto accept_lines = std::count_if(lines.begin(), lines.end(), [](const std::string& l) {
        return json_field(l, {"event"}) == "proxy.accept";
    });
    EXPECT_LE(accept_lines, 10) << "descriptor exhaustion floods the log";
}

}  // namespace
}  // namespace tokengate::test
