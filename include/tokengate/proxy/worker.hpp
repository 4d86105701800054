#pragma once

#include "tokengate/metrics/worker_metrics.hpp"
#include "tokengate/proxy/net.hpp"
#include "tokengate/proxy/relay_buffers.hpp"
#include "tokengate/proxy/runtime.hpp"
#include "tokengate/proxy/token_cache.hpp"
#include "tokengate/proxy/upstream_pool.hpp"

#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <unordered_set>

namespace tokengate::proxy {

class key_manager;

/** Counters and switches shared by all workers (atomics only). */
struct shared_state {
    std::atomic<std::size_t> open_connections{0};
    std::atomic<std::uint64_t> request_counter{0};
    std::atomic<bool> draining{false};
    key_manager* keys = nullptr;  //!< set before the workers start; unknown-kid refetches go here
};

/** One event loop, one thread: its own acceptor (SO_REUSEPORT), upstream pool, token
 *  cache and runtime pointer, so the request path takes no locks. */
class worker {
public:
    worker(shared_state& shared, runtime_ptr rt, int index);

    net::io_context& ioc() noexcept { return ioc_; }
    const runtime_ptr& current() const noexcept { return rt_; }
    token_cache& cache() noexcept { return cache_; }
    upstream_pool& pool() noexcept { return pool_; }
    relay_buffers& buffers() noexcept { return buffers_; }
    shared_state& shared() noexcept { return shared_; }
    metrics::worker_metrics& metrics() noexcept { return metrics_; }
    int index() const noexcept { return index_; }

    /** Opens the acceptor on `ep` (reuse_port) and starts accepting; returns the bound
     *  endpoint (port 0 picks one). Throws on failure. */
    tcp::endpoint listen(const tcp::endpoint& ep);

    /** Replaces the snapshot (posted onto this worker's thread by the server). */
    void set_runtime(runtime_ptr rt) { rt_ = std::move(rt); }

    /** Stops accepting new connections and closes connections idle between requests (drain). */
    void stop_accepting();

    /** Sessions waiting for a next request register here so a drain can close them. */
    void track_idle(stream* s) { idle_.insert(s); }
    void untrack_idle(stream* s) { idle_.erase(s); }

private:
    net::awaitable<void> accept_loop();
    void arm_tick();

    // Declared before ioc_ so they outlive it: destroying ioc_ destroys the coroutine
    // frames of connections still open, whose cleanup counts and untracks them and
    // gives their relay buffers back.
    metrics::worker_metrics metrics_;
    std::unordered_set<stream*> idle_;
    relay_buffers buffers_{16};
    net::io_context ioc_{1};
    shared_state& shared_;
    runtime_ptr rt_;
    int index_;
    token_cache cache_;
    upstream_pool pool_;
    std::optional<tcp::acceptor> acceptor_;
    /** Expires every second (worker.cpp explains why). */
    net::steady_timer tick_{ioc_};
};

/** Serves one client connection until it closes, times out or the server drains. */
net::awaitable<void> run_session(worker& w, tcp::socket socket);

}  // namespace tokengate::proxy
