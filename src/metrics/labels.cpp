#include "tokengate/metrics/labels.hpp"

#include "tokengate/metrics/registry.hpp"

namespace tokengate::metrics {

std::size_t request_slot(outcome o, std::optional<reason> why) noexcept {
    if (o == outcome::rejected && why) return all_outcomes.size() + static_cast<std::size_t>(*why);
    return static_cast<std::size_t>(o);
}

std::pair<outcome, std::optional<reason>> slot_labels(std::size_t slot) noexcept {
    if (slot < all_outcomes.size()) return {all_outcomes[slot], std::nullopt};
    return {outcome::rejected, all_reasons[(slot - all_outcomes.size()) % all_reasons.size()]};
}

std::uint16_t request_labels::provider(std::optional<std::size_t> index) const noexcept {
    if (!index || *index >= providers.size()) return no_label;
    return providers[*index];
}

std::uint16_t request_labels::route(std::optional<std::size_t> index) const noexcept {
    if (!index) return default_route_label;
    return *index < routes.size() ? routes[*index] : no_label;
}

request_labels make_request_labels(registry& r, const std::vector<std::string>& provider_names,
                                   const std::vector<std::string>& route_paths) {
    request_labels out;
    out.providers.reserve(provider_names.size());
    for (const auto& n : provider_names) out.providers.push_back(r.provider_label(n));
    out.routes.reserve(route_paths.size());
    for (const auto& p : route_paths) out.routes.push_back(r.route_label(p));
    return out;
}

}  // namespace tokengate::metrics
