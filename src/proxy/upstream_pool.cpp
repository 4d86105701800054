#include "tokengate/proxy/upstream_pool.hpp"

#include "tokengate/proxy/relay.hpp"

#include <boost/asio/ip/address.hpp>

#include <sys/socket.h>

#include <cerrno>

namespace tokengate::proxy {
namespace {

// A connection the upstream closed while idle reads as EOF; one with unsolicited bytes
// is out of step. A non-blocking peek weeds both out before a request is written to it
// (the race that remains is covered by the retry of idempotent requests).
bool still_open(stream& s) {
    auto& sock = s.socket();
    if (!sock.is_open()) return false;
    char c = 0;
    const auto n = ::recv(sock.native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace

net::awaitable<upstream_pool::lease> upstream_pool::acquire(const config::endpoint& ep,
                                                            std::chrono::milliseconds connect_timeout) {
    lease out;
    while (!idle_.empty()) {
        std::unique_ptr<upstream_conn> c = std::move(idle_.back());
        idle_.pop_back();
        if (!still_open(c->s)) continue;
        out.conn = std::move(c);
        out.reused = true;
        co_return out;
    }
    auto fresh = std::make_unique<upstream_conn>(ioc_);
    // Beast reads at most the buffer's spare capacity; left at its first small size, a
    // streamed response body would arrive 512 bytes per recv (and per timer reset).
    fresh->buf.reserve(relay_chunk);
    out.error = co_await connect(fresh->s, ep, connect_timeout);
    if (!out.error) out.conn = std::move(fresh);
    co_return out;
}

net::awaitable<boost::system::error_code> upstream_pool::connect(stream& s, const config::endpoint& ep,
                                                                 std::chrono::milliseconds timeout) {
    if (!resolved_) {
        // The upstream is a literal address or a name resolved once (same pod: localhost).
        boost::system::error_code ec;
        const auto addr = net::ip::make_address(ep.host, ec);
        if (!ec) {
            resolved_ = std::vector<tcp::endpoint>{tcp::endpoint(addr, ep.port)};
        } else {
            tcp::resolver resolver(ioc_);
            auto [rec, results] = co_await resolver.async_resolve(ep.host, std::to_string(ep.port), as_tuple_awaitable);
            if (rec) co_return rec;
            std::vector<tcp::endpoint> eps;
            for (const auto& r : results) eps.push_back(r.endpoint());
            resolved_ = std::move(eps);
        }
    }
    s.expires_after(timeout);
    auto [ec, ep_used] = co_await s.async_connect(*resolved_);
    (void)ep_used;
    if (!ec) s.socket().set_option(tcp::no_delay(true));
    co_return ec;
}

void upstream_pool::release(std::unique_ptr<upstream_conn> conn) {
    if (!conn || idle_.size() >= max_idle_ || !conn->s.socket().is_open() || conn->buf.size() != 0) return;
    conn->s.expires_never();
    idle_.push_back(std::move(conn));
}

}  // namespace tokengate::proxy
