#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tokengate::proxy {

/** A request target split and normalised, or why it was refused. */
struct normalised_target {
    std::string path;          //!< normalised absolute path, what routes match and the upstream gets
    std::string query;         //!< raw query string without '?', forwarded unchanged
    std::optional<std::string> error;  //!< set when the target is refused (400)
};

/** Normalises an origin-form request target (RFC 3986 §5.2.4, §6.2.2): percent-encoded
 *  unreserved characters decoded, hex digits upper-cased, "." and ".." segments resolved
 *  (never above the root), repeated slashes collapsed. Refused: anything that is not
 *  origin-form, encoded '/', '\' or NUL (%2F, %5C, %00), raw backslashes, control bytes,
 *  malformed percent-escapes. The same path is then used for routing and forwarding, so a
 *  public-path rule cannot be bypassed with "/public/../admin". */
normalised_target normalise_target(std::string_view target);

}  // namespace tokengate::proxy
