#pragma once

#include "tokengate/config/config.hpp"
#include "tokengate/metrics/labels.hpp"
#include "tokengate/validate/validator.hpp"

#include <cstdint>
#include <memory>
#include <vector>

namespace tokengate::proxy {

/** Everything a request needs to be decided, as one immutable snapshot. A reload or a
 *  key refresh builds a new one and hands it to every worker; requests in flight keep
 *  the snapshot they started with. */
struct runtime {
    config::config cfg;
    validate::trust trust;
    std::vector<validate::route_policy> route_policies;  //!< parallel to cfg.routes
    metrics::request_labels metric_labels;                //!< label ids of trust.providers and cfg.routes
    std::uint64_t generation = 0;                         //!< distinguishes snapshots in the token cache
};

using runtime_ptr = std::shared_ptr<const runtime>;

/** Builds the route policies of a snapshot from its config (call after filling cfg/trust). */
std::vector<validate::route_policy> make_route_policies(const config::config& cfg);

}  // namespace tokengate::proxy
