#pragma once

#include "tokengate/metrics/labels.hpp"
#include "tokengate/validate/validator.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

namespace tokengate::proxy {

/** How far an accepted token's `iat` lies ahead of `now_s` (seconds), when that is more
 *  than rounding: iat is usually whole seconds, so a lead of up to 1 s is normal and
 *  gives nullopt, as does a token without iat. SPEC §8: such tokens pass (the leeway
 *  covers them) but mean the issuer's clock and this host's disagree. */
std::optional<double> clock_drift_of(const validate::decision& accepted, double now_s);

/** Lets through at most one clock.drift warning per provider per interval, across every
 *  worker thread, without a lock (drifting clocks drift for every request). */
class drift_limiter {
public:
    explicit drift_limiter(std::chrono::seconds interval);

    /** True when a warning for provider label `provider` may be written at `now_s`; the
     *  caller that gets true owns the interval. */
    bool allow(std::uint16_t provider, std::int64_t now_s) noexcept;

private:
    std::int64_t interval_s_;
    // Per provider label: the first second at which the next warning may be written.
    std::array<std::atomic<std::int64_t>, metrics::max_provider_labels> next_{};
};

}  // namespace tokengate::proxy
