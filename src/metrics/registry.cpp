#include "tokengate/metrics/registry.hpp"

#include "tokengate/metrics/labels.hpp"
#include "tokengate/metrics/worker_metrics.hpp"

#include <algorithm>

namespace tokengate::metrics {
namespace {

// Distinct (provider, result) pairs kept for tokengate_jwks_fetches_total: results are
// free text from the fetcher, so their number must not grow without bound.
constexpr std::size_t max_jwks_series = 1024;

histogram_snapshot zero_histogram(std::span<const double> bounds) {
    return histogram_snapshot{bounds, std::vector<std::uint64_t>(bounds.size() + 1, 0), 0};
}

std::uint16_t intern(std::vector<std::string>& names, std::string_view name, std::uint16_t limit) {
    const auto it = std::find(names.begin(), names.end(), name);
    if (it != names.end()) return static_cast<std::uint16_t>(it - names.begin());
    if (names.size() >= static_cast<std::size_t>(limit - 1)) return static_cast<std::uint16_t>(limit - 1);
    names.emplace_back(name);
    return static_cast<std::uint16_t>(names.size() - 1);
}

std::string_view name_of(const std::vector<std::string>& names, std::uint32_t id, std::uint16_t limit) {
    if (id == static_cast<std::uint32_t>(limit - 1)) return overflow_label;
    return id < names.size() ? std::string_view(names[id]) : std::string_view();
}

void render_histogram(text_writer& w, family f, const histogram_snapshot& h) {
    begin(w, f);
    const std::vector<std::uint64_t> cumulative = h.cumulative();
    w.histogram(info(f).name, {}, h.bounds, cumulative, h.sum);
}

void render_counter(text_writer& w, family f, std::uint64_t value) {
    begin(w, f);
    w.sample(info(f).name, value);
}

}  // namespace

std::string_view to_string(outcome o) noexcept {
    switch (o) {
    case outcome::accepted: return "accepted";
    case outcome::anonymous: return "anonymous";
    case outcome::rejected: return "rejected";
    case outcome::upstream_error: return "upstream_error";
    case outcome::bad_request: return "bad_request";
    case outcome::client_closed: return "client_closed";
    }
    return "unknown";  // unreachable for valid enumerators; keeps -Wreturn-type quiet
}

void registry::totals::add(const worker_metrics& m, bool gauges) {
    m.for_each_request([&](std::uint32_t cell, std::uint64_t n) { requests[cell] += n; });
    auth.merge(m.auth_duration());
    upstream.merge(m.upstream_duration());
    token_age.merge(m.token_age());
    cache_hits += m.cache_hits();
    cache_misses += m.cache_misses();
    clock_drift += m.clock_drift();
    if (gauges) cache_entries += m.cache_entries();
}

registry::registry() : provider_names_{""}, route_names_{"", "default"} {
    retired_.auth = zero_histogram(auth_duration_bounds);
    retired_.upstream = zero_histogram(upstream_duration_bounds);
    retired_.token_age = zero_histogram(token_age_bounds);
}

registry::~registry() = default;

std::uint16_t registry::provider_label(std::string_view name) {
    const std::lock_guard lock(mutex_);
    return intern(provider_names_, name, max_provider_labels);
}

std::uint16_t registry::route_label(std::string_view name) {
    const std::lock_guard lock(mutex_);
    return intern(route_names_, name, max_route_labels);
}

void registry::record_jwks_fetch(std::string_view provider, std::string_view result) {
    const std::lock_guard lock(mutex_);
    auto key = std::pair(std::string(provider), std::string(result));
    if (jwks_fetches_.size() >= max_jwks_series && jwks_fetches_.count(key) == 0)
        key = std::pair(std::string(overflow_label), std::string("other"));
    ++jwks_fetches_[key];
}

void registry::record_config_reload(bool success) noexcept {
    (success ? reloads_ok_ : reloads_failed_).fetch_add(1, std::memory_order_relaxed);
}

void registry::record_log_lines_dropped(log_drop_cause cause, std::uint64_t n) noexcept {
    (cause == log_drop_cause::rate_limited ? log_rate_limited_ : log_queue_full_).fetch_add(n, std::memory_order_relaxed);
}

void registry::attach(worker_metrics* m) {
    const std::lock_guard lock(mutex_);
    workers_.push_back(m);
}

void registry::detach(worker_metrics* m) {
    const std::lock_guard lock(mutex_);
    workers_.erase(std::remove(workers_.begin(), workers_.end(), m), workers_.end());
    retired_.add(*m, false);  // the cache it mirrored is gone with it: no gauge to keep
}

void registry::render_requests(text_writer& w, const totals& t) const {
    begin(w, family::requests);
    constexpr std::uint32_t per_slot = max_provider_labels * max_route_labels;
    for (const auto& [cell, n] : t.requests) {
        const auto [o, why] = slot_labels(cell / per_slot);
        const label labels[] = {
            {"outcome", to_string(o)},
            {"reason", why ? to_string(*why) : std::string_view()},
            {"provider", name_of(provider_names_, (cell / max_route_labels) % max_provider_labels, max_provider_labels)},
            {"route", name_of(route_names_, cell % max_route_labels, max_route_labels)},
        };
        w.sample(info(family::requests).name, labels, n);
    }
}

void registry::render(text_writer& w) const {
    const std::lock_guard lock(mutex_);
    totals t = retired_;
    for (const worker_metrics* m : workers_) t.add(*m, true);
    render_requests(w, t);
    render_histogram(w, family::auth_duration, t.auth);
    render_histogram(w, family::upstream_duration, t.upstream);
    render_histogram(w, family::token_age, t.token_age);
    render_counter(w, family::token_cache_hits, t.cache_hits);
    render_counter(w, family::token_cache_misses, t.cache_misses);
    begin(w, family::token_cache_entries);
    w.sample(info(family::token_cache_entries).name, t.cache_entries);
    render_counter(w, family::clock_drift, t.clock_drift);
    begin(w, family::config_reloads);
    w.sample(info(family::config_reloads).name, {{"result", "success"}}, reloads_ok_.load(std::memory_order_relaxed));
    w.sample(info(family::config_reloads).name, {{"result", "failure"}},
             reloads_failed_.load(std::memory_order_relaxed));
    begin(w, family::log_lines_dropped);
    w.sample(info(family::log_lines_dropped).name, {{"cause", "rate_limited"}},
             log_rate_limited_.load(std::memory_order_relaxed));
    w.sample(info(family::log_lines_dropped).name, {{"cause", "queue_full"}},
             log_queue_full_.load(std::memory_order_relaxed));
    begin(w, family::jwks_fetches);
    for (const auto& [key, n] : jwks_fetches_)
        w.sample(info(family::jwks_fetches).name, {{"provider", key.first}, {"result", key.second}}, n);
}

registry& global() {
    static registry r;
    return r;
}

void record_jwks_fetch(std::string_view provider, std::string_view result) { global().record_jwks_fetch(provider, result); }

void record_config_reload(bool success) { global().record_config_reload(success); }

}  // namespace tokengate::metrics
