#include "tokengate/proxy/clock_drift.hpp"

#include <algorithm>
#include <limits>

namespace tokengate::proxy {

std::optional<double> clock_drift_of(const validate::decision& accepted, double now_s) {
    if (!accepted.ev.iat) return std::nullopt;
    const double ahead = *accepted.ev.iat - now_s;
    if (ahead <= 1.0) return std::nullopt;
    return ahead;
}

drift_limiter::drift_limiter(std::chrono::seconds interval) : interval_s_(interval.count()) {
    for (auto& n : next_) n.store(std::numeric_limits<std::int64_t>::min(), std::memory_order_relaxed);
}

bool drift_limiter::allow(std::uint16_t provider, std::int64_t now_s) noexcept {
    auto& next = next_[std::min<std::size_t>(provider, next_.size() - 1)];
    std::int64_t open_at = next.load(std::memory_order_relaxed);
    if (now_s < open_at) return false;
    // Several workers may find the interval open at once; the compare-exchange picks one.
    return next.compare_exchange_strong(open_at, now_s + interval_s_, std::memory_order_relaxed);
}

}  // namespace tokengate::proxy
