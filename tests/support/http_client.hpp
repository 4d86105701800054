#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tokengate::test {

/** Deadline of one client operation (connect, send, read one response) unless given. */
inline constexpr std::chrono::milliseconds default_io_timeout{5'000};

/** Thrown when a client operation fails: refused, timed out, peer closed, bad framing. */
struct http_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/** A header line as received: name and value, in wire order, repeats kept. */
using header_list = std::vector<std::pair<std::string, std::string>>;

/** One HTTP/1.x response as read off the wire. */
struct http_response {
    int status = 0;
    std::string reason;
    header_list headers;
    std::string body;
    bool chunked = false;  //!< the body came with Transfer-Encoding: chunked

    /** First value of a header (case-insensitive name), nullopt when absent. */
    std::optional<std::string> header(std::string_view name) const;
    /** How many times a header occurs. */
    std::size_t count(std::string_view name) const;
};

/** A blocking HTTP/1.1 client connection to 127.0.0.1:port over a raw POSIX socket:
 *  sends exact bytes (for smuggling and pipelining tests) and parses responses itself,
 *  so nothing normalises what the proxy put on the wire. Every operation has a deadline. */
class http_connection {
public:
    explicit http_connection(std::uint16_t port, std::chrono::milliseconds timeout = default_io_timeout);
    ~http_connection();
    http_connection(const http_connection&) = delete;
    http_connection& operator=(const http_connection&) = delete;
    http_connection(http_connection&& o) noexcept;
    http_connection& operator=(http_connection&& o) noexcept;

    /** Writes all of `raw`; throws http_error on failure or deadline. */
    void send(std::string_view raw, std::chrono::milliseconds timeout = default_io_timeout);

    /** Reads one response; the body is handed to `on_body` piece by piece instead of
     *  being stored when given (large downloads). `head_request`: no body follows. */
    http_response read_response(std::chrono::milliseconds timeout = default_io_timeout, bool head_request = false,
                                const std::function<void(std::string_view)>& on_body = {});

    /** Reads whatever arrives, up to `max` bytes, within the deadline ("" at EOF or
     *  timeout). For tunnelled (upgraded) bytes. */
    std::string read_some(std::size_t max, std::chrono::milliseconds timeout = default_io_timeout);

    /** Reads exactly n raw bytes (buffered ones first); throws on EOF or deadline. */
    std::string read_exactly(std::size_t n, std::chrono::milliseconds timeout = default_io_timeout);

    /** True when the peer closes (EOF or reset) within the deadline, discarding any bytes
     *  it sends meanwhile; false when the connection is still open at the deadline. */
    bool wait_closed(std::chrono::milliseconds timeout = default_io_timeout);

    /** Half-close: the peer reads EOF, this side can still read. */
    void shutdown_write();

    /** Bytes received but not yet consumed by a read (e.g. a pipelined second response). */
    std::size_t buffered() const noexcept { return in_.size(); }

private:
    // Reads at least one more byte into in_; false at EOF. Throws at the deadline.
    bool fill(std::chrono::steady_clock::time_point deadline);
    std::string take_line(std::chrono::steady_clock::time_point deadline);
    void read_body(http_response& r, std::chrono::steady_clock::time_point deadline, bool head_request,
                   const std::function<void(std::string_view)>& sink);

    int fd_ = -1;
    std::string in_;
};

/** A request as one string, HTTP/1.1 with Host and Content-Length (when body is set or
 *  the method is POST/PUT), headers in the order given. */
std::string make_request(std::string_view method, std::string_view target, const header_list& headers = {},
                         std::optional<std::string_view> body = std::nullopt);

/** One request on a fresh connection (closed afterwards). */
http_response request(std::uint16_t port, std::string_view method, std::string_view target,
                      const header_list& headers = {}, std::optional<std::string_view> body = std::nullopt,
                      std::chrono::milliseconds timeout = default_io_timeout);

/** GET on a fresh connection. */
http_response get(std::uint16_t port, std::string_view target, const header_list& headers = {},
                  std::chrono::milliseconds timeout = default_io_timeout);

/** Polls until 127.0.0.1:port accepts a connection; false at the deadline. */
bool wait_for_port(std::uint16_t port, std::chrono::milliseconds timeout = default_io_timeout);

/** Polls GET `path` on the admin port until it answers 200; false at the deadline. */
bool wait_until_ready(std::uint16_t admin_port, std::chrono::milliseconds timeout = default_io_timeout,
                      std::string_view path = "/readyz");

/** A free ephemeral port on 127.0.0.1 at the time of the call, for servers that cannot
 *  report the port they bound (nginx): bind port 0, read it, close. Racy by nature. */
std::uint16_t pick_free_port();

}  // namespace tokengate::test
