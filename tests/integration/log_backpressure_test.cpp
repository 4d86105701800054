// Runs the real `tokengate serve` with its stdout on a pipe that nobody reads (the
// smallest pipe the kernel allows) and the access log on: the proxy must go on serving
// at full speed, drop log lines instead of waiting for stdout, and say how many it dropped.
#include "support/http_client.hpp"
#include "support/proxy_fixture.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <fstream>
#include <future>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace tokengate::test {
namespace {

using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

// More access lines than the proxy's log queue (2048) and a one-page pipe can hold.
constexpr int clients = 3;
constexpr int requests_per_client = 800;

// `tokengate serve` with stdout on a pipe this test reads only when it chooses to.
class unread_stdout_proxy {
public:
    unread_stdout_proxy(const std::string& binary, const std::filesystem::path& config, std::uint16_t listen,
                        std::uint16_t admin, const std::filesystem::path& stderr_file) {
        std::array<int, 2> fds{};
        if (::pipe2(fds.data(), O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
        out_ = fds[0];
        ::fcntl(fds[1], F_SETPIPE_SZ, 4096);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        std::vector<std::string> env;
        for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
        env.push_back("TOKENGATE_TEST_LISTEN_PORT=" + std::to_string(listen));
        env.push_back("TOKENGATE_TEST_ADMIN_PORT=" + std::to_string(admin));
        std::vector<std::string> args = {binary, "serve", "--config", config.string()};
        std::vector<char*> argv;
        std::vector<char*> envp;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        for (auto& e : env) envp.push_back(e.data());
        envp.push_back(nullptr);
        const int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
        posix_spawn_file_actions_destroy(&actions);
        ::close(fds[1]);
        if (rc != 0) throw std::runtime_error("posix_spawn failed");
    }
    ~unread_stdout_proxy() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        if (out_ >= 0) ::close(out_);
    }
    unread_stdout_proxy(const unread_stdout_proxy&) = delete;
    unread_stdout_proxy& operator=(const unread_stdout_proxy&) = delete;

    // Reads stdout until a line contains `needle`; nullopt at the deadline or EOF.
    std::optional<std::string> read_until(std::string_view needle, milliseconds timeout) {
        const auto deadline = steady::now() + timeout;
        for (;;) {
            const auto nl = buf_.find('\n');
            if (nl != std::string::npos) {
                std::string line = buf_.substr(0, nl);
                buf_.erase(0, nl + 1);
                if (line.find(needle) != std::string::npos) return line;
                continue;
            }
            const auto left = std::chrono::duration_cast<milliseconds>(deadline - steady::now()).count();
            if (left <= 0) return std::nullopt;
            pollfd p{out_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
            if (!fill()) return std::nullopt;
        }
    }

    // Closes the only read end: the proxy's next write to stdout meets a broken pipe.
    void close_reader() {
        ::close(out_);
        out_ = -1;
    }

    // Everything stdout still holds and will get, until EOF.
    std::string read_rest() {
        while (fill()) {
        }
        return std::exchange(buf_, {});
    }

    // SIGTERM, then the exit status (-1 when it did not exit within the deadline).
    int stop(milliseconds timeout) {
        ::kill(pid_, SIGTERM);
        const auto deadline = steady::now() + timeout;
        for (;;) {
            int status = 0;
            const pid_t r = ::waitpid(pid_, &status, WNOHANG);
            if (r == pid_) {
                pid_ = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
            }
            if (steady::now() > deadline) return -1;
            ::poll(nullptr, 0, 10);
        }
    }

private:
    bool fill() {
        std::array<char, 65536> chunk{};
        for (;;) {
            const ssize_t n = ::read(out_, chunk.data(), chunk.size());
            if (n > 0) {
                buf_.append(chunk.data(), static_cast<std::size_t>(n));
                return true;
            }
            if (n < 0 && errno == EINTR) continue;
            return false;
        }
    }

    pid_t pid_ = -1;
    int out_ = -1;
    std::string buf_;
};

std::uint16_t port_of(const std::string& line, std::string_view member) {
    const auto v = json_field(line, {member});
    unsigned p = 0;
    if (v) std::from_chars(v->data(), v->data() + v->size(), p);
    return static_cast<std::uint16_t>(p);
}

// The proxy with forward-auth (it answers from itself: an access line per request, no
// upstream hop) and the access log on, its stdout on a pipe only the test reads.
class LogBackpressureTest : public ::testing::Test {
protected:
    void start() {
        const auto config = fx.dir() / "config.json";
        std::ofstream(config) << fx.config(pick_free_port(), R"(, "forward_auth": {"enabled": true, "path": "/auth"},
  "log": {"access_log": true})");
        const std::uint16_t listen = pick_free_port();
        std::uint16_t admin = pick_free_port();
        while (admin == listen) admin = pick_free_port();
        proxy = std::make_unique<unread_stdout_proxy>(TOKENGATE_BINARY, config, listen, admin, fx.dir() / "stderr.txt");
        const auto listen_line = proxy->read_until("proxy.listen", startup_timeout);
        ASSERT_TRUE(listen_line.has_value()) << "no proxy.listen line";
        port = port_of(*listen_line, "listen_port");
        admin_port = port_of(*listen_line, "admin_port");
        ASSERT_TRUE(wait_until_ready(admin_port, startup_timeout));
    }

    proxy_fixture fx{TOKENGATE_BINARY};
    std::unique_ptr<unread_stdout_proxy> proxy;
    std::uint16_t port = 0;
    std::uint16_t admin_port = 0;
};

TEST_F(LogBackpressureTest, UnreadStdoutNeverStallsRequestsAndDropsAreReported) {
    // Verifies: with stdout never read during 2,400 access-logged requests, every request is answered 200;
    // the log drops lines instead of blocking and reports them (log.dropped, tokengate_log_lines_dropped_total).
    ASSERT_NO_FATAL_FAILURE(start());

    // From here on nobody reads the proxy's stdout.
    const std::string auth = "Bearer " + rsa_token(good_claims());
    std::atomic<int> ok{0};
    std::vector<std::future<std::string>> workers;
    for (int t = 0; t < clients; ++t) {
        workers.push_back(std::async(std::launch::async, [&] {
            try {
                http_connection c(port);
                for (int i = 0; i < requests_per_client; ++i) {
                    c.send(make_request("GET", "/auth", {{"Authorization", auth}, {"X-Original-URI", "/api/orders"}}));
                    if (c.read_response().status != 200) return std::string("a request was not answered 200");
                    ++ok;
                }
            } catch (const std::exception& e) {
                return std::string(e.what());
            }
            return std::string();
        }));
    }
    for (auto& w : workers) EXPECT_EQ(w.get(), "");
    // Queue drops are counted by the proxy's once-a-second report: poll for it.
    const std::string zero = "tokengate_log_lines_dropped_total{cause=\"queue_full\"} 0\n";
    http_response metrics = get(admin_port, "/metrics");
    for (const auto deadline = steady::now() + milliseconds(3000);
         metrics.body.find(zero) != std::string::npos && steady::now() < deadline;) {
        ::poll(nullptr, 0, 50);
        metrics = get(admin_port, "/metrics");
    }

    std::future<std::string> rest = std::async(std::launch::async, [&] { return proxy->read_rest(); });
    EXPECT_EQ(proxy->stop(milliseconds(10'000)), 0);
    std::istringstream lines(rest.get());

    std::size_t accepted = 0;
    std::uint64_t dropped = 0;
    for (std::string l; std::getline(lines, l);) {
        const auto event = json_field(l, {"event"});
        if (event == "auth.accept") ++accepted;
        // Reports go through the full queue too and may be lost: the running total is not.
        if (event == "log.dropped")
            dropped = std::max<std::uint64_t>(dropped, std::stoull(json_field(l, {"dropped_total"}).value_or("0")));
    }
    const auto total = static_cast<std::size_t>(clients * requests_per_client);
    EXPECT_EQ(ok.load(), clients * requests_per_client);
    EXPECT_GT(dropped, 0U) << "the pipe was never full?";
    EXPECT_LT(accepted, total);
    // Every access line was written or counted (the count also covers dropped reports).
    EXPECT_GE(accepted + dropped, total);
    EXPECT_NE(metrics.body.find("tokengate_log_lines_dropped_total{cause=\"queue_full\"} "), std::string::npos);
    EXPECT_EQ(metrics.body.find(zero), std::string::npos) << "no queue drop counted within 3 s";
}

TEST_F(LogBackpressureTest, ClosedStdoutDoesNotKillTheProxy) {
    // Verifies: when whoever reads the proxy's stdout goes away (its pipe has no reader left), access-logged
    // requests are still answered 200, the admin endpoint answers, and SIGTERM ends the process with exit 0:
    // the broken pipe costs log lines, never the process (no death by SIGPIPE).
    ASSERT_NO_FATAL_FAILURE(start());

    proxy->close_reader();
    const std::string auth = "Bearer " + rsa_token(good_claims());
    http_connection c(port);
    for (int i = 0; i < 200; ++i) {
        c.send(make_request("GET", "/auth", {{"Authorization", auth}, {"X-Original-URI", "/api/orders"}}));
        ASSERT_EQ(c.read_response().status, 200) << "request " << i;
    }
    EXPECT_EQ(get(admin_port, "/healthz").status, 200);
    EXPECT_EQ(proxy->stop(milliseconds(10'000)), 0);
}

}  // namespace
}  // namespace tokengate::test
