#include "support/faulty_upstream.hpp"

#include "support/loopback_listener.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tokengate::test {
namespace {

void send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n > 0) data.remove_prefix(static_cast<std::size_t>(n));
        else if (n < 0 && errno == EINTR) continue;
        else return;  // the proxy went away: nothing left to misbehave at
    }
}

// SO_LINGER with a zero timeout turns close() into a reset: what a crashed process's
// kernel sends for a connection with unread data, or a middlebox killing it.
void reset(int fd) {
    const linger l{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd);
}

struct conn {
    int fd;
    std::string in;
};

// Answers the complete request heads in c.in; false when the connection is gone (closed
// or reset here).
bool serve(conn& c, std::atomic<std::size_t>& requests) {
    for (;;) {
        const auto end = c.in.find("\r\n\r\n");
        if (end == std::string::npos) return true;
        const std::string line = c.in.substr(0, c.in.find("\r\n"));
        c.in.erase(0, end + 4);
        ++requests;
        const auto sp = line.find(' ');
        const std::string path = line.substr(sp + 1, line.find(' ', sp + 1) - sp - 1);
        const std::string partial_head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n";
        if (path == "/partial" || path == "/partial-reset") {
            send_all(c.fd, partial_head + std::string(1000, 'p'));
            if (path == "/partial") ::close(c.fd);
            else reset(c.fd);
            return false;
        }
        if (path == "/reset") {
            reset(c.fd);
            return false;
        }
        if (path == "/garbage") {
            send_all(c.fd, "SSH-2.0-OpenSSH_9.2\r\n\r\n");
            ::close(c.fd);
            return false;
        }
        send_all(c.fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n");
    }
}

}  // namespace

faulty_upstream::faulty_upstream() {
    const loopback_listener l = listen_on_loopback("faulty_upstream");
    listen_fd_ = l.fd;
    port_ = l.port;
    std::array<int, 2> wake{};
    if (::pipe2(wake.data(), O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    wake_read_ = wake[0];
    wake_write_ = wake[1];
    thread_ = std::thread([this] { run(); });
}

faulty_upstream::~faulty_upstream() {
    ::close(wake_write_);  // POLLHUP on the read end ends run()
    thread_.join();
    ::close(wake_read_);
    ::close(listen_fd_);
}

void faulty_upstream::run() {
    std::list<conn> conns;
    for (;;) {
        std::vector<pollfd> fds{{wake_read_, POLLIN, 0}, {listen_fd_, POLLIN, 0}};
        for (const auto& c : conns) fds.push_back({c.fd, POLLIN, 0});
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[0].revents != 0) break;
        std::size_t i = 2;
        for (auto it = conns.begin(); it != conns.end(); ++i) {
            if (fds[i].revents == 0) {
                ++it;
                continue;
            }
            std::array<char, 16384> buf{};
            const ssize_t n = ::recv(it->fd, buf.data(), buf.size(), 0);
            if (n > 0) {
                it->in.append(buf.data(), static_cast<std::size_t>(n));
                if (serve(*it, requests_)) {
                    ++it;
                    continue;
                }
            } else {
                ::close(it->fd);
            }
            it = conns.erase(it);  // closed or reset by serve(), or by the peer
        }
        if ((fds[1].revents & POLLIN) != 0) {
            const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd >= 0) conns.push_back(conn{fd, {}});
        }
    }
    for (auto& c : conns) ::close(c.fd);
}

}  // namespace tokengate::test
