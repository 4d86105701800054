#pragma once

#include <ostream>  // Boost 1.81 string_view needs it before any Beast header

#include "tokengate/config/config.hpp"
#include "tokengate/validate/extract.hpp"

#include <boost/beast/http/fields.hpp>

#include <string_view>
#include <vector>

namespace tokengate::proxy {

/** Finds the request's token in the configured places (SPEC §3). A token found in two
 *  places, or two Authorization headers, is ambiguous and refused (malformed_token);
 *  nothing found is missing_token (with the Authorization scheme hint when relevant). */
validate::extraction find_token(const boost::beast::http::fields& headers, std::string_view query,
                                const std::vector<config::token_source>& sources);

}  // namespace tokengate::proxy
