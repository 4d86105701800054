#include "tokengate/metrics/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace tokengate::metrics {

void histogram_snapshot::merge(const histogram_snapshot& o) {
    if (counts.size() < o.counts.size()) counts.resize(o.counts.size(), 0);
    for (std::size_t i = 0; i < o.counts.size(); ++i) counts[i] += o.counts[i];
    sum += o.sum;
    if (bounds.empty()) bounds = o.bounds;
}

std::vector<std::uint64_t> histogram_snapshot::cumulative() const {
    std::vector<std::uint64_t> out(counts.size());
    std::uint64_t running = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) out[i] = running += counts[i];
    return out;
}

std::uint64_t histogram_snapshot::count() const {
    std::uint64_t n = 0;
    for (const auto c : counts) n += c;
    return n;
}

histogram::histogram(std::span<const double> bounds) : bounds_(bounds) {
    if (bounds.size() > max_buckets || !std::is_sorted(bounds.begin(), bounds.end()))
        throw std::invalid_argument("histogram bounds must be ascending and at most max_buckets");
}

void histogram::observe(double v) noexcept {
    if (std::isnan(v)) return;
    const auto i = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
    auto& c = counts_[i];
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    sum_.store(sum_.load(std::memory_order_relaxed) + v, std::memory_order_relaxed);
}

histogram_snapshot histogram::snapshot() const {
    histogram_snapshot s;
    s.bounds = bounds_;
    s.counts.resize(bounds_.size() + 1);
    for (std::size_t i = 0; i < s.counts.size(); ++i) s.counts[i] = counts_[i].load(std::memory_order_relaxed);
    s.sum = sum_.load(std::memory_order_relaxed);
    return s;
}

}  // namespace tokengate::metrics
