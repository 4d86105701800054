#include "tokengate/proxy/auth_response.hpp"
#include "tokengate/proxy/exchange.hpp"
#include "tokengate/proxy/head_text.hpp"

#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>

#include <string>

namespace tokengate::proxy {

net::awaitable<after> respond(client_conn& c, http::status status, std::string body, unsigned version,
                              bool keep_alive, const http::fields* extra) {
    http::response<http::empty_body> res{status, version};
    res.set(http::field::server, "tokengate");
    res.set(http::field::content_type, "application/json");
    res.set(http::field::cache_control, "no-store");
    if (extra != nullptr) {
        for (const auto& f : *extra) res.set(f.name_string(), f.value());
    }
    res.keep_alive(keep_alive);
    res.set(http::field::content_length, std::to_string(body.size()));
    // Header and body in one buffer, one write (as head_text.hpp explains).
    std::string out;
    out.reserve(512 + body.size());
    append_head(out, res.base());
    out += body;
    c.client.expires_after(c.w.current()->cfg.limits.idle_timeout);
    c.status = static_cast<int>(status);
    auto [ec, n] = co_await net::async_write(c.client, net::buffer(out), as_tuple_awaitable);
    (void)n;
    co_return ec || !keep_alive ? after::close : after::keep_alive;
}

net::awaitable<after> respond_rejected(client_conn& c, const runtime& rt, const log::request_context& ctx,
                                       const auth_outcome& outcome, unsigned version, bool keep_alive) {
    const auth_response r = to_http(*outcome.rejected, rt.cfg.realm, ctx.request_id, rt.cfg.expose_hints);
    log::reject(rt.cfg.logging, ctx, *outcome.rejected, outcome.decision ? &outcome.decision->ev : nullptr,
                static_cast<int>(r.status));
    http::fields extra;
    if (!r.www_authenticate.empty()) extra.set(http::field::www_authenticate, r.www_authenticate);
    if (r.retry_after_s) extra.set(http::field::retry_after, std::to_string(*r.retry_after_s));
    extra.set("X-Request-Id", ctx.request_id);
    co_return co_await respond(c, r.status, r.body, version, keep_alive, &extra);
}

}  // namespace tokengate::proxy
