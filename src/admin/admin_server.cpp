#include "tokengate/admin/admin_server.hpp"

#include "tokengate/admin/metrics_page.hpp"
#include "tokengate/log/event_log.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace tokengate::admin {
namespace {

using namespace proxy;
namespace http = beast::http;

http::response<http::string_body> answer(const http::request<http::string_body>& req, server& srv) {
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.set(http::field::cache_control, "no-store");
    const std::string_view target = req.target();
    const std::string_view path = target.substr(0, target.find('?'));
    if (path == "/healthz") {
        res.body() = "ok\n";
    } else if (path == "/readyz") {
        std::string detail;
        const bool ok = ready(*srv.current(), detail) && !srv.shared().draining;
        res.result(ok ? http::status::ok : http::status::service_unavailable);
        res.body() = ok ? "ready\n" : (srv.shared().draining ? "draining\n" : detail);
    } else if (path == "/metrics") {
        res.set(http::field::content_type, metrics_content_type);
        res.body() = metrics_page(srv, std::chrono::system_clock::now());
    } else {
        res.result(http::status::not_found);
        res.body() = "not found\n";
    }
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    return res;
}

net::awaitable<void> admin_session(stream s, server& srv) {
    beast::flat_buffer buf;
    for (;;) {
        http::request<http::string_body> req;
        s.expires_after(std::chrono::seconds(30));
        auto [ec, n] = co_await http::async_read(s, buf, req);
        (void)n;
        if (ec) break;
        auto res = answer(req, srv);
        auto [wec, wn] = co_await http::async_write(s, res);
        (void)wn;
        if (wec || !res.keep_alive()) break;
    }
    boost::system::error_code ignored;
    s.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

net::awaitable<void> admin_accept(tcp::acceptor acceptor, server& srv) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(as_tuple_awaitable);
        if (ec) {
            if (ec == net::error::operation_aborted) co_return;
            continue;
        }
        net::co_spawn(acceptor.get_executor(), admin_session(stream(std::move(socket)), srv), net::detached);
    }
}

}  // namespace

bool ready(const runtime& rt, std::string& detail) {
    bool ok = true;
    for (const auto& p : rt.trust.providers) {
        if (p.keys.keys && !p.keys.keys->keys.empty()) continue;
        ok = false;
        detail += "provider " + p.name + " has no keys" +
                  (p.keys.failing_error.empty() ? "" : ": " + p.keys.failing_error) + "\n";
    }
    return ok;
}

tcp::endpoint start_admin(net::io_context& ioc, const tcp::endpoint& ep, server& srv) {
    tcp::acceptor acceptor(ioc);
    acceptor.open(ep.protocol());
    acceptor.set_option(net::socket_base::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen();
    const tcp::endpoint bound = acceptor.local_endpoint();
    net::co_spawn(ioc, admin_accept(std::move(acceptor), srv), net::detached);
    return bound;
}

}  // namespace tokengate::admin
