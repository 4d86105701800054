#include "tokengate/fetch/http_get.hpp"

#include "tokengate/proxy/net.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace tokengate::fetch {
namespace {

using proxy::as_tuple_awaitable;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using clock = std::chrono::steady_clock;

get_result failed(fetch_error kind, std::string message) {
    get_result r;
    r.error = kind;
    r.message = std::move(message);
    return r;
}

std::string ms_text(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

// The TLS client context: verification on, TLS 1.2 at least, trust from the configured
// bundle or the system store.
std::optional<std::string> setup_tls(ssl::context& ctx, const get_options& opt) {
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    ctx.set_verify_mode(ssl::verify_peer);
    boost::system::error_code ec;
    if (opt.ca_file) ctx.load_verify_file(*opt.ca_file, ec);
    else ctx.set_default_verify_paths(ec);
    if (ec)
        return opt.ca_file ? "cannot load CA file " + *opt.ca_file + ": " + ec.message()
                           : "cannot load the system CA store: " + ec.message();
    return std::nullopt;
}

// SNI for names only (RFC 6066 §3), and the peer certificate must match the host: an
// IP address against iPAddress SANs, a name against dNSName SANs.
void expect_peer(SSL* ssl, const std::string& host) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (is_ip_literal(host)) {
        X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    } else {
        // SSL_set_tlsext_host_name() is a macro with a C cast; this is its expansion.
        SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(host.c_str()));
        X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
    }
}

std::string handshake_error(SSL* ssl, const boost::system::error_code& ec, const url& u) {
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK)
        return "TLS: certificate of " + u.authority() + " refused: " + X509_verify_cert_error_string(verify);
    return "TLS handshake with " + u.authority() + " failed: " + ec.message();
}

template <class Stream>
net::awaitable<get_result> exchange(Stream& s, beast::tcp_stream& tcp_layer, const url& u, const get_options& opt,
                                    clock::time_point deadline) {
    http::request<http::empty_body> req{http::verb::get, u.target, 11};
    req.set(http::field::host, u.authority());
    req.set(http::field::user_agent, "tokengate");
    req.set(http::field::accept, "application/json, application/jwk-set+json");
    req.set(http::field::connection, "close");
    tcp_layer.expires_at(deadline);
    if (auto [ec, n] = co_await http::async_write(s, req, as_tuple_awaitable); ec)
        co_return failed(ec == beast::error::timeout ? fetch_error::timeout : fetch_error::connect,
                         "sending the request to " + u.authority() + " failed: " + ec.message());
    beast::flat_buffer buf;
    http::response_parser<http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(opt.max_bytes);
    auto [ec, n] = co_await http::async_read(s, buf, parser, as_tuple_awaitable);
    (void)n;
    if (ec == http::error::body_limit)
        co_return failed(fetch_error::too_large, "response from " + u.authority() + " exceeds the " +
                                                     std::to_string(opt.max_bytes) + "-byte limit");
    if (ec == beast::error::timeout)
        co_return failed(fetch_error::timeout, "no complete response from " + u.authority() + " within " +
                                                   ms_text(opt.timeout));
    if (ec == http::error::partial_message || ec == http::error::end_of_stream || ec == net::error::eof ||
        ec == ssl::error::stream_truncated)
        co_return failed(fetch_error::bad_response,
                         u.authority() + " closed the connection before the response was complete (" +
                             (parser.is_header_done() ? std::to_string(parser.get().body().size()) + " body bytes read)"
                                                      : "no complete header)"));
    if (ec) co_return failed(fetch_error::bad_response, "reading the response from " + u.authority() + ": " + ec.message());
    auto& res = parser.get();
    get_result r;
    r.status = res.result_int();
    r.content_type = std::string(res[http::field::content_type]);
    r.cache_control = std::string(res[http::field::cache_control]);
    if (r.status != 200) {
        std::string why = "HTTP " + std::to_string(r.status) + " " + std::string(res.reason()) + " from " + u.text;
        if (r.status / 100 == 3 && res.count(http::field::location) != 0)
            why += " (redirect to " + std::string(res[http::field::location]) + " not followed; configure that URL)";
        co_return failed(fetch_error::http_status, std::move(why));
    }
    r.body = std::move(res.body());
    co_return r;
}

}  // namespace

std::string_view to_string(fetch_error e) noexcept {
    switch (e) {
        case fetch_error::none: return "success";
        case fetch_error::connect: return "connect_error";
        case fetch_error::tls: return "tls_error";
        case fetch_error::timeout: return "timeout";
        case fetch_error::http_status: return "http_error";
        case fetch_error::too_large: return "too_large";
        case fetch_error::bad_response: return "bad_response";
        case fetch_error::invalid: return "invalid";
    }
    return "invalid";
}

net::awaitable<get_result> http_get(url u, get_options opt) {
    const auto ex = co_await net::this_coro::executor;
    const clock::time_point deadline = clock::now() + opt.timeout;
    tcp::resolver resolver(ex);
    auto [rec, endpoints] = co_await resolver.async_resolve(u.host, std::to_string(u.port), as_tuple_awaitable);
    if (rec) co_return failed(fetch_error::connect, "cannot resolve " + u.host + ": " + rec.message());
    if (clock::now() >= deadline)
        co_return failed(fetch_error::timeout, "resolving " + u.host + " took longer than " + ms_text(opt.timeout));

    ssl::context ctx(ssl::context::tls_client);
    if (u.tls) {
        if (auto bad = setup_tls(ctx, opt)) co_return failed(fetch_error::tls, std::move(*bad));
    }
    beast::ssl_stream<beast::tcp_stream> s(ex, ctx);
    beast::tcp_stream& tcp_layer = beast::get_lowest_layer(s);
    tcp_layer.expires_at(std::min(deadline, clock::now() + opt.connect_timeout));
    if (auto [ec, ep] = co_await tcp_layer.async_connect(endpoints, as_tuple_awaitable); ec) {
        (void)ep;
        if (ec == beast::error::timeout)
            co_return failed(fetch_error::timeout, "connecting to " + u.authority() + " timed out after " +
                                                       ms_text(std::min(opt.timeout, opt.connect_timeout)));
        co_return failed(fetch_error::connect, "cannot connect to " + u.authority() + ": " + ec.message());
    }
    if (!u.tls) co_return co_await exchange(tcp_layer, tcp_layer, u, opt, deadline);

    expect_peer(s.native_handle(), u.host);
    tcp_layer.expires_at(deadline);
    if (auto [ec] = co_await s.async_handshake(ssl::stream_base::client, as_tuple_awaitable); ec) {
        if (ec == beast::error::timeout)
            co_return failed(fetch_error::timeout, "TLS handshake with " + u.authority() + " timed out");
        co_return failed(fetch_error::tls, handshake_error(s.native_handle(), ec, u));
    }
    co_return co_await exchange(s, tcp_layer, u, opt, deadline);
}

}  // namespace tokengate::fetch
