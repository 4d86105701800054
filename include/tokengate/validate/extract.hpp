#pragma once

#include "tokengate/reason.hpp"

#include <optional>
#include <span>
#include <string_view>

namespace tokengate::validate {

/** A bearer token found in a request, or why none was. */
struct extraction {
    std::optional<std::string_view> token;  //!< view into the header value
    std::optional<rejection> error;
};

/** RFC 6750 §2.1 extraction from every `Authorization` value of a request: exactly one
 *  header, scheme `Bearer` (case-insensitive), one token. */
extraction extract_bearer(std::span<const std::string_view> authorization_values);

}  // namespace tokengate::validate
