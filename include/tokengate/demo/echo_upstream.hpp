#pragma once

#include "tokengate/proxy/net.hpp"

namespace tokengate::demo {

/** A small HTTP/1.1 upstream that answers every request with a JSON description of what
 *  it received (method, target, headers, body size and SHA-256), streaming the body so
 *  uploads of any size work. The demo puts it behind the proxy; tests use it to see what
 *  the API would see. `/ws` speaks a minimal WebSocket-free echo after a 101 (raw bytes
 *  back), `/slow?ms=N` answers after N ms, `/bytes?n=N` sends N bytes of body. */
class echo_upstream {
public:
    /** Listens on `ep` (port 0 = ephemeral) on the given event loop. */
    echo_upstream(proxy::net::io_context& ioc, const proxy::tcp::endpoint& ep);

    std::uint16_t port() const noexcept { return port_; }

private:
    proxy::net::awaitable<void> accept_loop();

    proxy::tcp::acceptor acceptor_;
    std::uint16_t port_;
};

}  // namespace tokengate::demo
