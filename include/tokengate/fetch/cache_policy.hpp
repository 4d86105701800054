#pragma once

#include "tokengate/config/config.hpp"

#include <chrono>
#include <optional>
#include <string_view>

namespace tokengate::fetch {

/** The freshness lifetime a response grants (RFC 9111 §5.2.2): max-age in seconds,
 *  0 for no-cache / no-store, nullopt when the header says nothing usable. */
std::optional<std::chrono::seconds> max_age(std::string_view cache_control);

/** How long a freshly fetched key set counts as current: max-age clamped to the
 *  configured bounds, the configured default without one. */
std::chrono::seconds lifetime(std::optional<std::chrono::seconds> max_age, const config::jwks_cache_config& c);

/** When to refetch, ahead of the lifetime's end: a random point in [75 %, 90 %] of it,
 *  so a fleet started together does not fetch in lockstep. `unit` is a uniform random
 *  number in [0, 1). */
std::chrono::milliseconds refresh_delay(std::chrono::seconds lifetime, double unit);

/** Delay before retry number `attempt` (1 = first retry) after failed fetches:
 *  retry_min doubling per attempt up to retry_max, minus up to 20 % jitter. */
std::chrono::milliseconds retry_delay(unsigned attempt, const config::jwks_cache_config& c, double unit);

}  // namespace tokengate::fetch
