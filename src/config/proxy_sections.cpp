#include "tokengate/config/sections.hpp"

#include "tokengate/config/syntax.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace tokengate::config {
namespace {

using std::chrono::milliseconds;

constexpr std::int64_t max_timeout_ms = 24 * 3600 * 1000;

token_source::kind kind_of(const std::string& s) {
    if (s == "header") return token_source::kind::header;
    if (s == "cookie") return token_source::kind::cookie;
    if (s == "query") return token_source::kind::query;
    return token_source::kind::authorization;
}

// Methods are case-sensitive tokens (RFC 9110 §9.1); "get" would never match.
void read_methods(object_reader& r, route_config& route) {
    auto methods = r.strings("methods");
    if (!methods) return;
    for (std::size_t i = 0; i < methods->size(); ++i) {
        const std::string& m = (*methods)[i];
        const std::string at = element_path(r.path("methods"), i);
        const bool upper = std::none_of(m.begin(), m.end(), [](unsigned char c) { return std::islower(c); });
        if (!is_http_token(m) || !upper)
            r.ctx().error(at, "\"" + m + "\" is not an upper-case method name like \"GET\" (methods are case-sensitive)");
        else if (std::find(methods->begin(), methods->begin() + static_cast<std::ptrdiff_t>(i), m) !=
                 methods->begin() + static_cast<std::ptrdiff_t>(i))
            r.ctx().error(at, "\"" + m + "\" is listed twice");
    }
    route.methods = std::move(*methods);
}

// A route without authentication cannot demand providers, claims or scopes.
void check_unauthenticated(object_reader& r, const route_config& route) {
    if (route.auth != auth_mode::none) return;
    for (std::string_view key : {"providers", "required_claims", "required_scopes", "claims"}) {
        if (r.has(key))
            r.ctx().key_error(r.path(key), "\"" + std::string(key) + "\" has no effect on a route with \"auth\": \"none\"");
    }
}

std::optional<milliseconds> timeout(object_reader& r, std::string_view key) {
    auto n = r.integer(key, 1, max_timeout_ms);
    return n ? std::optional<milliseconds>(*n) : std::nullopt;
}

void read_limit_sizes(object_reader& r, limits_config& l) {
    if (auto n = r.integer("max_header_bytes", 1024, 1024 * 1024)) l.max_header_bytes = static_cast<std::size_t>(*n);
    if (!r.is_null("max_body_bytes")) {
        if (auto n = r.integer("max_body_bytes", 0, std::int64_t{1} << 53)) l.max_body_bytes = static_cast<std::uint64_t>(*n);
    }
    if (auto n = r.integer("max_connections", 1, 1'000'000)) l.max_connections = static_cast<std::size_t>(*n);
    if (auto n = r.integer("max_token_bytes", 512, 65536)) l.max_token_bytes = static_cast<std::size_t>(*n);
    if (auto n = r.integer("upstream_pool_size", 0, 100'000)) l.upstream_pool_size = static_cast<std::size_t>(*n);
    if (l.max_token_bytes > l.max_header_bytes)
        r.ctx().warning(r.path("max_token_bytes"), "larger than max_header_bytes (" + std::to_string(l.max_header_bytes) +
                                                       "): a token that size never arrives");
}

void check_header_name(object_reader& r, const std::string& path, const std::string& name) {
    static constexpr std::array<std::string_view, 10> reserved = {
        "authorization", "connection", "content-length", "cookie", "host",
        "keep-alive", "te", "trailer", "transfer-encoding", "upgrade"};
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!is_http_token(name))
        r.ctx().error(path, "\"" + name + "\" is not a valid header name");
    else if (std::find(reserved.begin(), reserved.end(), lower) != reserved.end())
        r.ctx().error(path, "\"" + name + "\" is a header tokengate must not set");
}

// Identity headers replace whatever the client sent, so two claims (or a claim and the
// payload or provider header) writing the same header would silently clobber each other.
void check_distinct_headers(object_reader& top, const identity_config& id) {
    std::vector<std::pair<std::string, std::string>> seen;  // lower-case name, path
    auto add = [&](const std::string& name, const std::string& path) {
        std::string lower(name);
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        const auto it = std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == lower; });
        if (it != seen.end()) top.ctx().error(path, "header \"" + name + "\" is already set by " + it->second);
        else seen.emplace_back(lower, path);
    };
    for (const auto& [claim, header] : id.claim_headers) add(header, member_path(top.path("identity_headers"), claim));
    if (id.payload_header) add(*id.payload_header, top.path("payload_header"));
    if (!id.provider_header.empty()) add(id.provider_header, top.path("provider_header"));
}

}  // namespace

std::optional<auth_mode> read_auth_mode(object_reader& r, std::string_view key) {
    const auto s = r.choice(key, {"required", "optional", "none"});
    if (!s) return std::nullopt;
    if (*s == "required") return auth_mode::required;
    if (*s == "optional") return auth_mode::optional;
    return auth_mode::none;
}

token_source read_token_source(load_context& ctx, const rapidjson::Value& v, const std::string& path) {
    token_source t;
    if (!v.IsObject()) {
        ctx.error(path, type_mismatch("an object like {\"type\": \"authorization\"}", v));
        return t;
    }
    object_reader r(ctx, v, path, {"type", "name"});
    if (!r.require("type")) return t;
    auto type = r.choice("type", {"authorization", "header", "cookie", "query"});
    if (!type) return t;
    t.type = kind_of(*type);
    if (t.type == token_source::kind::authorization) {
        if (r.has("name"))
            ctx.key_error(r.path("name"), "\"authorization\" reads the Authorization Bearer token and takes no name; "
                                          "use \"type\": \"header\" for another header");
        return t;
    }
    if (!r.require("name")) return t;
    t.name = r.string("name").value_or("");
    if (!t.name.empty() && t.type != token_source::kind::query && !is_http_token(t.name))
        ctx.error(r.path("name"), "\"" + t.name + "\" is not a valid " + *type + " name");
    if (t.type == token_source::kind::query)
        ctx.warning(path, "tokens in query strings end up in access logs and browser history (RFC 6750 §5.3)");
    return t;
}

route_config read_route(load_context& ctx, const rapidjson::Value& v, const std::string& path) {
    route_config route;
    if (!v.IsObject()) {
        ctx.error(path, type_mismatch("an object", v));
        return route;
    }
    object_reader r(ctx, v, path,
                    {"path", "match", "methods", "auth", "providers", "required_claims", "required_scopes", "claims"});
    if (r.require("path")) {
        route.path = r.string("path").value_or("/");
        if (auto problem = route_path_problem(route.path); !problem.empty()) ctx.error(r.path("path"), problem);
    }
    if (r.require("match")) route.prefix = r.choice("match", {"exact", "prefix"}).value_or("exact") == "prefix";
    read_methods(r, route);
    if (auto a = read_auth_mode(r, "auth")) route.auth = *a;
    if (auto p = r.strings("providers")) route.providers = std::move(*p);
    route.required = read_requirements(r);
    check_unauthenticated(r, route);
    return route;
}

limits_config read_limits(load_context& ctx, const rapidjson::Value& v, const std::string& path) {
    limits_config l;
    object_reader r(ctx, v, path,
                    {"max_header_bytes", "max_body_bytes", "max_connections", "max_token_bytes", "header_timeout_ms",
                     "idle_timeout_ms", "request_timeout_ms", "upstream_connect_timeout_ms",
                     "upstream_response_timeout_ms", "upstream_pool_size", "drain_timeout_ms"});
    read_limit_sizes(r, l);
    if (auto t = timeout(r, "header_timeout_ms")) l.header_timeout = *t;
    if (auto t = timeout(r, "idle_timeout_ms")) l.idle_timeout = *t;
    if (auto t = timeout(r, "request_timeout_ms")) l.request_timeout = *t;
    if (auto t = timeout(r, "upstream_connect_timeout_ms")) l.upstream_connect_timeout = *t;
    if (auto t = timeout(r, "upstream_response_timeout_ms")) l.upstream_response_timeout = *t;
    if (auto t = timeout(r, "drain_timeout_ms")) l.drain_timeout = *t;
    return l;
}

identity_config read_identity(object_reader& top) {
    identity_config id;
    if (const auto* headers = top.object("identity_headers")) {
        for (const auto& m : headers->GetObject()) {
            const std::string at = member_path(top.path("identity_headers"), view_of(m.name));
            if (m.name.GetStringLength() == 0) top.ctx().key_error(at, "claim name must not be empty");
            if (!m.value.IsString()) {
                top.ctx().error(at, type_mismatch("a header name (string)", m.value));
                continue;
            }
            check_header_name(top, at, std::string(view_of(m.value)));
            id.claim_headers.emplace(view_of(m.name), view_of(m.value));
        }
    }
    if (!top.is_null("payload_header")) id.payload_header = top.string("payload_header");
    if (id.payload_header) check_header_name(top, top.path("payload_header"), *id.payload_header);
    if (top.is_null("provider_header")) id.provider_header.clear();
    else if (auto h = top.string("provider_header", true)) id.provider_header = *h;
    if (!id.provider_header.empty()) check_header_name(top, top.path("provider_header"), id.provider_header);
    check_distinct_headers(top, id);
    return id;
}

forward_auth_config read_forward_auth(load_context& ctx, const rapidjson::Value& v, const std::string& path) {
    forward_auth_config f;
    object_reader r(ctx, v, path, {"enabled", "path"});
    if (auto b = r.boolean("enabled")) f.enabled = *b;
    if (auto p = r.string("path")) {
        if (auto problem = route_path_problem(*p); !problem.empty()) ctx.error(r.path("path"), problem);
        f.path = *p;
    }
    return f;
}

log_config read_log(load_context& ctx, const rapidjson::Value& v, const std::string& path) {
    log_config l;
    object_reader r(ctx, v, path, {"format", "sub", "access_log", "access_log_sample"});
    if (auto f = r.choice("format", {"json", "text"})) l.format = *f;
    if (auto s = r.choice("sub", {"plain", "hash", "omit"})) {
        l.sub = *s == "hash" ? log_config::sub_mode::hash
                : *s == "omit" ? log_config::sub_mode::omit
                               : log_config::sub_mode::plain;
    }
    if (auto b = r.boolean("access_log")) l.access_log = *b;
    if (auto n = r.number("access_log_sample", 0.0, 1.0)) l.access_log_sample = *n;
    if (r.has("access_log_sample") && !l.access_log)
        ctx.warning(r.path("access_log_sample"), "has no effect while \"access_log\" is not true");
    return l;
}

}  // namespace tokengate::config
