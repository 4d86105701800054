#pragma once

#include "support/process.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace tokengate::test {

/** How long a proxy or echo server may take to start and become ready. */
inline constexpr std::chrono::milliseconds startup_timeout{10'000};

/** Issuer, audience and kid of the RSA provider every proxy fixture configures. */
inline constexpr std::string_view fixture_issuer = "https://issuer.test/";
inline constexpr std::string_view fixture_hmac_issuer = "https://hmac.test/";
inline constexpr std::string_view fixture_audience = "api";
inline constexpr std::string_view fixture_kid = "k1";
/** 48 bytes: long enough for HS256. */
inline constexpr std::string_view fixture_secret = "fixture-hmac-secret-0123456789abcdef0123456789ab";

/** An in-test upstream on 127.0.0.1 that records what reaches it (so a test can assert
 *  the upstream saw nothing) and answers each complete request (Content-Length framing
 *  only) with 200 and a small text body, misbehaving as `mode` says. */
class recording_upstream {
public:
    enum class mode {
        keep_alive,            //!< a well-behaved keep-alive server
        close_after_response,  //!< closes each connection right after its response, without "Connection: close"
        drop_reused,           //!< answers the first request of a connection; closes on the second, unanswered
        chunked_response,      //!< keep-alive, the body sent as two chunks
        eof_response,          //!< no Content-Length or chunking: the body ends when the connection closes
    };

    explicit recording_upstream(mode m = mode::keep_alive);
    ~recording_upstream();
    recording_upstream(const recording_upstream&) = delete;
    recording_upstream& operator=(const recording_upstream&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    std::size_t connections() const noexcept { return connections_; }
    std::size_t bytes() const noexcept { return bytes_; }
    std::size_t answered() const noexcept { return answered_; }
    std::size_t dropped() const noexcept { return dropped_; }
    /** Connections this server has closed (its socket is gone, FIN sent). */
    std::size_t closed() const noexcept { return closed_; }
    /** Raw request heads (request line and header fields) of every complete request. */
    std::vector<std::string> heads() const;

private:
    struct conn;
    void run();
    bool serve(conn& c);

    mode mode_;
    int listen_fd_ = -1;
    int wake_read_ = -1;
    int wake_write_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<std::size_t> connections_{0};
    std::atomic<std::size_t> bytes_{0};
    std::atomic<std::size_t> answered_{0};
    std::atomic<std::size_t> dropped_{0};
    std::atomic<std::size_t> closed_{0};
    mutable std::mutex mutex_;
    std::vector<std::string> heads_;
    std::thread thread_;
};

/** A temp dir with key material (jwks.json: the RSA test key as kid "k1"; secret.txt:
 *  fixture_secret), an echo upstream and a `tokengate serve` process; collects the proxy's
 *  log lines and stops everything when destroyed. */
class proxy_fixture {
public:
    /** `binary`: the tokengate executable (tests pass TOKENGATE_BINARY). */
    explicit proxy_fixture(std::string binary);
    ~proxy_fixture();
    proxy_fixture(const proxy_fixture&) = delete;
    proxy_fixture& operator=(const proxy_fixture&) = delete;

    const std::filesystem::path& dir() const noexcept { return dir_; }

    /** Starts `tokengate echo-server --port 0`; returns its port. */
    std::uint16_t start_echo();

    /** A config for upstream_port with both fixture providers ("rsa": RS256, jwks.json,
     *  typ JWT, max lifetime 2 h; "hmac": HS256, secret.txt), two threads, listen and
     *  admin ports from the environment start_proxy sets; `extra_members` (",\"routes\": […]…") is appended inside
     *  the top-level object. */
    std::string config(std::uint16_t upstream_port, std::string_view extra_members = {}) const;

    /** Writes config.json, starts the proxy (listen and admin ports picked by the fixture
     *  and passed as TOKENGATE_TEST_LISTEN_PORT/_ADMIN_PORT), learns its ports from the
     *  proxy.listen line and polls `ready_path` on the admin port until 200. */
    void start_proxy(const std::string& config_json, std::string_view ready_path = "/readyz");

    /** SIGTERM to the proxy, waits for its exit; returns the exit code. */
    int stop_proxy(std::chrono::milliseconds timeout = default_process_timeout);

    std::uint16_t port() const noexcept { return port_; }
    std::uint16_t admin_port() const noexcept { return admin_port_; }
    std::uint16_t echo_port() const noexcept { return echo_port_; }
    running_process& proxy() { return *proxy_; }
    bool proxy_running() const noexcept { return proxy_ != nullptr; }

    /** Every proxy stdout line so far (reads what is pending first). */
    const std::vector<std::string>& log_lines();

    /** The first log line (collected or arriving before the deadline) whose JSON object
     *  has string member `field` equal to `value`, and event `event` when given. */
    std::optional<std::string> wait_for_log(std::string_view field, std::string_view value,
                                            std::string_view event = {},
                                            std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

    /** How many collected log lines have event `event` once at least `n` do, or the count
     *  at the deadline (reads what arrives meanwhile). */
    std::size_t wait_for_count(std::string_view event, std::size_t n,
                               std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

private:
    bool read_listen_line();

    std::string binary_;
    std::filesystem::path dir_;
    std::unique_ptr<running_process> echo_;
    std::unique_ptr<running_process> proxy_;
    std::uint16_t port_ = 0;
    std::uint16_t admin_port_ = 0;
    std::uint16_t echo_port_ = 0;
    std::vector<std::string> log_;
};

/** Seconds since the epoch, now. */
std::int64_t unix_now();

/** A compact RS256 token signed with test RSA key `key_index` (0 is the one in jwks.json). */
std::string rsa_token(std::string_view payload_json,
                      std::string_view header_json = R"({"alg":"RS256","kid":"k1","typ":"JWT"})", int key_index = 0);

/** A compact HS256 token signed with `secret`. */
std::string hmac_token(std::string_view payload_json, std::string_view secret = fixture_secret,
                       std::string_view header_json = R"({"alg":"HS256","typ":"JWT"})");

/** Claims the "rsa" provider accepts: iss, aud, sub (`sub`), scope, iat now, exp in 10 min;
 *  `extra_members` (",\"x\":1") is appended inside the object. */
std::string good_claims(std::string_view sub = "user-42", std::string_view scope = "read write",
                        std::string_view extra_members = {});

/** Resident set size of a process in KiB (VmRSS of /proc/PID/status); nullopt if gone. */
std::optional<std::size_t> rss_kib(int pid);

/** The value at `path` (member names from the top-level object down) of a JSON text:
 *  a string as is, an integer as decimal text; nullopt when absent, of another type, or
 *  the text is not JSON. Member names compare exactly. */
std::optional<std::string> json_field(std::string_view json, std::initializer_list<std::string_view> path);

}  // namespace tokengate::test
