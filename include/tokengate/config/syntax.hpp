#pragma once

#include "tokengate/config/config.hpp"
#include "tokengate/result.hpp"

#include <string_view>

namespace tokengate::config {

/** A listen address: "host:port", "[v6]:port" or ":port" (every IPv4 interface). The host
 *  must be an IP address literal: a listener never resolves names. */
result<endpoint> parse_listen_address(std::string_view text);

/** The upstream: "http://host[:port][/]" (port 80 by default). https is refused: the
 *  upstream is an API in the same pod, reached over loopback. */
result<endpoint> parse_upstream_url(std::string_view text);

/** An http(s) URL with a host (for jwks_url and discovery issuers); says what is wrong. */
result<std::string_view> check_fetch_url(std::string_view text);

/** An RFC 9110 token (header names, methods, cookie names). */
bool is_http_token(std::string_view s);

/** Why a route path can never match a normalised request path, or "" when it can. */
std::string route_path_problem(std::string_view path);

}  // namespace tokengate::config
