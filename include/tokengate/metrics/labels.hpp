#pragma once

#include "tokengate/metrics/metrics.hpp"
#include "tokengate/reason.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tokengate::metrics {

class registry;

/** Label ids: providers and routes are interned once per name (when a config snapshot is
 *  built) so that counting a request is index arithmetic. Ids are never reused, so a
 *  series keeps counting across reloads while its name stays. */
inline constexpr std::uint16_t max_provider_labels = 64;
inline constexpr std::uint16_t max_route_labels = 256;
inline constexpr std::uint16_t no_label = 0;             //!< "": no provider / no route known
inline constexpr std::uint16_t default_route_label = 1;  //!< "default": no route matched
/** Names beyond the limits share the last id, rendered as this value. */
inline constexpr std::string_view overflow_label = "_other";

/** Request counter slots: one per outcome, then one per reason for rejections (the plain
 *  `rejected` slot only counts a rejection without a reason, which the proxy never makes). */
inline constexpr std::size_t request_slots = all_outcomes.size() + all_reasons.size();

/** The slot of an outcome (and, for rejected, its reason). */
std::size_t request_slot(outcome o, std::optional<reason> why) noexcept;

/** Outcome and reason of a slot (inverse of request_slot). */
std::pair<outcome, std::optional<reason>> slot_labels(std::size_t slot) noexcept;

/** The cell of one (slot, provider id, route id) in a worker's request counters. */
constexpr std::uint32_t request_cell(std::size_t slot, std::uint16_t provider, std::uint16_t route) noexcept {
    return static_cast<std::uint32_t>((slot * max_provider_labels + provider) * max_route_labels + route);
}

/** Label ids of one config snapshot's providers and routes, by index. */
struct request_labels {
    std::vector<std::uint16_t> providers;  //!< parallel to the trust snapshot's providers
    std::vector<std::uint16_t> routes;     //!< parallel to the config's routes

    /** The id of provider `index`; no_label when unknown (none chosen, or out of range). */
    std::uint16_t provider(std::optional<std::size_t> index) const noexcept;
    /** The id of route `index`; default_route_label when no route matched. */
    std::uint16_t route(std::optional<std::size_t> index) const noexcept;
};

/** Interns the names (provider names; route paths) in `r`. */
request_labels make_request_labels(registry& r, const std::vector<std::string>& provider_names,
                                   const std::vector<std::string>& route_paths);

}  // namespace tokengate::metrics
