#pragma once

#include "tokengate/metrics/histogram.hpp"
#include "tokengate/metrics/labels.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>

namespace tokengate::metrics {

class registry;

/** The metrics of one proxy worker thread. Only that thread writes them, so every update
 *  is a relaxed load and store to memory no other thread writes: no lock and no locked
 *  instruction on the request path. The registry reads them (atomically, so without a
 *  data race) when /metrics is scraped, and folds them into its own totals when the
 *  worker goes away. */
class worker_metrics {
public:
    explicit worker_metrics(registry& r);
    ~worker_metrics();
    worker_metrics(const worker_metrics&) = delete;
    worker_metrics& operator=(const worker_metrics&) = delete;

    /** One request in tokengate_requests_total; `why` counts only with outcome::rejected. */
    void count_request(outcome o, std::optional<reason> why, std::uint16_t provider, std::uint16_t route) noexcept;
    void observe_auth_duration(double seconds) noexcept { auth_.observe(seconds); }
    void observe_upstream_duration(double seconds) noexcept { upstream_.observe(seconds); }
    void observe_token_age(double seconds) noexcept { token_age_.observe(seconds); }
    void count_clock_drift() noexcept { bump(clock_drift_); }
    /** Mirrors the worker's token cache (its own counters are plain, thread-local ints). */
    void set_token_cache(std::uint64_t hits, std::uint64_t misses, std::uint64_t entries) noexcept;

    /** Reading side, for the registry (any thread). */
    template <class F>
    void for_each_request(F&& f) const {
        for (std::size_t c = 0; c < chunk_count; ++c) {
            const std::atomic<std::uint64_t>* chunk = chunks_[c].load(std::memory_order_acquire);
            if (chunk == nullptr) continue;
            for (std::uint32_t r = 0; r < max_route_labels; ++r) {
                const std::uint64_t n = chunk[r].load(std::memory_order_relaxed);
                if (n != 0) f(static_cast<std::uint32_t>(c * max_route_labels + r), n);
            }
        }
    }
    histogram_snapshot auth_duration() const { return auth_.snapshot(); }
    histogram_snapshot upstream_duration() const { return upstream_.snapshot(); }
    histogram_snapshot token_age() const { return token_age_.snapshot(); }
    std::uint64_t cache_hits() const noexcept { return cache_hits_.load(std::memory_order_relaxed); }
    std::uint64_t cache_misses() const noexcept { return cache_misses_.load(std::memory_order_relaxed); }
    std::uint64_t cache_entries() const noexcept { return cache_entries_.load(std::memory_order_relaxed); }
    std::uint64_t clock_drift() const noexcept { return clock_drift_.load(std::memory_order_relaxed); }

private:
    // The request counters are chunks of max_route_labels cells, one chunk per (slot,
    // provider), allocated by the writer on first use and published with release order.
    static constexpr std::size_t chunk_count = request_slots * max_provider_labels;

    static void bump(std::atomic<std::uint64_t>& c) noexcept {
        c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }

    registry& registry_;
    std::unique_ptr<std::atomic<std::atomic<std::uint64_t>*>[]> chunks_;
    histogram auth_;
    histogram upstream_;
    histogram token_age_;
    std::atomic<std::uint64_t> cache_hits_{0};
    std::atomic<std::uint64_t> cache_misses_{0};
    std::atomic<std::uint64_t> cache_entries_{0};
    std::atomic<std::uint64_t> clock_drift_{0};
};

}  // namespace tokengate::metrics
