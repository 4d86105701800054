#pragma once

#include "tokengate/result.hpp"

#include <string>
#include <string_view>

namespace tokengate::fetch {

/** `{issuer}/.well-known/openid-configuration` (OIDC Discovery 1.0 §4; a trailing slash
 *  of the issuer is not doubled). */
std::string discovery_url(std::string_view issuer);

/** The `jwks_uri` of a discovery document, after checking that its `issuer` equals the
 *  configured one byte for byte (OIDC Discovery §4.3) and that the URI is https (http
 *  only when allowed). Every refusal says what was found. */
result<std::string> jwks_uri_of(std::string_view document, std::string_view issuer, bool allow_http);

}  // namespace tokengate::fetch
