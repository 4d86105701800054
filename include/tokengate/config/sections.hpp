#pragma once

#include "tokengate/config/config.hpp"
#include "tokengate/config/object_reader.hpp"

#include <rapidjson/document.h>

#include <string>

namespace tokengate::config {

// Readers of one config section each. Every reader reports its problems through the
// context at the JSON path it was given and returns what it could read (defaults kept
// for bad values); parse_config decides from the error list whether a config results.

/** One element of "providers". */
provider_config read_provider(load_context& ctx, const rapidjson::Value& v, const std::string& path);

/** "required_claims", "required_scopes" and "claims" of a provider or a route. */
validate::requirements read_requirements(object_reader& r);

/** One element of "token_sources". */
token_source read_token_source(load_context& ctx, const rapidjson::Value& v, const std::string& path);

/** One element of "routes" (provider names are checked later, against all providers). */
route_config read_route(load_context& ctx, const rapidjson::Value& v, const std::string& path);

/** "jwks_cache" of a provider with a remote key source. */
jwks_cache_config read_jwks_cache(load_context& ctx, const rapidjson::Value& v, const std::string& path);

/** "limits". */
limits_config read_limits(load_context& ctx, const rapidjson::Value& v, const std::string& path);

/** "identity_headers", "payload_header" and "provider_header" of the top-level object. */
identity_config read_identity(object_reader& top);

/** "required" | "optional" | "none" under `key`, or nullopt (missing or reported). */
std::optional<auth_mode> read_auth_mode(object_reader& r, std::string_view key);

/** "forward_auth". */
forward_auth_config read_forward_auth(load_context& ctx, const rapidjson::Value& v, const std::string& path);

/** "log". */
log_config read_log(load_context& ctx, const rapidjson::Value& v, const std::string& path);

}  // namespace tokengate::config
