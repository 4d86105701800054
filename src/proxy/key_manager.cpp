#include "tokengate/proxy/key_manager.hpp"

#include "tokengate/fetch/cache_policy.hpp"
#include "tokengate/fetch/url.hpp"
#include "tokengate/log/event_log.hpp"
#include "tokengate/metrics/registry.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include <random>
#include <vector>

namespace tokengate::proxy {
namespace {

using steady = std::chrono::steady_clock;
using std::chrono::system_clock;

double unit_random() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

std::string seconds_text(std::chrono::milliseconds d) {
    return std::to_string((d.count() + 500) / 1000) + " s";
}

void complete(const std::shared_ptr<refetch_waiter>& w, runtime_ptr fresh) {
    if (!w) return;
    net::post(w->timer.get_executor(), [w, fresh = std::move(fresh)]() mutable {
        w->fresh = std::move(fresh);
        w->timer.cancel();
    });
}

}  // namespace

struct key_manager::provider_state {
    provider_state(net::io_context& io, fetch::remote_source s) : src(std::move(s)), wake(io) {}

    fetch::remote_source src;
    validate::keys_state keys;         //!< what the published snapshot holds for this provider
    std::string jwks_url;              //!< configured, or learnt by discovery
    steady::time_point good_until{};   //!< end of the current set's lifetime
    net::steady_timer wake;            //!< the wait between fetches; cancelled to fetch at once
    bool stopped = false;
    bool fetching = false;
    bool refetch_requested = false;
    std::optional<steady::time_point> last_kid_refetch;
    std::vector<std::shared_ptr<refetch_waiter>> waiters;
    unsigned failures = 0;
    std::chrono::milliseconds next_delay{0};
    runtime_ptr fresh;                 //!< snapshot published by the last successful fetch
};

key_manager::key_manager(net::io_context& control, apply_fn apply) : control_(control), apply_(std::move(apply)) {}

key_manager::~key_manager() { stop(); }

void key_manager::stop() {
    for (auto& [name, st] : states_) {
        st->stopped = true;
        st->wake.cancel();
        for (auto& w : st->waiters) complete(w, nullptr);
        st->waiters.clear();
    }
    states_.clear();
}

void key_manager::adopt(runtime& rt) {
    std::map<std::string, std::shared_ptr<provider_state>> next;
    for (const auto& pc : rt.cfg.providers) {
        if (!pc.keys.remote()) continue;
        fetch::remote_source src = fetch::remote_source::of(pc);
        auto it = states_.find(pc.name);
        std::shared_ptr<provider_state> st;
        if (it != states_.end() && it->second->src.same_origin(src)) {
            st = it->second;
            st->src = std::move(src);  // new cache timings apply from the next fetch
            for (auto& p : rt.trust.providers)
                if (p.name == pc.name) p.keys = st->keys;
        } else {
            st = std::make_shared<provider_state>(control_, std::move(src));
            st->jwks_url = st->src.jwks_url.value_or("");
            net::co_spawn(control_, run(st), net::detached);
        }
        next.emplace(pc.name, std::move(st));
    }
    for (auto& [name, st] : states_) {
        const auto kept = next.find(name);
        if (kept != next.end() && kept->second == st) continue;
        st->stopped = true;
        st->wake.cancel();
        for (auto& w : st->waiters) complete(w, nullptr);
        st->waiters.clear();
    }
    states_ = std::move(next);
}

void key_manager::request_refetch(const std::string& provider, std::shared_ptr<refetch_waiter> w) {
    net::post(control_, [this, provider, w = std::move(w)]() mutable { on_refetch_request(provider, std::move(w)); });
}

void key_manager::on_refetch_request(const std::string& provider, std::shared_ptr<refetch_waiter> w) {
    const auto it = states_.find(provider);
    if (it == states_.end()) return complete(w, nullptr);
    provider_state& st = *it->second;
    if (st.fetching || st.refetch_requested) {  // single flight: wait for the fetch under way
        if (w) st.waiters.push_back(std::move(w));
        return;
    }
    const auto now = steady::now();
    if (st.last_kid_refetch && now - *st.last_kid_refetch < st.src.cache.unknown_kid_interval)
        return complete(w, nullptr);
    st.last_kid_refetch = now;
    st.refetch_requested = true;
    if (w) st.waiters.push_back(std::move(w));
    st.wake.cancel();
}

void key_manager::finish(provider_state& st, const fetch::key_fetch_result& r) {
    const std::string& name = st.src.provider;
    st.fresh = nullptr;
    metrics::global().record_jwks_fetch(name, fetch::to_string(r.error));
    if (r.ok()) {
        const bool recovered = st.failures > 0;
        st.failures = 0;
        if (!st.src.jwks_url) st.jwks_url = r.jwks_url;
        const std::chrono::seconds life = fetch::lifetime(r.max_age, st.src.cache);
        st.good_until = steady::now() + life;
        st.next_delay = fetch::refresh_delay(life, unit_random());
        st.keys = validate::keys_state{r.keys, "", std::nullopt};
        st.fresh = apply_(name, st.keys);
        const std::string url = fetch::display_url(r.jwks_url);  // an API key may sit in the query
        for (const auto& s : r.skipped)
            log::event("warn", "jwks.key_skipped", "provider " + name + ": " + url + ": key left out: " + s, nullptr, 0,
                       {{"provider", name}});
        std::string kids;
        for (const auto& k : r.keys->kids()) kids += (kids.empty() ? "" : ",") + k;
        log::event("info", "jwks.fetch",
                   "provider " + name + ": " + std::to_string(r.keys->keys.size()) + " key(s) from " + url +
                       (recovered ? " (fetching works again)" : "") + "; next refresh in " + seconds_text(st.next_delay),
                   nullptr, 0,
                   {{"provider", name}, {"result", "success"}, {"url", url}, {"kids", kids},
                    {"max_age_s", r.max_age ? std::to_string(r.max_age->count()) : std::string("none")}});
        return;
    }
    ++st.failures;
    st.next_delay = fetch::retry_delay(st.failures, st.src.cache, unit_random());
    const bool first = st.keys.failing_error.empty();
    if (first) st.keys.failing_since = system_clock::now();
    st.keys.failing_error = r.message;
    bool dropped = false;
    if (st.keys.keys && steady::now() > st.good_until + st.src.cache.max_stale) {
        st.keys.keys = nullptr;
        dropped = true;
    }
    std::string consequence;
    if (dropped) consequence = "the cached keys are past their maximum staleness and are dropped: requests get 503";
    else if (st.keys.keys) consequence = "keeping the " + std::to_string(st.keys.keys->keys.size()) + " cached key(s)";
    else consequence = "no keys yet: requests for this provider get 503";
    log::event(dropped || !st.keys.keys ? "error" : "warn", "jwks.fetch",
               "provider " + name + ": key fetch failed: " + r.message + "; " + consequence + "; retry " +
                   std::to_string(st.failures) + " in " + seconds_text(st.next_delay),
               nullptr, 0, {{"provider", name}, {"result", std::string(fetch::to_string(r.error))}});
    // The failing state feeds hints and /readyz; publish when it first appears or keys go.
    if (first || dropped) apply_(name, st.keys);
}

net::awaitable<void> key_manager::run(std::shared_ptr<provider_state> st) {
    while (!st->stopped) {
        // An unknown-kid refetch reuses the known JWKS URL; a scheduled one re-runs discovery.
        const std::string url = st->refetch_requested || st->src.jwks_url ? st->jwks_url : std::string();
        st->refetch_requested = false;
        st->fetching = true;
        const fetch::key_fetch_result r = co_await fetch::fetch_keys(st->src, url);
        st->fetching = false;
        if (st->stopped) break;
        finish(*st, r);
        for (auto& w : st->waiters) complete(w, st->fresh);
        st->waiters.clear();
        if (st->refetch_requested) continue;
        st->wake.expires_after(st->next_delay);
        co_await st->wake.async_wait(as_tuple_awaitable);
    }
    for (auto& w : st->waiters) complete(w, nullptr);
    st->waiters.clear();
}

}  // namespace tokengate::proxy
