#pragma once

#include <ostream>  // Boost 1.81 string_view needs it before any Beast header

#include "tokengate/config/config.hpp"

#include <boost/beast/http/fields.hpp>
#include <rapidjson/document.h>

#include <string_view>

namespace tokengate::proxy {

/** Removes hop-by-hop headers (RFC 9110 §7.6.1): Connection and every header it names,
 *  Keep-Alive, Proxy-Connection, TE, Trailer, Upgrade, Proxy-Authorization,
 *  Proxy-Authenticate. Transfer-Encoding is left to the serializer (framing is re-done
 *  per hop). With `keep_upgrade` the Upgrade header and "Connection: upgrade" survive. */
void strip_hop_by_hop(boost::beast::http::fields& h, bool keep_upgrade);

/** Appends the peer to X-Forwarded-For; sets X-Forwarded-Proto and -Host when the
 *  ingress did not. */
void set_forwarded(boost::beast::http::fields& h, std::string_view client_ip, std::string_view host);

/** Removes every header tokengate itself sets from claims, so a client cannot spoof them;
 *  spellings with '_' for '-' go too (CGI-style upstreams read them as the same header). */
void strip_identity(boost::beast::http::fields& h, const config::identity_config& id);

/** Adds identity headers from verified claims: strings as they are, numbers and booleans
 *  as text, arrays of strings comma-joined, other values as JSON; a value containing
 *  control characters is left out (never forwarded half-sanitised). */
void add_identity(boost::beast::http::fields& h, const config::identity_config& id, const rapidjson::Value& claims,
                  std::string_view payload_json, std::string_view provider);

}  // namespace tokengate::proxy
