#include "tokengate/metrics/worker_metrics.hpp"

#include "tokengate/metrics/registry.hpp"

#include <new>

namespace tokengate::metrics {

worker_metrics::worker_metrics(registry& r)
    : registry_(r),
      chunks_(new std::atomic<std::atomic<std::uint64_t>*>[chunk_count]()),
      auth_(auth_duration_bounds),
      upstream_(upstream_duration_bounds),
      token_age_(token_age_bounds) {
    registry_.attach(this);
}

worker_metrics::~worker_metrics() {
    registry_.detach(this);  // folds the counts into the registry first: counters never go back
    for (std::size_t c = 0; c < chunk_count; ++c) delete[] chunks_[c].load(std::memory_order_relaxed);
}

void worker_metrics::count_request(outcome o, std::optional<reason> why, std::uint16_t provider,
                                   std::uint16_t route) noexcept {
    if (provider >= max_provider_labels) provider = max_provider_labels - 1;
    if (route >= max_route_labels) route = max_route_labels - 1;
    const std::size_t c = request_slot(o, why) * max_provider_labels + provider;
    std::atomic<std::uint64_t>* chunk = chunks_[c].load(std::memory_order_relaxed);  // this thread stores it
    if (chunk == nullptr) {
        // Once per (outcome/reason, provider) in the worker's life: the only allocation here.
        // Out of memory, the request is not counted rather than the worker ended.
        chunk = new (std::nothrow) std::atomic<std::uint64_t>[max_route_labels]();
        if (chunk == nullptr) return;
        chunks_[c].store(chunk, std::memory_order_release);
    }
    bump(chunk[route]);
}

void worker_metrics::set_token_cache(std::uint64_t hits, std::uint64_t misses, std::uint64_t entries) noexcept {
    cache_hits_.store(hits, std::memory_order_relaxed);
    cache_misses_.store(misses, std::memory_order_relaxed);
    cache_entries_.store(entries, std::memory_order_relaxed);
}

}  // namespace tokengate::metrics
