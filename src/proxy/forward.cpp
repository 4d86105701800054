#include "tokengate/proxy/auth_response.hpp"
#include "tokengate/proxy/exchange.hpp"
#include "tokengate/proxy/head_text.hpp"
#include "tokengate/proxy/header_rewrite.hpp"
#include "tokengate/proxy/relay.hpp"

#include <boost/asio/write.hpp>

#include <array>
#include <memory>
#include <span>
#include <string>

namespace tokengate::proxy {
namespace {

bool idempotent(http::verb v) {
    return v == http::verb::get || v == http::verb::head || v == http::verb::options || v == http::verb::put ||
           v == http::verb::delete_ || v == http::verb::trace;
}

bool wants_upgrade(const http::request_header<>& h) {
    return h.count(http::field::upgrade) != 0 &&
           http::token_list{h[http::field::connection]}.exists("upgrade");
}

// Rewrites the client's header into the upstream's: hygiene first (hop-by-hop and
// spoofable identity headers out), then what tokengate vouches for.
void rewrite_request(http::request_header<>& h, const runtime& rt, const auth_outcome& outcome,
                     const log::request_context& ctx, const std::string& target, bool upgrade,
                     boost::optional<std::uint64_t> content_length) {
    const auto& cfg = rt.cfg;
    strip_hop_by_hop(h, upgrade);
    strip_identity(h, cfg.identity);
    h.erase(http::field::expect);  // answered here (100 Continue) once the request is authorised
    if (cfg.strip_authorization) h.erase(http::field::authorization);
    const std::string host(h[http::field::host]);
    set_forwarded(h, ctx.client, host);
    h.set("X-Request-Id", ctx.request_id);
    if (outcome.verdict == auth_outcome::kind::accepted && outcome.decision && outcome.decision->token) {
        const auto& tok = *outcome.decision->token;
        add_identity(h, cfg.identity, tok.payload, tok.payload_text, outcome.decision->ev.provider);
    }
    // Beast accepts repeated equal lengths ("5, 5", or two lines) as RFC 9110 §8.6 allows,
    // and "chunked" in any case: the upstream gets the one canonical spelling of the
    // framing the body is relayed with, so no parser of its can read it another way.
    if (content_length) h.set(http::field::content_length, std::to_string(*content_length));
    else if (h.count(http::field::transfer_encoding) != 0) h.set(http::field::transfer_encoding, "chunked");
    h.target(target);
    h.version(11);
    // HTTP/1.1 defaults to keep-alive; with the hop-by-hop Connection header gone, the
    // upstream connection stays reusable (an upgrade keeps its "Connection: upgrade").
}

// A request body that could not be read whole: 413 past max_body_bytes (a chunked body
// has no declared length to refuse up front), else 400. The connection closes: the rest
// of the body is not read.
net::awaitable<after> body_refused(client_conn& c, const log::request_context& ctx, request_tally& tally,
                                   const boost::system::error_code& ec, unsigned version) {
    const bool too_large = ec == http::error::body_limit;
    const auto st = too_large ? http::status::payload_too_large : http::status::bad_request;
    tally.count(metrics::outcome::bad_request);
    log::event("info", "request.refused", "request body: " + ec.message(), &ctx, static_cast<int>(st));
    co_return co_await respond(c, st, error_body(too_large ? "content_too_large" : "bad_request",
                                                 too_large ? "body larger than max_body_bytes" : "invalid_body", ctx.request_id),
                               version, false);
}

net::awaitable<after> upstream_failed(client_conn& c, const log::request_context& ctx, request_tally& tally,
                                      http::status st, std::string_view what, const boost::system::error_code& ec,
                                      unsigned version) {
    tally.count(metrics::outcome::upstream_error);
    log::event("error", "upstream.error", std::string(what) + ": " + ec.message(), &ctx, static_cast<int>(st));
    co_return co_await respond(c, st,
                               error_body(st == http::status::gateway_timeout ? "upstream_timeout" : "upstream_unavailable",
                                          what, ctx.request_id),
                               version, false);
}

}  // namespace

net::awaitable<after> forward(client_conn& c, const runtime& rt, http::request_parser<http::empty_body>& hp,
                              const auth_outcome& outcome, const log::request_context& ctx, std::string target,
                              request_tally& tally) {
    const auto& lim = rt.cfg.limits;
    const unsigned client_version = hp.get().version();
    const bool client_keep_alive = hp.get().keep_alive() && !c.w.shared().draining;
    const bool upgrade = wants_upgrade(hp.get());
    const bool expect_continue = beast::iequals(hp.get()[http::field::expect], "100-continue");
    const http::verb method = hp.get().method();
    const bool body = hp.chunked() || (hp.content_length() && *hp.content_length() > 0);

    http::request_parser<http::buffer_body> rp{std::move(hp)};
    if (lim.max_body_bytes) rp.body_limit(*lim.max_body_bytes);
    else rp.body_limit(boost::none);
    rewrite_request(rp.get().base(), rt, outcome, ctx, target, upgrade, rp.content_length());

    const auto deadline = std::chrono::steady_clock::now() + lim.request_timeout;
    if (expect_continue) {
        static constexpr std::string_view cont = "HTTP/1.1 100 Continue\r\n\r\n";
        c.client.expires_after(lim.idle_timeout);
        auto [wec, wn] = co_await net::async_write(c.client, net::buffer(cont.data(), cont.size()), as_tuple_awaitable);
        (void)wn;
        if (wec) co_return after::close;
    }
    // The first piece of the body is read before anything goes upstream: a framing error
    // in it (a bad chunk size) is then the client's 400, and the upstream sees nothing.
    // The same buffer then relays the rest (the first piece is sent before it is reused).
    relay_buffers::lease body_buf;
    std::string_view first;
    if (body) {
        // The body arrives through the connection's buffer: read it in relay-sized pieces.
        c.buf.reserve(relay_chunk);
        body_buf = c.w.buffers().take();
        const std::span<char> first_buf = body_buf.span();
        auto& b = rp.get().body();
        b.data = first_buf.data();
        b.size = first_buf.size();
        c.client.expires_at(std::min(deadline, std::chrono::steady_clock::now() + lim.idle_timeout));
        auto [rec, rn] = co_await http::async_read(c.client, c.buf, rp);
        (void)rn;
        if (rec == http::error::need_buffer) rec = {};
        if (rec) co_return co_await body_refused(c, ctx, tally, rec, client_version);
        first = std::string_view(first_buf.data(), first_buf.size() - b.size);
    }

    // Connect (or reuse); a pooled connection the upstream closed meanwhile fails on first
    // use, and an idempotent request without a body is then retried once on a fresh one.
    std::unique_ptr<upstream_conn> up;
    std::optional<http::response_parser<http::empty_body>> head;
    std::string head_text;  // a header serialized for a one-piece write (request, then response)
    const auto upstream_started = std::chrono::steady_clock::now();
    for (int attempt = 0;; ++attempt) {
        auto lease = co_await c.w.pool().acquire(rt.cfg.upstream, lim.upstream_connect_timeout);
        if (lease.error)
            co_return co_await upstream_failed(c, ctx, tally,
                                               lease.error == beast::error::timeout ? http::status::gateway_timeout
                                                                                   : http::status::bad_gateway,
                                               "connect", lease.error, client_version);
        up = std::move(lease.conn);
        // The header goes out alone without a body, else with the first piece of it: a
        // pooled connection the upstream closed fails on this first write.
        boost::system::error_code ec;
        if (!body) {
            head_text.clear();
            append_head(head_text, rp.get().base());
            up->s.expires_after(lim.idle_timeout);
            auto [wec, wn] = co_await net::async_write(up->s, net::buffer(head_text), as_tuple_awaitable);
            (void)wn;
            ec = wec;
        } else {
            http::request_serializer<http::buffer_body> sr{rp.get()};
            const relay_result rr = co_await relay_body(c.client, c.buf, rp, up->s, sr, body_buf.span(), lim.idle_timeout,
                                                        deadline, first);
            // The client's body broke off, was malformed or grew past the limit mid-way: the
            // upstream connection carries half a request and is dropped with this exchange.
            if (rr.ec && rr.read_failed) co_return co_await body_refused(c, ctx, tally, rr.ec, client_version);
            ec = rr.ec;
        }
        if (!ec) {
            head.emplace();
            head->body_limit(boost::none);
            if (method == http::verb::head) head->skip(true);
            up->s.expires_after(lim.upstream_response_timeout);
            auto [rec, rn] = co_await http::async_read_header(up->s, up->buf, *head);
            (void)rn;
            ec = rec;
        }
        if (!ec) break;
        const bool retry = attempt == 0 && lease.reused && !body && idempotent(method) && ec != beast::error::timeout;
        if (retry) continue;
        co_return co_await upstream_failed(c, ctx, tally,
                                           ec == beast::error::timeout ? http::status::gateway_timeout
                                                                      : http::status::bad_gateway,
                                           "exchange", ec, client_version);
    }
    // Interim 1xx responses (other than 101) are not relayed: read on to the final one.
    while (head->get().result_int() / 100 == 1 && head->get().result() != http::status::switching_protocols) {
        head.emplace();
        head->body_limit(boost::none);
        if (method == http::verb::head) head->skip(true);
        up->s.expires_after(lim.upstream_response_timeout);
        auto [rec, rn] = co_await http::async_read_header(up->s, up->buf, *head);
        (void)rn;
        if (rec)
            co_return co_await upstream_failed(c, ctx, tally, http::status::bad_gateway, "interim response", rec,
                                               client_version);
    }
    c.w.metrics().observe_upstream_duration(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - upstream_started).count());
    if (head->get().result() == http::status::switching_protocols) {
        if (!upgrade) co_return co_await upstream_failed(c, ctx, tally, http::status::bad_gateway, "unrequested 101",
                                                         {}, client_version);
        tally.count_verdict();
        http::response<http::empty_body> res{std::move(head->get())};
        c.status = static_cast<int>(res.result_int());
        c.client.expires_after(lim.idle_timeout);
        auto [wec, wn] = co_await http::async_write(c.client, res);
        (void)wn;
        if (!wec) co_await tunnel(c.client, c.buf, up->s, up->buf, lim.idle_timeout);
        co_return after::close;
    }
    tally.count_verdict();
    http::response_parser<http::buffer_body> rp2{std::move(*head)};
    auto& res = rp2.get();
    strip_hop_by_hop(res.base(), false);
    bool keep = client_keep_alive;
    const bool no_body = method == http::verb::head || res.result() == http::status::no_content ||
                         res.result() == http::status::not_modified;
    if (!no_body && !res.has_content_length() && !rp2.chunked()) {
        // Upstream body ends at its EOF: re-frame as chunked, or end ours by closing.
        if (client_version == 11) res.chunked(true);
        else keep = false;
    }
    res.version(client_version);
    res.keep_alive(keep);
    res.set("X-Request-Id", ctx.request_id);
    c.status = static_cast<int>(res.result_int());
    // A whole body already read (the usual small API answer) goes out with the header in
    // one send, without the serializer. Otherwise the header goes first, so a client sees
    // it while the upstream is still sending the body, and the body is relayed.
    const bool body_here = rp2.is_done() || (rp2.content_length() && up->buf.size() >= *rp2.content_length());
    if (body_here) {
        const std::size_t n = rp2.is_done() ? 0 : static_cast<std::size_t>(*rp2.content_length());
        head_text.clear();
        append_head(head_text, res.base());
        const std::array<net::const_buffer, 2> out{net::buffer(head_text),
                                                   net::buffer(up->buf.data().data(), n)};
        c.client.expires_after(lim.idle_timeout);
        auto [wec, wn] = co_await net::async_write(c.client, out, as_tuple_awaitable);
        (void)wn;
        if (wec) co_return after::close;
        up->buf.consume(n);
        if (rp2.keep_alive() && up->buf.size() == 0) c.w.pool().release(std::move(up));
        co_return keep ? after::keep_alive : after::close;
    }
    http::response_serializer<http::buffer_body> rs{res};
    c.client.expires_after(lim.idle_timeout);
    auto [wec, wn] = co_await http::async_write_header(c.client, rs);
    (void)wn;
    if (wec) co_return after::close;
    relay_buffers::lease res_buf = c.w.buffers().take();
    const relay_result rr = co_await relay_body(up->s, up->buf, rp2, c.client, rs, res_buf.span(), lim.idle_timeout);
    if (rr.ec) {
        if (rr.read_failed) log::event("warn", "upstream.error", "response body relay: " + rr.ec.message(), &ctx, 502);
        co_return after::close;  // headers are out: the only honest signal left is closing
    }
    if (rp2.keep_alive() && up->buf.size() == 0) c.w.pool().release(std::move(up));
    co_return keep ? after::keep_alive : after::close;
}

}  // namespace tokengate::proxy
