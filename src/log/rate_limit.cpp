#include "tokengate/log/rate_limit.hpp"

namespace tokengate::log {

bool rejection_limiter::allow(reason r, std::int64_t now_s) {
    const std::lock_guard lock(mutex_);
    window& w = windows_[static_cast<std::size_t>(r)];
    if (w.second != now_s) {
        // Suppressions not yet reported (take_reports was not called in between) move
        // into the new window's count rather than being lost.
        const std::uint64_t carried = w.suppressed;
        w = window{now_s, 0, carried};
    }
    if (w.used >= per_second_) {
        ++w.suppressed;
        return false;
    }
    ++w.used;
    return true;
}

std::vector<rejection_limiter::report> rejection_limiter::take_reports(std::int64_t now_s) {
    std::vector<report> out;
    const std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < windows_.size(); ++i) {
        window& w = windows_[i];
        if (w.suppressed == 0 || w.second >= now_s) continue;
        out.push_back(report{all_reasons[i], w.suppressed, w.second});
        w.suppressed = 0;
    }
    return out;
}

}  // namespace tokengate::log
