#pragma once

#include "tokengate/metrics/exposition.hpp"
#include "tokengate/metrics/histogram.hpp"
#include "tokengate/metrics/metrics.hpp"

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tokengate::metrics {

class worker_metrics;

/** The process's metrics: the workers' shards, label names, and the counters that are not
 *  on the request path (reloads, JWKS fetches). Its lock is taken by the scrape, by
 *  snapshot builds (label interning), by a worker's start and end and by rare events,
 *  never by a request. */
class registry {
public:
    registry();
    ~registry();
    registry(const registry&) = delete;
    registry& operator=(const registry&) = delete;

    /** The id of a provider name / route label, interned on first use (ids are never
     *  reused); past the limits every new name shares the overflow id. */
    std::uint16_t provider_label(std::string_view name);
    std::uint16_t route_label(std::string_view name);

    void record_jwks_fetch(std::string_view provider, std::string_view result);
    void record_config_reload(bool success) noexcept;
    /** Counts `n` log lines left out for `cause` (the event log; never on a request's own
     *  path beyond an atomic add). */
    void record_log_lines_dropped(log_drop_cause cause, std::uint64_t n) noexcept;

    /** Writes every family this registry holds, in declared order: all but
     *  open_connections and the provider key gauges, which the admin listener takes from
     *  the running server. */
    void render(text_writer& w) const;

private:
    friend class worker_metrics;

    // Sums of the shards' values (of shards that went away, or of all at a scrape).
    struct totals {
        std::map<std::uint32_t, std::uint64_t> requests;
        histogram_snapshot auth;
        histogram_snapshot upstream;
        histogram_snapshot token_age;
        std::uint64_t cache_hits = 0;
        std::uint64_t cache_misses = 0;
        std::uint64_t cache_entries = 0;
        std::uint64_t clock_drift = 0;

        void add(const worker_metrics& m, bool gauges);
    };

    void attach(worker_metrics* m);
    void detach(worker_metrics* m);
    void render_requests(text_writer& w, const totals& t) const;

    mutable std::mutex mutex_;
    std::vector<worker_metrics*> workers_;
    totals retired_;
    std::vector<std::string> provider_names_;
    std::vector<std::string> route_names_;
    std::map<std::pair<std::string, std::string>, std::uint64_t> jwks_fetches_;
    std::atomic<std::uint64_t> reloads_ok_{0};
    std::atomic<std::uint64_t> reloads_failed_{0};
    std::atomic<std::uint64_t> log_rate_limited_{0};
    std::atomic<std::uint64_t> log_queue_full_{0};
};

/** The process-wide registry the proxy and the admin listener use. */
registry& global();

}  // namespace tokengate::metrics
