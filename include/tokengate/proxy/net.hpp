#pragma once

#include <ostream>  // Boost 1.81 string_view needs it before any Beast header

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace tokengate::proxy {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

/** Completion token that turns errors into values: `auto [ec, n] = co_await op(...)`. */
inline constexpr auto as_tuple_awaitable = net::as_tuple(net::use_awaitable);

/** A TCP stream whose operations default to returning (error_code, …) tuples: every
 *  expected failure (peer closed, timeout) is a value, never an exception. */
using stream = net::as_tuple_t<net::use_awaitable_t<>>::as_default_on_t<beast::tcp_stream>;

}  // namespace tokengate::proxy
