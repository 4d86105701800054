// Runs the real `tokengate serve` and signals it while clients keep it busy: SIGHUP
// reloads (valid and invalid configs) under steady keep-alive traffic must not fail or
// drop a single request, and SIGTERM lets a slow request finish while new connections
// are already refused, within the drain timeout.
#include "support/http_client.hpp"
#include "support/proxy_fixture.hpp"

#include <gtest/gtest.h>

#include <poll.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <future>
#include <sstream>
#include <string>
#include <vector>

namespace tokengate::test {
namespace {

using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

constexpr int load_clients = 3;
// Bounds a client's run even if the test's phases stall (each phase also has a deadline).
constexpr int max_requests_per_client = 50'000;
constexpr milliseconds phase_timeout{5000};

// The two valid configs differ only in the header that carries sub upstream, so every
// response says which config served it.
const std::string config_a = R"(, "identity_headers": {"sub": "X-User-Id"})";
const std::string config_b = R"(, "identity_headers": {"sub": "X-Subject"})";
// Fails validation: the running config must stay.
const std::string config_invalid = R"(, "identity_headers": {"sub": "X-Subject"}, "log": {"format": "xml"})";

enum class mode : int { none = -1, a = 0, b = 1 };

mode mode_of(const http_response& r) {
    const bool a = json_field(r.body, {"headers", "X-User-Id"}).has_value();
    const bool b = json_field(r.body, {"headers", "X-Subject"}).has_value();
    if (a == b) return mode::none;
    return a ? mode::a : mode::b;
}

// True when some socket on this host has an established connection to 127.0.0.1:port
// (/proc/net/tcp: "local rem st", addresses as hex IP:port, 01 = ESTABLISHED).
bool connected_to(std::uint16_t port) {
    std::ifstream f("/proc/net/tcp");
    std::string line;
    std::array<char, 16> want{};
    std::snprintf(want.data(), want.size(), "0100007F:%04X", port);
    while (std::getline(f, line)) {
        std::istringstream in(line);
        std::string sl, local, remote, state;
        in >> sl >> local >> remote >> state;
        if (remote == want.data() && state == "01") return true;
    }
    return false;
}

// One keep-alive connection sending authorised GETs until told to stop; remembers which
// config answered last and how many requests were answered 200.
struct load_client {
    std::atomic<int> answered{0};
    std::atomic<int> last{static_cast<int>(mode::none)};
    std::string failure;  // read after the thread ended

    void run(std::uint16_t port, const std::string& auth, const std::atomic<bool>& stop) {
        try {
            http_connection c(port);
            while (!stop && answered < max_requests_per_client) {
                c.send(make_request("GET", "/api/items", {{"Authorization", auth}}));
                const http_response r = c.read_response();
                if (r.status != 200) {
                    failure = "status " + std::to_string(r.status) + ": " + r.body;
                    return;
                }
                const mode m = mode_of(r);
                if (m == mode::none) {
                    failure = "response without exactly one identity header: " + r.body;
                    return;
                }
                last = static_cast<int>(m);
                ++answered;
            }
        } catch (const std::exception& e) {
            failure = std::string("connection failed: ") + e.what();
        }
    }
};

class ProxySignalsTest : public ::testing::Test {
protected:
    void TearDown() override {
        if (fx.proxy_running()) {
            EXPECT_EQ(fx.stop_proxy(), 0) << fx.proxy().err_text();
        }
    }

    // Polls until `pred` holds or the phase deadline passes.
    template <class Pred>
    static bool eventually(Pred pred) {
        const auto deadline = steady::now() + phase_timeout;
        while (!pred()) {
            if (steady::now() > deadline) return false;
            ::poll(nullptr, 0, 5);
        }
        return true;
    }

    proxy_fixture fx{TOKENGATE_BINARY};
};

TEST_F(ProxySignalsTest, ReloadsUnderKeepAliveLoadFailNoRequestAndTakeEffect) {
    // Verifies: 5 SIGHUPs (A→B→A, an invalid config, →B→A) under 3 busy keep-alive clients: every response 200,
    // no connection dropped, each valid config reaches every client (50 more requests each after the reload),
    // the invalid one is refused and changes nothing.
    fx.start_echo();
    fx.start_proxy(fx.config(fx.echo_port(), config_a));
    const std::string auth = "Bearer " + rsa_token(good_claims());
    std::atomic<bool> stop{false};
    std::array<load_client, load_clients> clients;
    std::vector<std::future<void>> threads;
    for (auto& c : clients) threads.push_back(std::async(std::launch::async, [&] { c.run(fx.port(), auth, stop); }));
    const auto all_at = [&](mode m, int min_answered) {
        return std::all_of(clients.begin(), clients.end(), [&](const load_client& c) {
            return c.last == static_cast<int>(m) && c.answered >= min_answered;
        });
    };
    const auto answered = [&](std::size_t i) { return clients[i].answered.load(); };
    std::size_t reload_lines = 0;
    const auto reload = [&](const std::string& extra) {
        std::ofstream(fx.dir() / "config.json") << fx.config(fx.echo_port(), extra);
        ::kill(fx.proxy().pid(), SIGHUP);
        reload_lines = fx.wait_for_count("config.reload", reload_lines + 1, phase_timeout);
        return fx.log_lines();
    };
    ASSERT_TRUE(eventually([&] { return all_at(mode::a, 20); })) << clients[0].failure;

    struct step {
        const std::string* extra;
        mode expected;
    };
    const std::vector<step> steps = {{&config_b, mode::b}, {&config_a, mode::a}, {&config_invalid, mode::a},
                                     {&config_b, mode::b}, {&config_a, mode::a}};
    int n = 0;
    for (const auto& s : steps) {
        SCOPED_TRACE("reload #" + std::to_string(++n));
        const std::array<int, load_clients> before = {answered(0), answered(1), answered(2)};
        const auto lines = reload(*s.extra);
        ASSERT_EQ(std::count_if(lines.begin(), lines.end(),
                                [](const std::string& l) { return json_field(l, {"event"}) == "config.reload"; }),
                  static_cast<std::ptrdiff_t>(n))
            << "no config.reload line";
        const std::string& last_reload = *std::find_if(lines.rbegin(), lines.rend(), [](const std::string& l) {
            return json_field(l, {"event"}) == "config.reload";
        });
        if (s.extra == &config_invalid) EXPECT_EQ(json_field(last_reload, {"level"}), "error") << last_reload;
        else EXPECT_EQ(json_field(last_reload, {"message"}), "configuration reloaded") << last_reload;
        // Each client serves on under the expected config, with requests after the reload.
        EXPECT_TRUE(eventually([&] {
            for (std::size_t i = 0; i < clients.size(); ++i) {
                if (clients[i].last != static_cast<int>(s.expected) || answered(i) < before[i] + 50) return false;
            }
            return true;
        })) << "a client never saw the expected config; failure: " << clients[0].failure << clients[1].failure
            << clients[2].failure;
    }
    stop = true;
    for (auto& t : threads) t.get();

    int total = 0;
    for (const auto& c : clients) {
        EXPECT_EQ(c.failure, "");
        total += c.answered;
    }
    EXPECT_GE(total, load_clients * (20 + 50 * static_cast<int>(steps.size())));
    const auto metrics = get(fx.admin_port(), "/metrics");
    EXPECT_NE(metrics.body.find("tokengate_config_reloads_total{result=\"success\"} 4"), std::string::npos)
        << metrics.body;
    EXPECT_NE(metrics.body.find("tokengate_config_reloads_total{result=\"failure\"} 1"), std::string::npos)
        << metrics.body;
}

TEST_F(ProxySignalsTest, SigtermRefusesNewConnectionsWhileASlowRequestFinishes) {
    // Verifies: during the drain a slow in-flight request completes (200) while a new connection is refused at that
    // very moment, an idle keep-alive connection is closed, and the proxy then exits 0 with proxy.stop as last line.
    fx.start_echo();
    fx.start_proxy(fx.config(fx.echo_port(), R"(, "routes": [{"path": "/public/", "match": "prefix", "auth": "none"}])"));
    // Answered by the proxy itself (401): no pooled upstream connection that the wait for
    // the slow request's upstream connection below could mistake for it.
    http_connection idle(fx.port());
    idle.send(make_request("GET", "/api/first"));
    ASSERT_EQ(idle.read_response().status, 401);
    http_connection slow(fx.port());
    slow.send(make_request("GET", "/slow?ms=1500", {{"Authorization", "Bearer " + rsa_token(good_claims())}}));
    ASSERT_TRUE(eventually([&] { return connected_to(fx.echo_port()); }));

    ::kill(fx.proxy().pid(), SIGTERM);
    ASSERT_TRUE(fx.wait_for_log("event", "proxy.drain").has_value());
    bool refused = false;
    try {
        http_connection late(fx.port(), milliseconds(500));
        late.send(make_request("GET", "/public/late"));
        (void)late.read_response(milliseconds(500));
    } catch (const http_error&) {
        refused = true;
    }
    const bool still_running = fx.proxy().running();
    const bool idle_closed = idle.wait_closed(milliseconds(1000));
    const auto r = slow.read_response(milliseconds(5000));

    EXPECT_TRUE(refused) << "a new connection was served during the drain";
    EXPECT_TRUE(still_running) << "the proxy had already exited: the refusal proves nothing";
    EXPECT_TRUE(idle_closed) << "an idle keep-alive connection was kept open during the drain";
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(fx.stop_proxy(), 0);
    ASSERT_EQ(fx.wait_for_count("proxy.stop", 1), 1U) << "stdout incomplete after exit";
    EXPECT_EQ(json_field(fx.log_lines().back(), {"event"}), "proxy.stop");
}

TEST_F(ProxySignalsTest, DrainTimeoutEndsARequestThatTakesTooLong) {
    // Verifies: a request still running at drain_timeout_ms is cut off: the proxy exits 0 soon after the timeout,
    // and says how many connections it closed.
    fx.start_echo();
    fx.start_proxy(fx.config(fx.echo_port(), R"(, "routes": [{"path": "/public/", "match": "prefix", "auth": "none"}],
  "limits": {"drain_timeout_ms": 300})"));
    http_connection slow(fx.port());
    slow.send(make_request("GET", "/slow?ms=20000", {{"Authorization", "Bearer " + rsa_token(good_claims())}}));
    ASSERT_TRUE(eventually([&] { return connected_to(fx.echo_port()); }));
    const auto start = steady::now();

    ::kill(fx.proxy().pid(), SIGTERM);
    const int code = fx.proxy().wait(milliseconds(5000));
    const auto took = steady::now() - start;

    EXPECT_EQ(code, 0);
    EXPECT_GE(took, milliseconds(250));
    EXPECT_LT(took, milliseconds(3000));
    EXPECT_TRUE(slow.wait_closed(milliseconds(1000)));
    ASSERT_EQ(fx.wait_for_count("proxy.stop", 1), 1U) << "stdout incomplete after exit";
    const auto& lines = fx.log_lines();
    EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](const std::string& l) {
        return json_field(l, {"event"}) == "proxy.drain" && json_field(l, {"level"}) == "warn";
    })) << "no warning about connections open at the drain timeout";
}

}  // namespace
}  // namespace tokengate::test
