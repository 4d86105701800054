#include "tokengate/proxy/relay.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <array>

namespace tokengate::proxy {
namespace {

net::awaitable<void> pump(stream& from, beast::flat_buffer& pending, stream& to, std::chrono::milliseconds idle) {
    if (pending.size() > 0) {
        to.expires_after(idle);
        auto [ec, n] = co_await net::async_write(to, pending.data(), as_tuple_awaitable);
        if (ec) co_return;
        pending.consume(n);
    }
    std::array<char, relay_chunk> buf;  // NOLINT: filled by the read
    for (;;) {
        from.expires_after(idle);
        auto [rec, n] = co_await from.async_read_some(net::buffer(buf));
        if (rec || n == 0) break;
        to.expires_after(idle);
        auto [wec, m] = co_await net::async_write(to, net::buffer(buf.data(), n), as_tuple_awaitable);
        (void)m;
        if (wec) break;
    }
    // Half-close: the other side sees EOF, the opposite direction may still finish.
    boost::system::error_code ignored;
    to.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

// The second direction of a tunnel: pumps, then wakes the first one's waiter.
net::awaitable<void> pump_and_signal(stream& from, beast::flat_buffer& pending, stream& to,
                                     std::chrono::milliseconds idle, bool& finished, net::steady_timer& done) {
    co_await pump(from, pending, to, idle);
    finished = true;
    done.cancel();
}

}  // namespace

// The two directions run as two coroutines on the same single-threaded worker; the
// caller's frame (which owns both streams) waits until the spawned one has finished.
// (Asio's awaitable operators would say this in one line, but clang 14 cannot compile
// them: "cannot represent a difference across sections".)
net::awaitable<void> tunnel(stream& a, beast::flat_buffer& a_pending, stream& b, beast::flat_buffer& b_pending,
                            std::chrono::milliseconds idle) {
    auto executor = co_await net::this_coro::executor;
    net::steady_timer other_done(executor, net::steady_timer::time_point::max());
    bool finished = false;
    net::co_spawn(executor, pump_and_signal(b, b_pending, a, idle, finished, other_done), net::detached);
    co_await pump(a, a_pending, b, idle);
    if (!finished) co_await other_done.async_wait(as_tuple_awaitable);
}

}  // namespace tokengate::proxy
