#include "tokengate/proxy/relay.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/write.hpp>

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

}  // namespace

net::awaitable<void> tunnel(stream& a, beast::flat_buffer& a_pending, stream& b, beast::flat_buffer& b_pending,
                            std::chrono::milliseconds idle) {
    using namespace net::experimental::awaitable_operators;
    co_await (pump(a, a_pending, b, idle) && pump(b, b_pending, a, idle));
}

}  // namespace tokengate::proxy
