#include "tokengate/proxy/auth_response.hpp"
#include "tokengate/proxy/exchange.hpp"
#include "tokengate/proxy/header_rewrite.hpp"
#include "tokengate/proxy/key_refetch.hpp"
#include "tokengate/proxy/path.hpp"

namespace tokengate::proxy {
namespace {

std::string_view first_of(const http::fields& h, std::string_view a, std::string_view b) {
    auto it = h.find(a);
    if (it == h.end()) it = h.find(b);
    if (it == h.end()) return {};
    return {it->value().data(), it->value().size()};
}

// The original request's target: from X-Original-URI (ingress-nginx) or X-Forwarded-Uri
// (Traefik), else the part of our own path after the auth path (Envoy ext_authz appends
// the original path to its path_prefix).
std::string original_target(const http::request_header<>& h, const std::string& auth_path) {
    const std::string_view uri = first_of(h, "X-Original-URI", "X-Forwarded-Uri");
    if (!uri.empty()) {
        // ingress-nginx may send an absolute URL; keep only the path and query.
        const auto scheme = uri.find("://");
        if (scheme != std::string_view::npos) {
            const auto slash = uri.find('/', scheme + 3);
            return slash == std::string_view::npos ? "/" : std::string(uri.substr(slash));
        }
        return std::string(uri);
    }
    const std::string_view own = h.target();
    if (own.size() > auth_path.size() && own.substr(0, auth_path.size()) == auth_path && own[auth_path.size()] == '/')
        return std::string(own.substr(auth_path.size()));
    return "/";
}

}  // namespace

net::awaitable<after> forward_auth(client_conn& c, const runtime& rt, const http::request_parser<http::empty_body>& p,
                                   log::request_context& ctx, request_tally& tally) {
    const auto started = rt.cfg.logging.access_log ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    const auto& req = p.get();
    const bool keep_alive = req.keep_alive() && !c.w.shared().draining;
    const std::string_view method_header = first_of(req, "X-Original-Method", "X-Forwarded-Method");
    const std::string method = method_header.empty() ? std::string(req.method_string()) : std::string(method_header);
    const normalised_target t = normalise_target(original_target(req, rt.cfg.forward_auth.path));
    ctx.method = method;
    if (t.error) {
        tally.count(metrics::outcome::bad_request);
        ctx.path = "(invalid)";
        log::event("info", "request.refused", *t.error, &ctx, 400);
        co_return co_await respond(c, http::status::bad_request, error_body("bad_request", "invalid_path", ctx.request_id),
                                   req.version(), keep_alive);
    }
    ctx.path = t.path;
    const auth_outcome outcome = co_await authenticate_with_refetch(c.w, rt, method, t.path, t.query, req);
    tally.set_auth(outcome);
    tally.count_verdict();
    if (outcome.verdict == auth_outcome::kind::rejected)
        co_return co_await respond_rejected(c, rt, ctx, outcome, req.version(), keep_alive);
    http::fields identity;
    identity.set("X-Request-Id", ctx.request_id);
    if (outcome.verdict == auth_outcome::kind::accepted) {
        const auto& tok = *outcome.decision->token;
        add_identity(identity, rt.cfg.identity, tok.payload, tok.payload_text, outcome.decision->ev.provider);
    }
    const after a = co_await respond(c, http::status::ok, "", req.version(), keep_alive, &identity);
    if (outcome.verdict == auth_outcome::kind::accepted && log::access_sampled(rt.cfg.logging)) {
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
        log::access(rt.cfg.logging, ctx, outcome.decision->ev, c.status, ms);
    }
    co_return a;
}

}  // namespace tokengate::proxy
