#include "tokengate/proxy/worker.hpp"

#include "tokengate/log/event_log.hpp"
#include "tokengate/metrics/registry.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/socket_base.hpp>

#include <sys/socket.h>

namespace tokengate::proxy {

worker::worker(shared_state& shared, runtime_ptr rt, int index)
    : shared_(shared),
      rt_(std::move(rt)),
      index_(index),
      cache_(rt_->cfg.token_cache_entries / static_cast<std::size_t>(std::max(1, rt_->cfg.threads))),
      pool_(ioc_, rt_->cfg.limits.upstream_pool_size),
      metrics_(metrics::global()) {}

tcp::endpoint worker::listen(const tcp::endpoint& ep) {
    acceptor_.emplace(ioc_);
    acceptor_->open(ep.protocol());
    acceptor_->set_option(net::socket_base::reuse_address(true));
    // Every worker binds the same port; the kernel spreads connections across them.
    const int one = 1;
    if (::setsockopt(acceptor_->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
        throw std::system_error(errno, std::generic_category(), "SO_REUSEPORT");
    acceptor_->bind(ep);
    acceptor_->listen(net::socket_base::max_listen_connections);
    net::co_spawn(ioc_, accept_loop(), net::detached);
    arm_tick();
    return acceptor_->local_endpoint();
}

// Asio reprograms its timerfd (a system call) whenever a newly scheduled timer expires
// before every other one; each request schedules a few (read, write, upstream), so with
// few connections nearly every one did. A timer that always expires within the next
// second keeps request timeouts, which lie seconds away, from ever being the earliest.
void worker::arm_tick() {
    tick_.expires_after(std::chrono::seconds(1));
    tick_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) arm_tick();
    });
}

void worker::stop_accepting() {
    tick_.cancel();
    if (acceptor_) {
        boost::system::error_code ec;
        acceptor_->close(ec);
    }
    for (stream* s : idle_) {
        boost::system::error_code ec;
        s->socket().cancel(ec);
    }
}

net::awaitable<void> worker::accept_loop() {
    for (;;) {
        auto [ec, socket] = co_await acceptor_->async_accept(as_tuple_awaitable);
        if (ec) {
            if (ec == net::error::operation_aborted || !acceptor_->is_open()) co_return;
            // EMFILE and friends: log, back off briefly, keep serving the connections we have.
            log::event("error", "proxy.accept", ec.message());
            net::steady_timer t(ioc_, std::chrono::milliseconds(50));
            co_await t.async_wait(as_tuple_awaitable);
            continue;
        }
        if (shared_.open_connections >= rt_->cfg.limits.max_connections) {
            boost::system::error_code ignored;
            socket.close(ignored);  // over the limit: refuse rather than queue
            continue;
        }
        net::co_spawn(ioc_, run_session(*this, std::move(socket)), [](std::exception_ptr e) {
            if (!e) return;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                log::event("error", "proxy.session", std::string("session ended by exception: ") + ex.what());
            }
        });
    }
}

}  // namespace tokengate::proxy
