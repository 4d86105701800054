#include "tokengate/proxy/auth_response.hpp"
#include "tokengate/proxy/exchange.hpp"
#include "tokengate/proxy/key_refetch.hpp"
#include "tokengate/proxy/path.hpp"
#include "tokengate/proxy/request_head.hpp"

#include <algorithm>
#include <array>
#include <random>

namespace tokengate::proxy {
namespace {

enum class head_status { ok, closed, rejected };

struct head_result {
    head_status status = head_status::closed;
    http::status error = http::status::bad_request;
    std::string detail;
};

// Counts open connections for the limit and for metrics, whatever ends the session.
struct connection_guard {
    shared_state& s;
    explicit connection_guard(shared_state& st) : s(st) { ++s.open_connections; }
    ~connection_guard() { --s.open_connections; }
    connection_guard(const connection_guard&) = delete;
    connection_guard& operator=(const connection_guard&) = delete;
};

head_result refuse(http::status st, std::string detail) { return {head_status::rejected, st, std::move(detail)}; }

// What a request header is read in: enough for nearly all of them at once, and what every
// idle keep-alive connection keeps allocated (a larger header grows the buffer).
constexpr std::size_t head_read_chunk = 4096;

// Reads up to the end of the next request header (bounded by max_header_bytes and the
// header timeout, which starts at the first byte: slowloris clients are cut off), then
// parses it with Beast.
net::awaitable<head_result> read_head(client_conn& c, const runtime& rt, http::request_parser<http::empty_body>& p,
                                      bool first) {
    const auto& lim = rt.cfg.limits;
    std::size_t scanned = 0;
    std::optional<std::chrono::steady_clock::time_point> deadline;
    for (;;) {
        const std::string_view data(static_cast<const char*>(c.buf.data().data()), c.buf.size());
        const auto end = data.find("\r\n\r\n", scanned > 3 ? scanned - 3 : 0);
        if (end != std::string_view::npos) break;
        scanned = data.size();
        if (data.size() > lim.max_header_bytes) co_return refuse(http::status::request_header_fields_too_large, "header too large");
        if (data.empty() && !deadline) {
            c.client.expires_after(first ? lim.header_timeout : lim.idle_timeout);
        } else {
            if (!deadline) deadline = std::chrono::steady_clock::now() + lim.header_timeout;
            c.client.expires_at(*deadline);
        }
        if (c.w.shared().draining && data.empty()) co_return head_result{};
        if (data.empty()) c.w.track_idle(&c.client);
        auto [ec, n] = co_await c.client.async_read_some(c.buf.prepare(std::min(head_read_chunk, lim.max_header_bytes + 4)));
        if (data.empty()) c.w.untrack_idle(&c.client);
        if (ec) {
            if (ec == beast::error::timeout && !data.empty())
                co_return refuse(http::status::request_timeout, "header not received in time");
            co_return head_result{};
        }
        c.buf.commit(n);
    }
    const std::string_view data(static_cast<const char*>(c.buf.data().data()), c.buf.size());
    const std::size_t head_len = data.find("\r\n\r\n") + 4;
    if (auto refused = parse_head(data.substr(0, head_len), lim, p)) co_return refuse(refused->status, std::move(refused->detail));
    c.buf.consume(head_len);
    co_return head_result{head_status::ok, http::status::ok, {}};
}

std::string make_request_id(worker& w) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr char digits[] = "0123456789abcdef";
    std::string id(16, '0');
    std::uint64_t v = rng();
    for (auto& ch : id) {
        ch = digits[v & 0xF];
        v >>= 4;
    }
    (void)w;
    return id;
}

// A propagated X-Request-Id is kept when it is a sane token; anything else is replaced
// (it is echoed into logs and headers).
std::string request_id_of(worker& w, const http::fields& h) {
    const auto it = h.find("X-Request-Id");
    if (it != h.end()) {
        const std::string_view v = it->value();
        const bool sane = !v.empty() && v.size() <= 128 && std::all_of(v.begin(), v.end(), [](char ch) {
            return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.' || ch == ':';
        });
        if (sane) return std::string(v);
    }
    return make_request_id(w);
}

// The access line is written once the response is complete (or broke off), so its
// latency covers the whole exchange, body relay included.
void log_access(const client_conn& c, const runtime& rt, const log::request_context& ctx, const auth_outcome& outcome,
                std::chrono::steady_clock::time_point started) {
    if (!outcome.decision) return;
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    log::access(rt.cfg.logging, ctx, outcome.decision->ev, c.status, ms);
}

bool has_body(const http::request_parser<http::empty_body>& p) {
    return p.chunked() || (p.content_length() && *p.content_length() > 0);
}

net::awaitable<after> handle(client_conn& c, const runtime& rt, http::request_parser<http::empty_body>& p) {
    // Only a request that may get an access line pays for this clock read.
    const auto started = rt.cfg.logging.access_log ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    const auto& req = p.get();
    log::request_context ctx{request_id_of(c.w, req), std::string(req.method_string()), "", c.peer};
    request_tally tally(c.w, rt);
    const bool keep_alive = req.keep_alive() && !c.w.shared().draining;
    normalised_target t = normalise_target(req.target());
    if (t.error) {
        tally.count(metrics::outcome::bad_request);
        log::event("info", "request.refused", *t.error, &ctx, 400);
        co_return co_await respond(c, http::status::bad_request, error_body("bad_request", "invalid_path", ctx.request_id),
                                   req.version(), false);
    }
    ctx.path = t.path;
    if (rt.cfg.forward_auth.enabled && (t.path == rt.cfg.forward_auth.path ||
                                        t.path.rfind(rt.cfg.forward_auth.path + "/", 0) == 0)) {
        const after a = co_await forward_auth(c, rt, p, ctx, tally);
        co_return has_body(p) ? after::close : a;
    }
    const auth_outcome outcome = co_await authenticate_with_refetch(c.w, rt, req.method_string(), t.path, t.query, req);
    tally.set_auth(outcome);
    if (outcome.verdict == auth_outcome::kind::rejected) {
        tally.count_verdict();
        co_return co_await respond_rejected(c, rt, ctx, outcome, req.version(), keep_alive && !has_body(p));
    }
    std::string target = t.path;
    if (!t.query.empty()) target += "?" + t.query;
    const bool access = outcome.verdict == auth_outcome::kind::accepted && log::access_sampled(rt.cfg.logging);
    c.status = 0;
    const after a = co_await forward(c, rt, p, outcome, ctx, std::move(target), tally);
    if (access) log_access(c, rt, ctx, outcome, started);
    co_return a;
}

}  // namespace

net::awaitable<void> run_session(worker& w, tcp::socket socket) {
    connection_guard guard(w.shared());
    boost::system::error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    client_conn c{w, stream(std::move(socket)), {}, ec ? std::string("unknown") : remote.address().to_string(), 0};
    c.client.socket().set_option(tcp::no_delay(true), ec);
    bool first = true;
    for (;;) {
        const runtime_ptr rt = w.current();  // limits for reading the head
        // A body or a large header grew the buffer: an idle connection goes back to holding
        // only a header's worth.
        if (c.buf.size() == 0 && c.buf.capacity() > head_read_chunk) c.buf.shrink_to_fit();
        http::request_parser<http::empty_body> p;
        const head_result head = co_await read_head(c, *rt, p, first);
        first = false;
        if (head.status == head_status::closed) break;
        if (head.status == head_status::rejected) {
            w.metrics().count_request(metrics::outcome::bad_request, std::nullopt, metrics::no_label, metrics::no_label);
            log::request_context ctx{make_request_id(w), "", "", c.peer};
            log::event("info", "request.refused", head.detail, &ctx, static_cast<int>(head.error));
            const bool too_large = head.error == http::status::payload_too_large;
            co_await respond(c, head.error, error_body(too_large ? "content_too_large" : "bad_request", head.detail, ctx.request_id),
                             11, false);
            break;
        }
        // Decided on the newest snapshot: keys or config that arrived while this
        // connection sat idle between requests apply to its next request.
        const runtime_ptr decide_on = w.current();
        if (co_await handle(c, *decide_on, p) == after::close) break;
    }
    c.client.socket().shutdown(tcp::socket::shutdown_both, ec);
    c.client.close();
}

}  // namespace tokengate::proxy
