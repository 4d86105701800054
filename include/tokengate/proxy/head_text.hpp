#pragma once

#include <ostream>  // Boost 1.81 string_view needs it before any Beast header

#include <boost/beast/http/message.hpp>

#include <string>

namespace tokengate::proxy {

/** Appends the start line, the fields and the empty line of a request header to `out`,
 *  byte for byte what Beast's serializer writes. For a message sent in one piece (no body,
 *  or a body already in memory): one plain buffer write instead of Beast's serializer,
 *  whose generic buffer sequences cost more than the rest of a forwarded request. */
void append_head(std::string& out, const boost::beast::http::request_header<>& h);

/** The same for a response header (the reason phrase is Beast's default when empty). */
void append_head(std::string& out, const boost::beast::http::response_header<>& h);

}  // namespace tokengate::proxy
