#include "support/http_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>

namespace tokengate::test {
namespace {

using steady = std::chrono::steady_clock;

std::string errno_text(std::string_view what) { return std::string(what) + ": " + std::strerror(errno); }

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               const auto lx = static_cast<unsigned char>(x);
               const auto ly = static_cast<unsigned char>(y);
               return std::tolower(lx) == std::tolower(ly);
           });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

int remaining_ms(steady::time_point deadline) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - steady::now()).count();
    return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(left, 0, 60'000));
}

// Waits for `events` on fd; false at the deadline.
bool wait_io(int fd, short events, steady::time_point deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        const int left = remaining_ms(deadline);
        const int n = ::poll(&p, 1, left);
        if (n > 0) return true;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw http_error(errno_text("poll"));
        return false;
    }
}

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

// Non-blocking connect bounded by the deadline; returns the connected fd or -1 with
// errno set (ECONNREFUSED, ETIMEDOUT…).
int connect_loopback(std::uint16_t port, steady::time_point deadline) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) throw http_error(errno_text("socket"));
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const sockaddr_in a = loopback(port);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0) return fd;
    if (errno != EINPROGRESS) {
        const int saved = errno;
        ::close(fd);
        errno = saved;
        return -1;
    }
    if (!wait_io(fd, POLLOUT, deadline)) {
        ::close(fd);
        errno = ETIMEDOUT;
        return -1;
    }
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
        ::close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

std::uint64_t parse_number(std::string_view text, int base, std::string_view what) {
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
        throw http_error("bad " + std::string(what) + ": \"" + std::string(text) + "\"");
    return v;
}

}  // namespace

std::optional<std::string> http_response::header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
        if (iequals(n, name)) return v;
    }
    return std::nullopt;
}

std::size_t http_response::count(std::string_view name) const {
    return static_cast<std::size_t>(
        std::count_if(headers.begin(), headers.end(), [&](const auto& h) { return iequals(h.first, name); }));
}

http_connection::http_connection(std::uint16_t port, std::chrono::milliseconds timeout) {
    fd_ = connect_loopback(port, steady::now() + timeout);
    if (fd_ < 0) throw http_error(errno_text("connect to 127.0.0.1:" + std::to_string(port)));
}

http_connection::~http_connection() {
    if (fd_ >= 0) ::close(fd_);
}

http_connection::http_connection(http_connection&& o) noexcept : fd_(std::exchange(o.fd_, -1)), in_(std::move(o.in_)) {}

http_connection& http_connection::operator=(http_connection&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(o.fd_, -1);
        in_ = std::move(o.in_);
    }
    return *this;
}

void http_connection::send(std::string_view raw, std::chrono::milliseconds timeout) {
    const auto deadline = steady::now() + timeout;
    while (!raw.empty()) {
        // MSG_NOSIGNAL: a peer that closed early gives EPIPE, not a SIGPIPE that kills the tests.
        const ssize_t n = ::send(fd_, raw.data(), raw.size(), MSG_NOSIGNAL);
        if (n > 0) {
            raw.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!wait_io(fd_, POLLOUT, deadline))
                throw http_error("send: deadline of " + std::to_string(timeout.count()) + " ms passed with " +
                                 std::to_string(raw.size()) + " bytes unsent");
            continue;
        }
        throw http_error(errno_text("send"));
    }
}

bool http_connection::fill(steady::time_point deadline) {
    std::array<char, 64 * 1024> buf{};
    for (;;) {
        const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
        if (n > 0) {
            in_.append(buf.data(), static_cast<std::size_t>(n));
            return true;
        }
        if (n == 0) return false;
        if (errno == EINTR) continue;
        if (errno == ECONNRESET) return false;
        if (errno != EAGAIN && errno != EWOULDBLOCK) throw http_error(errno_text("recv"));
        if (!wait_io(fd_, POLLIN, deadline)) throw http_error("read: deadline passed waiting for the peer");
    }
}

std::string http_connection::take_line(steady::time_point deadline) {
    for (;;) {
        const auto nl = in_.find("\r\n");
        if (nl != std::string::npos) {
            std::string line = in_.substr(0, nl);
            in_.erase(0, nl + 2);
            return line;
        }
        if (!fill(deadline)) throw http_error("connection closed mid-line; got \"" + in_ + "\"");
    }
}

http_response http_connection::read_response(std::chrono::milliseconds timeout, bool head_request,
                                             const std::function<void(std::string_view)>& on_body) {
    const auto deadline = steady::now() + timeout;
    while (in_.empty()) {
        if (!fill(deadline)) throw http_error("connection closed before a response");
    }
    http_response r;
    const std::string status_line = take_line(deadline);
    // "HTTP/1.1 200 OK": version, code, optional reason.
    if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12)
        throw http_error("bad status line \"" + status_line + "\"");
    r.status = static_cast<int>(parse_number(std::string_view(status_line).substr(9, 3), 10, "status code"));
    if (status_line.size() > 13) r.reason = status_line.substr(13);
    for (;;) {
        const std::string line = take_line(deadline);
        if (line.empty()) break;
        const auto colon = line.find(':');
        if (colon == std::string::npos) throw http_error("bad header line \"" + line + "\"");
        r.headers.emplace_back(line.substr(0, colon), std::string(trim(std::string_view(line).substr(colon + 1))));
    }
    read_body(r, deadline, head_request, on_body);
    return r;
}

void http_connection::read_body(http_response& r, steady::time_point deadline, bool head_request,
                                const std::function<void(std::string_view)>& sink) {
    const auto deliver = [&](std::string_view piece) {
        if (sink) sink(piece);
        else r.body.append(piece);
    };
    // RFC 9112 §6.3: no body for HEAD, 1xx, 204 and 304.
    if (head_request || r.status / 100 == 1 || r.status == 204 || r.status == 304) return;
    const auto te = r.header("Transfer-Encoding");
    if (te && iequals(trim(*te), "chunked")) {
        r.chunked = true;
        for (;;) {
            const std::string size_line = take_line(deadline);
            const std::string_view size_text = trim(std::string_view(size_line).substr(0, size_line.find(';')));
            std::uint64_t left = parse_number(size_text, 16, "chunk size");
            if (left == 0) break;
            while (left > 0) {
                if (in_.empty() && !fill(deadline)) throw http_error("connection closed mid-chunk");
                const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(left, in_.size()));
                deliver(std::string_view(in_).substr(0, k));
                in_.erase(0, k);
                left -= k;
            }
            if (!take_line(deadline).empty()) throw http_error("chunk not followed by CRLF");
        }
        while (!take_line(deadline).empty()) {
            // trailer fields: not used by these tests
        }
        return;
    }
    if (const auto cl = r.header("Content-Length")) {
        std::uint64_t left = parse_number(trim(*cl), 10, "Content-Length");
        while (left > 0) {
            if (in_.empty() && !fill(deadline))
                throw http_error("connection closed with " + std::to_string(left) + " body bytes missing");
            const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(left, in_.size()));
            deliver(std::string_view(in_).substr(0, k));
            in_.erase(0, k);
            left -= k;
        }
        return;
    }
    // Neither: the body ends at EOF.
    for (;;) {
        if (!in_.empty()) {
            deliver(in_);
            in_.clear();
        }
        if (!fill(deadline)) return;
    }
}

std::string http_connection::read_some(std::size_t max, std::chrono::milliseconds timeout) {
    const auto deadline = steady::now() + timeout;
    if (in_.empty()) {
        try {
            if (!fill(deadline)) return {};
        } catch (const http_error&) {
            return {};
        }
    }
    const std::size_t k = std::min(max, in_.size());
    std::string out = in_.substr(0, k);
    in_.erase(0, k);
    return out;
}

std::string http_connection::read_exactly(std::size_t n, std::chrono::milliseconds timeout) {
    const auto deadline = steady::now() + timeout;
    while (in_.size() < n) {
        if (!fill(deadline))
            throw http_error("connection closed after " + std::to_string(in_.size()) + " of " + std::to_string(n) +
                             " bytes");
    }
    std::string out = in_.substr(0, n);
    in_.erase(0, n);
    return out;
}

bool http_connection::wait_closed(std::chrono::milliseconds timeout) {
    const auto deadline = steady::now() + timeout;
    try {
        for (;;) {
            in_.clear();
            if (!fill(deadline)) return true;
        }
    } catch (const http_error&) {
        return false;
    }
}

void http_connection::shutdown_write() { ::shutdown(fd_, SHUT_WR); }

std::string make_request(std::string_view method, std::string_view target, const header_list& headers,
                         std::optional<std::string_view> body) {
    std::string out = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\n";
    bool host = false;
    for (const auto& [n, v] : headers) host = host || iequals(n, "Host");
    if (!host) out += "Host: 127.0.0.1\r\n";
    for (const auto& [n, v] : headers) out += n + ": " + v + "\r\n";
    if (body || method == "POST" || method == "PUT")
        out += "Content-Length: " + std::to_string(body ? body->size() : 0) + "\r\n";
    out += "\r\n";
    if (body) out += *body;
    return out;
}

http_response request(std::uint16_t port, std::string_view method, std::string_view target, const header_list& headers,
                      std::optional<std::string_view> body, std::chrono::milliseconds timeout) {
    http_connection c(port, timeout);
    c.send(make_request(method, target, headers, body), timeout);
    return c.read_response(timeout, method == "HEAD");
}

http_response get(std::uint16_t port, std::string_view target, const header_list& headers,
                  std::chrono::milliseconds timeout) {
    return request(port, "GET", target, headers, std::nullopt, timeout);
}

bool wait_for_port(std::uint16_t port, std::chrono::milliseconds timeout) {
    const auto deadline = steady::now() + timeout;
    for (;;) {
        const int fd = connect_loopback(port, deadline);
        if (fd >= 0) {
            ::close(fd);
            return true;
        }
        if (steady::now() >= deadline) return false;
        ::poll(nullptr, 0, 5);  // refused at once: retry shortly, bounded by the deadline
    }
}

bool wait_until_ready(std::uint16_t admin_port, std::chrono::milliseconds timeout, std::string_view path) {
    const auto deadline = steady::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
        if (left <= std::chrono::milliseconds(0)) return false;
        try {
            if (get(admin_port, path, {}, left).status == 200) return true;
        } catch (const http_error&) {
            // not listening yet, or closed mid-answer: poll again
        }
        ::poll(nullptr, 0, 5);
    }
}

std::uint16_t pick_free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw http_error(errno_text("socket"));
    sockaddr_in a = loopback(0);
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        const std::string e = errno_text("bind/getsockname");
        ::close(fd);
        throw http_error(e);
    }
    ::close(fd);
    return ntohs(a.sin_port);
}

}  // namespace tokengate::test
