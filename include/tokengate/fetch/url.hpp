#pragma once

#include "tokengate/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace tokengate::fetch {

/** An http(s) URL split for a client: where to connect and what to ask for. */
struct url {
    bool tls = true;
    std::string host;    //!< name or IP address, IPv6 without brackets
    std::uint16_t port = 443;
    std::string target;  //!< path and query, "/" when the URL has none
    std::string text;    //!< the URL as given, for messages

    /** The Host header value: host[:port], brackets around IPv6, default port omitted. */
    std::string authority() const;
};

/** Parses "https://host[:port][/path][?query]" (or http://). Refuses credentials,
 *  fragments, whitespace and control characters, and ports outside 1–65535. */
result<url> parse_url(std::string_view text);

/** A URL fit for messages and logs: without its query and fragment (an API key or a token
 *  may travel there) and without user info. */
std::string display_url(std::string_view text);

/** Whether `host` is an IPv4 or IPv6 literal (no SNI is sent for those, RFC 6066 §3). */
bool is_ip_literal(std::string_view host);

}  // namespace tokengate::fetch
