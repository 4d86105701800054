#pragma once

#include "tokengate/config/config.hpp"
#include "tokengate/proxy/net.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

namespace tokengate::proxy {

/** One connection to the upstream and its read buffer; the buffer keeps its capacity
 *  from one exchange to the next. Held by pointer: Beast's basic_stream allocates a new
 *  implementation (timers included) on every move. */
struct upstream_conn {
    explicit upstream_conn(net::io_context& ioc) : s(ioc) {}
    stream s;
    beast::flat_buffer buf;
};

/** Idle keep-alive connections to the upstream, owned by one worker (no locks). */
class upstream_pool {
public:
    upstream_pool(net::io_context& ioc, std::size_t max_idle) : ioc_(ioc), max_idle_(max_idle) {}

    /** A pooled connection (reused = true) or a fresh one; error when connecting fails. */
    struct lease {
        std::unique_ptr<upstream_conn> conn;
        bool reused = false;
        boost::system::error_code error;
    };

    net::awaitable<lease> acquire(const config::endpoint& ep, std::chrono::milliseconds connect_timeout);

    /** Returns a connection after a complete exchange that left it reusable (its buffer
     *  empty). */
    void release(std::unique_ptr<upstream_conn> conn);

    std::size_t idle() const noexcept { return idle_.size(); }

private:
    net::awaitable<boost::system::error_code> connect(stream& s, const config::endpoint& ep,
                                                      std::chrono::milliseconds timeout);

    net::io_context& ioc_;
    std::size_t max_idle_;
    std::vector<std::unique_ptr<upstream_conn>> idle_;
    std::optional<std::vector<tcp::endpoint>> resolved_;
};

}  // namespace tokengate::proxy
