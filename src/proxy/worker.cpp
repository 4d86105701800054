#include "tokengate/proxy/worker.hpp"

#include "tokengate/log/event_log.hpp"
#include "tokengate/metrics/registry.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/socket_base.hpp>

#include <sys/socket.h>

namespace tokengate::proxy {

worker::worker(shared_state& shared, runtime_ptr rt, int index)
    : metrics_(metrics::global()),
      shared_(shared),
      rt_(std::move(rt)),
      index_(index),
      cache_(rt_->cfg.token_cache_entries / static_cast<std::size_t>(std::max(1, rt_->cfg.threads))),
      pool_(ioc_, rt_->cfg.limits.upstream_pool_size) {}

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
    // EMFILE and friends last as long as the shortage, recur every backoff and flap as
    // connections close: at most one error line (with the count since the last) and one
    // recovery line per interval, so an operator sees the episode without a log flood.
    using steady = std::chrono::steady_clock;
    constexpr auto accept_log_interval = std::chrono::seconds(10);
    std::uint64_t unlogged = 0;
    bool failing = false;  // an error line is out and no recovery line since
    std::optional<steady::time_point> error_logged;
    std::optional<steady::time_point> recovery_logged;
    for (;;) {
        auto [ec, socket] = co_await acceptor_->async_accept(as_tuple_awaitable);
        const auto now = steady::now();
        if (ec) {
            if (ec == net::error::operation_aborted || !acceptor_->is_open()) co_return;
            if (!error_logged || now - *error_logged >= accept_log_interval) {
                log::event("error", "proxy.accept",
                           "cannot accept connections: " + ec.message() +
                               (unlogged ? " (" + std::to_string(unlogged) + " more failures since the last line)" : "") +
                               "; open connections are still served, retrying every 50 ms");
                error_logged = now;
                unlogged = 0;
                failing = true;
            } else {
                ++unlogged;
            }
            net::steady_timer t(ioc_, std::chrono::milliseconds(50));
            co_await t.async_wait(as_tuple_awaitable);
            continue;
        }
        if (failing && (!recovery_logged || now - *recovery_logged >= accept_log_interval)) {
            log::event("info", "proxy.accept", "accepting connections again");
            recovery_logged = now;
            failing = false;
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
