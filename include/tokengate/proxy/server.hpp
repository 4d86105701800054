#pragma once

#include "tokengate/proxy/key_manager.hpp"
#include "tokengate/proxy/runtime.hpp"
#include "tokengate/proxy/worker.hpp"

#include <boost/asio/signal_set.hpp>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace tokengate::proxy {

/** The running proxy: N workers (one thread and event loop each) on the main listener,
 *  the admin listener and signal handling on the calling thread. */
class server {
public:
    /** `config_path` is re-read on SIGHUP; `rt` is the validated initial snapshot. */
    server(std::string config_path, runtime_ptr rt);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /** Binds the listeners (throws on failure), serves until SIGTERM/SIGINT, drains
     *  in-flight requests up to the drain timeout and returns the exit status. */
    int run();

    /** The snapshot workers currently use (admin endpoints read it). */
    runtime_ptr current() const;

    /** Builds and publishes a new snapshot from the config file; keeps the old one and
     *  logs why when the new one is invalid. Returns whether it was applied. */
    bool reload();

    /** Hands a snapshot to every worker. */
    void publish(runtime_ptr rt);

    /** Publishes a copy of the current snapshot in which `provider` has `keys` (the key
     *  manager's hook; control thread). */
    runtime_ptr apply_keys(const std::string& provider, const validate::keys_state& keys);

    shared_state& shared() noexcept { return shared_; }

private:
    net::awaitable<void> wait_signals();
    /** Every second: reports suppressed rejection lines and lines the log queue dropped,
     *  even when nothing else is logged. */
    net::awaitable<void> report_log_gaps();

    std::string config_path_;
    runtime_ptr rt_;
    shared_state shared_;
    net::io_context control_{1};
    key_manager keys_{control_, [this](const std::string& p, const validate::keys_state& k) { return apply_keys(p, k); }};
    /** Lives as long as the server, from before the listeners open: a second SIGTERM during
     *  the drain (or one right at start) is caught, never the default "terminate". */
    std::optional<net::signal_set> signals_;
    std::vector<std::unique_ptr<worker>> workers_;
    std::vector<std::thread> threads_;
    std::uint64_t next_generation_ = 1;
};

/** Loads a config file and builds a snapshot; errors and warnings are logged. */
std::shared_ptr<runtime> load_runtime(const std::string& config_path, std::uint64_t generation, std::string& error);

}  // namespace tokengate::proxy
