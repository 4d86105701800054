// The event-loop side of jwks_server: accept, TLS handshake, read a request, answer it
// as scripted. No operation has a deadline: a test server lives only as long as its
// test, and down() and the destructor close whatever is still open.
#include "support/jwks_server_state.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <array>

namespace tokengate::test::detail {
namespace {

namespace http = boost::beast::http;
namespace ssl = net::ssl;
using tls_stream = ssl::stream<tcp::socket>;

constexpr auto tuple_awaitable = net::as_tuple(net::use_awaitable);
constexpr std::uint64_t request_body_limit = 1024 * 1024;

// What is left to do with a connection once a request is answered.
enum class next { read_another, close, close_abrupt };

// Keeps a connection's socket in open_sockets while its coroutine frame exists.
class socket_registration {
public:
    socket_registration(jwks_server_state& s, raw_socket& socket) : s_(s), socket_(socket) {
        s_.open_sockets.insert(&socket_);
    }
    ~socket_registration() { s_.open_sockets.erase(&socket_); }
    socket_registration(const socket_registration&) = delete;
    socket_registration& operator=(const socket_registration&) = delete;

private:
    jwks_server_state& s_;
    raw_socket& socket_;
};

jwks_server::request to_record(const http::request<http::string_body>& req, const std::string& sni) {
    jwks_server::request r;
    r.at = std::chrono::steady_clock::now();
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    for (const auto& f : req) r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    r.sni = sni;
    return r;
}

http::response<http::string_body> build(const jwks_server::response& script, unsigned version, bool keep_alive) {
    http::response<http::string_body> res;
    res.version(version);
    res.result(script.status);
    for (const auto& [name, value] : script.headers) res.insert(name, value);
    if (res.find(http::field::content_type) == res.end()) res.set(http::field::content_type, "application/json");
    res.body() = script.body;
    res.keep_alive(keep_alive);
    // truncate_body promises the full length up front, so it never goes chunked.
    if (script.chunked && script.fault_mode != jwks_server::fault::truncate_body) res.chunked(true);
    else res.content_length(script.body.size());
    return res;
}

// Returns when the peer closes or the server closes the socket; data is discarded.
template <class Stream>
net::awaitable<void> wait_until_closed(Stream& stream) {
    std::array<char, 1024> sink{};
    for (;;) {
        auto [ec, n] = co_await stream.async_read_some(net::buffer(sink), tuple_awaitable);
        (void)n;
        if (ec) co_return;
    }
}

template <class Stream>
net::awaitable<next> answer(Stream& stream, const jwks_server::response& script, unsigned version, bool keep_alive) {
    using fault = jwks_server::fault;
    if (script.delay.count() > 0) {
        net::steady_timer timer(stream.get_executor(), script.delay);
        co_await timer.async_wait(tuple_awaitable);
    }
    const next ending = script.abrupt_close ? next::close_abrupt : next::close;
    switch (script.fault_mode) {
        case fault::close_without_response:
            co_return ending;
        case fault::stall_forever:
            co_await wait_until_closed(stream);
            co_return next::close_abrupt;
        case fault::truncate_body: {
            auto res = build(script, version, false);
            http::response_serializer<http::string_body> head(res);
            auto [ec, n] = co_await http::async_write_header(stream, head, tuple_awaitable);
            (void)n;
            if (!ec) co_await net::async_write(stream, net::buffer(script.body.data(), script.body.size() / 2),
                                               tuple_awaitable);
            co_return ending;
        }
        case fault::none: {
            auto res = build(script, version, keep_alive);
            auto [ec, n] = co_await http::async_write(stream, res, tuple_awaitable);
            (void)n;
            if (ec) co_return next::close_abrupt;
            co_return keep_alive ? next::read_another : next::close;
        }
    }
    co_return next::close;
}

template <class Stream>
net::awaitable<next> serve(jwks_server_state& s, Stream& stream, const std::string& sni) {
    boost::beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(request_body_limit);
        auto [ec, n] = co_await http::async_read(stream, buffer, parser, tuple_awaitable);
        (void)n;
        if (ec) co_return next::close_abrupt;  // the client closed, sent garbage, or down() closed it
        const auto& req = parser.get();
        const std::string_view target = req.target();
        const std::string path(target.substr(0, target.find('?')));
        const jwks_server::response script = s.on_request(path, to_record(req, sni));
        const next then = co_await answer(stream, script, req.version(), req.keep_alive());
        if (then != next::read_another) co_return then;
    }
}

void close_socket(raw_socket& socket, bool send_fin) {
    boost::system::error_code ignored;  // the peer may be gone already: nothing to report
    if (send_fin) socket.shutdown(tcp::socket::shutdown_send, ignored);
    socket.close(ignored);
}

net::awaitable<void> plain_session(jwks_server_state& s, tcp::socket socket) {
    const socket_registration registered(s, socket);
    const next then = co_await serve(s, socket, "");
    close_socket(socket, then == next::close);
}

net::awaitable<void> tls_session(jwks_server_state& s, tcp::socket socket, std::shared_ptr<ssl::context> context) {
    tls_stream stream(std::move(socket), *context);
    const socket_registration registered(s, stream.lowest_layer());
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, tuple_awaitable);
    if (ec) {
        close_socket(stream.lowest_layer(), false);  // the client rejected us (or we it): nothing to say
        co_return;
    }
    const char* sni = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
    const next then = co_await serve(s, stream, sni != nullptr ? sni : "");
    if (then == next::close) {
        // Waits for the client's close_notify or EOF; a client that just closes the TCP
        // connection makes this fail with stream_truncated, which is fine here.
        auto [shutdown_ec] = co_await stream.async_shutdown(tuple_awaitable);
        (void)shutdown_ec;
    }
    close_socket(stream.lowest_layer(), false);
}

net::awaitable<void> session(jwks_server_state& s, tcp::socket socket, std::uint64_t generation) {
    if (generation != s.generation) co_return;  // accepted just before down(): dropped with the rest
    if (auto context = s.current_tls_context()) co_await tls_session(s, std::move(socket), std::move(context));
    else co_await plain_session(s, std::move(socket));
}

}  // namespace

net::awaitable<void> accept_loop(jwks_server_state& s) {
    for (;;) {
        auto [ec, socket] = co_await s.acceptor->async_accept(tuple_awaitable);
        if (ec) co_return;  // closed by down() or the destructor
        {
            const std::lock_guard lock(s.mutex);
            ++s.connections;
        }
        net::co_spawn(s.ioc, session(s, std::move(socket), s.generation), report_exception);
    }
}

}  // namespace tokengate::test::detail
