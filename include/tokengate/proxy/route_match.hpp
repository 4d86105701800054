#pragma once

#include "tokengate/config/config.hpp"

#include <string_view>
#include <vector>

namespace tokengate::proxy {

/** The first route whose path and method match, or nullptr. Paths are compared on the
 *  normalised path; a prefix matches whole segments only ("/api" matches "/api" and
 *  "/api/x", never "/apix"; "/api/" matches "/api/x"). Methods compare exactly. */
const config::route_config* match_route(const std::vector<config::route_config>& routes, std::string_view path,
                                        std::string_view method);

}  // namespace tokengate::proxy
