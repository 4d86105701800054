#pragma once

#include <ostream>  // Boost 1.81 string_view needs it before any Beast header

#include "tokengate/reason.hpp"

#include <boost/beast/http/status.hpp>

#include <optional>
#include <string>

namespace tokengate::proxy {

/** What a client is told about a refused request (SPEC §6). */
struct auth_response {
    boost::beast::http::status status = boost::beast::http::status::unauthorized;
    std::string www_authenticate;        //!< "" = no header
    std::optional<int> retry_after_s;    //!< 503 only
    std::string body;                    //!< small JSON object
};

/** The only place that maps a reason to an HTTP status and a WWW-Authenticate challenge
 *  (RFC 6750 §3): 401 invalid_token, 403 insufficient_scope, 503 + Retry-After when keys
 *  are unavailable; no `error` member when no token was sent. The hint goes into the body
 *  only when `expose_hint` (a debug option) is set: clients could use hints to probe. */
auth_response to_http(const rejection& r, const std::string& realm, const std::string& request_id,
                      bool expose_hint);

/** JSON body for proxy-level errors (400, 431, 502, 504, …). */
std::string error_body(std::string_view error, std::string_view detail, const std::string& request_id);

}  // namespace tokengate::proxy
