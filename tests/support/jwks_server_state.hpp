#pragma once

// Internals of jwks_server, shared by its two source files; tests include jwks_server.hpp.

#include <ostream>  // Boost 1.81 string_view needs it before any Beast header

#include "support/jwks_server.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace tokengate::test::detail {

namespace net = boost::asio;
using tcp = net::ip::tcp;

/** The plain socket under a TCP or TLS connection: what down() closes. */
using raw_socket = tcp::socket::lowest_layer_type;

/** The event loop of one jwks_server and everything it shares with the test thread. */
struct jwks_server_state {
    // Set before the event loop starts, constant after.
    bool tls = false;
    std::uint16_t port = 0;

    // Shared with the test thread, under mutex.
    mutable std::mutex mutex;
    std::map<std::string, jwks_server::response> responses;
    std::map<std::string, std::vector<jwks_server::request>> requests;
    std::size_t connections = 0;
    std::shared_ptr<net::ssl::context> tls_context;  // the certificate new connections get

    // Event-loop thread only. Declared before io_context: the coroutine frames the
    // io_context destroys at the end still unregister their sockets here.
    std::set<raw_socket*> open_sockets;
    std::uint64_t generation = 0;  // bumped by down(): a connection accepted before it is dropped

    net::io_context ioc;
    std::optional<tcp::acceptor> acceptor;
    net::executor_work_guard<net::io_context::executor_type> work{ioc.get_executor()};
    std::thread thread;

    /** Records the request and returns what to answer it with. */
    jwks_server::response on_request(const std::string& path, jwks_server::request r);
    std::shared_ptr<net::ssl::context> current_tls_context() const;
};

/** Accepts on s.acceptor until it is closed, one session coroutine per connection. */
net::awaitable<void> accept_loop(jwks_server_state& s);

/** Completion handler for every coroutine the server spawns: an exception there is a bug
 *  in the test server and fails the running test. */
void report_exception(std::exception_ptr e);

}  // namespace tokengate::test::detail
