#pragma once

#include <ostream>  // Boost 1.81 string_view needs it before any Beast header

#include "tokengate/config/config.hpp"

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/status.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tokengate::proxy {

/** A request head the proxy refuses before deciding anything: the status to answer and
 *  why (for the log line and the JSON body). */
struct head_refusal {
    boost::beast::http::status status = boost::beast::http::status::bad_request;
    std::string detail;
};

/** Checks and parses one complete request head, from the request line through the empty
 *  line, before anything is routed or authenticated: size against max_header_bytes,
 *  obs-fold (RFC 9112 §5.2), Beast's parse with the configured header and body limits,
 *  framing (Transfer-Encoding other than one plain "chunked": RFC 9112 §6.3; any in an
 *  HTTP/1.0 request: §6.1) and the HTTP version. On success `p` holds the header and has consumed all of `head`. Sockets play
 *  no part, so the session and the HTTP fuzz target run the very same checks. */
std::optional<head_refusal> parse_head(std::string_view head, const config::limits_config& limits,
                                       boost::beast::http::request_parser<boost::beast::http::empty_body>& p);

}  // namespace tokengate::proxy
