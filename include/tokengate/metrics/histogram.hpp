#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace tokengate::metrics {

/** Most bucket bounds a histogram may have (+Inf comes on top). */
inline constexpr std::size_t max_buckets = 24;

/** A histogram's counts at one moment: per bucket (not cumulative; the last is +Inf)
 *  and the sum of the observed values. Plain data: merged and rendered by the scrape. */
struct histogram_snapshot {
    std::span<const double> bounds;
    std::vector<std::uint64_t> counts;  //!< bounds.size() + 1 entries
    double sum = 0;

    /** Adds another snapshot of the same layout. */
    void merge(const histogram_snapshot& o);
    /** Counts as the text format wants them: each bucket includes those below it. */
    std::vector<std::uint64_t> cumulative() const;
    std::uint64_t count() const;
};

/** A histogram with fixed buckets (Prometheus `le` semantics: a value lands in the first
 *  bucket whose bound is >= it) written by exactly one thread and read by any. The one
 *  writer makes load+store an exact increment, so observe() needs no locked instruction;
 *  the atomics make the concurrent read by the scrape race-free. */
class histogram {
public:
    /** `bounds` ascending, at most max_buckets, and alive as long as the histogram (the
     *  declared layouts are static arrays). */
    explicit histogram(std::span<const double> bounds);

    /** Records one value; NaN is ignored. Only the owning thread calls this. */
    void observe(double v) noexcept;

    histogram_snapshot snapshot() const;

private:
    std::span<const double> bounds_;
    std::array<std::atomic<std::uint64_t>, max_buckets + 1> counts_{};
    std::atomic<double> sum_{0};
};

}  // namespace tokengate::metrics
