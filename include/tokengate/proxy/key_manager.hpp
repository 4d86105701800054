#pragma once

#include "tokengate/fetch/key_fetch.hpp"
#include "tokengate/proxy/net.hpp"
#include "tokengate/proxy/runtime.hpp"

#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace tokengate::proxy {

/** A request waiting for an unknown-kid refetch. The manager completes it on the
 *  request's own thread by setting `fresh` and cancelling `timer`; the request waits on
 *  `timer`, whose expiry bounds the wait. */
struct refetch_waiter {
    explicit refetch_waiter(const net::any_io_executor& ex) : timer(ex) {}
    net::steady_timer timer;
    runtime_ptr fresh;  //!< the snapshot with newly fetched keys; null when nothing new came
};

/** Keeps every remote provider's keys fresh (SPEC §4): fetched in the background from
 *  start-up, refreshed ahead of expiry within the Cache-Control bounds, kept on failure
 *  (up to max_stale past their lifetime) while retries back off, and refetched at most
 *  once per interval for unknown kids, coalesced across requests. Lives on the control
 *  thread; new key states reach the workers through `apply`, which publishes a snapshot. */
class key_manager {
public:
    /** Builds and publishes a snapshot in which `provider` has `keys`; returns it. */
    using apply_fn = std::function<runtime_ptr(const std::string& provider, const validate::keys_state& keys)>;

    key_manager(net::io_context& control, apply_fn apply);
    key_manager(const key_manager&) = delete;
    key_manager& operator=(const key_manager&) = delete;
    ~key_manager();

    /** Control thread, before `rt` is published (start-up and reload): gives `rt`'s remote
     *  providers the keys already fetched for the same origin, starts fetching for new
     *  ones, and stops fetching for providers that are gone or changed origin. */
    void adopt(runtime& rt);

    /** Any thread: `provider` saw an unknown kid. Joins a fetch in flight, or starts one
     *  unless one ran within the provider's unknown_kid_interval. `w` (may be null) is
     *  completed when that fetch ends, or at once when none is allowed. */
    void request_refetch(const std::string& provider, std::shared_ptr<refetch_waiter> w);

    /** Control thread: ends every fetch loop (drain). */
    void stop();

private:
    struct provider_state;
    net::awaitable<void> run(std::shared_ptr<provider_state> st);
    void on_refetch_request(const std::string& provider, std::shared_ptr<refetch_waiter> w);
    void finish(provider_state& st, const fetch::key_fetch_result& r);

    net::io_context& control_;
    apply_fn apply_;
    std::map<std::string, std::shared_ptr<provider_state>> states_;
};

}  // namespace tokengate::proxy
