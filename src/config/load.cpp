#include "tokengate/config/load.hpp"

#include "tokengate/config/env_expand.hpp"
#include "tokengate/config/json_source.hpp"
#include "tokengate/config/object_reader.hpp"
#include "tokengate/config/sections.hpp"
#include "tokengate/config/suggest.hpp"
#include "tokengate/config/syntax.hpp"
#include "tokengate/jose/json.hpp"
#include "tokengate/keys/secret.hpp"

#include <algorithm>
#include <climits>
#include <filesystem>

namespace tokengate::config {
namespace {

// "${NAME}" in a secret_env value would put the secret itself where its variable's name
// belongs, and from there into error messages; refuse it before expanding.
void expand_one(rapidjson::Value& v, const std::string& path, rapidjson::Document::AllocatorType& alloc,
                load_context& ctx) {
    const std::string_view text = view_of(v);
    if (text.find('$') == std::string_view::npos) return;
    if (path.size() >= 11 && path.compare(path.size() - 11, 11, ".secret_env") == 0 && text.find("${") != text.npos) {
        ctx.error(path, "secret_env takes the variable's name (\"JWT_SECRET\"), not a \"${...}\" reference");
        return;
    }
    std::string error;
    if (auto expanded = expand_env(text, error)) v.SetString(expanded->data(), static_cast<rapidjson::SizeType>(expanded->size()), alloc);
    else ctx.error(path, error);
}

// Walks every string value with an explicit stack (no recursion on config input).
void expand_all(rapidjson::Document& doc, load_context& ctx) {
    std::vector<std::pair<rapidjson::Value*, std::string>> todo{{&doc, "$"}};
    while (!todo.empty()) {
        auto [v, path] = std::move(todo.back());
        todo.pop_back();
        if (v->IsObject()) {
            // Indexing, because comparing RapidJSON 1.1's mutable member iterators is
            // ambiguous in C++20 (clang's -Wambiguous-reversed-operator).
            for (rapidjson::SizeType i = 0; i < v->MemberCount(); ++i) {
                auto& m = *(v->MemberBegin() + static_cast<std::ptrdiff_t>(i));
                todo.emplace_back(&m.value, member_path(path, view_of(m.name)));
            }
        } else if (v->IsArray()) {
            for (rapidjson::SizeType i = 0; i < v->Size(); ++i) todo.emplace_back(&(*v)[i], element_path(path, i));
        } else if (v->IsString()) {
            expand_one(*v, path, doc.GetAllocator(), ctx);
        }
    }
}

template <class T, class Read>
std::vector<T> read_list(object_reader& r, std::string_view key, Read read) {
    std::vector<T> out;
    const auto* list = r.array(key);
    if (list == nullptr) return out;
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) out.push_back(read(r.ctx(), (*list)[i], element_path(r.path(key), i)));
    return out;
}

void read_endpoints(object_reader& r, config& cfg) {
    auto read = [&](std::string_view key, endpoint& out, auto parse) {
        if (auto s = r.string(key)) {
            if (auto ep = parse(*s)) out = *ep;
            else r.ctx().error(r.path(key), ep.error());
        }
    };
    read("listen", cfg.listen, parse_listen_address);
    read("admin_listen", cfg.admin, parse_listen_address);
    read("upstream", cfg.upstream, parse_upstream_url);
}

// The realm goes into WWW-Authenticate as a quoted-string (RFC 6750 §3).
void read_realm(object_reader& r, config& cfg) {
    auto realm = r.string("realm");
    if (!realm) return;
    if (std::any_of(realm->begin(), realm->end(), [](char c) { return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
        r.ctx().error(r.path("realm"), "must not contain quotes, backslashes or control characters");
    cfg.realm = *realm;
}

void read_providers(object_reader& r, config& cfg) {
    if (!r.require("providers")) return;
    cfg.providers = read_list<provider_config>(r, "providers", read_provider);
    if (r.array("providers") != nullptr && cfg.providers.empty())
        r.ctx().error(r.path("providers"), "configure at least one provider");
}

void read_token_sources(object_reader& r, config& cfg) {
    if (!r.has("token_sources")) return;
    cfg.token_sources = read_list<token_source>(r, "token_sources", read_token_source);
    if (r.array("token_sources") != nullptr && cfg.token_sources.empty())
        r.ctx().error(r.path("token_sources"), "list at least one token source, e.g. [{\"type\": \"authorization\"}]");
    for (std::size_t i = 1; i < cfg.token_sources.size(); ++i) {
        const auto& t = cfg.token_sources[i];
        const auto same = [&](const token_source& o) { return o.type == t.type && o.name == t.name; };
        if (std::any_of(cfg.token_sources.begin(), cfg.token_sources.begin() + static_cast<std::ptrdiff_t>(i), same))
            r.ctx().error(element_path(r.path("token_sources"), i), "this token source is listed twice");
    }
}

void read_tail(object_reader& r, config& cfg) {
    if (const auto* l = r.object("limits")) cfg.limits = read_limits(r.ctx(), *l, r.path("limits"));
    if (auto b = r.boolean("expose_hints")) cfg.expose_hints = *b;
    if (cfg.expose_hints)
        r.ctx().warning(r.path("expose_hints"), "rejection hints are sent to clients, who can use them to probe; "
                                                "turn this off outside debugging");
    if (const auto* log = r.object("log")) cfg.logging = read_log(r.ctx(), *log, r.path("log"));
}

config read_config(load_context& ctx, const rapidjson::Value& root) {
    config cfg;
    object_reader r(ctx, root, "$",
                    {"$schema", "listen", "admin_listen", "upstream", "threads", "realm", "providers", "token_sources",
                     "routes", "default_auth", "identity_headers", "payload_header", "provider_header",
                     "strip_authorization", "forward_auth", "token_cache_entries", "limits", "expose_hints", "log"});
    r.string("$schema");  // for editors' completion; its value means nothing to tokengate
    read_endpoints(r, cfg);
    if (auto n = r.integer("threads", 0, 1024)) cfg.threads = static_cast<int>(*n);
    read_realm(r, cfg);
    read_providers(r, cfg);
    read_token_sources(r, cfg);
    cfg.routes = read_list<route_config>(r, "routes", read_route);
    if (auto a = read_auth_mode(r, "default_auth")) cfg.default_auth = *a;
    cfg.identity = read_identity(r);
    if (auto b = r.boolean("strip_authorization")) cfg.strip_authorization = *b;
    if (const auto* f = r.object("forward_auth")) cfg.forward_auth = read_forward_auth(ctx, *f, r.path("forward_auth"));
    if (auto n = r.integer("token_cache_entries", 0, 10'000'000)) cfg.token_cache_entries = static_cast<std::size_t>(*n);
    read_tail(r, cfg);
    return cfg;
}

void check_unique_providers(load_context& ctx, const config& cfg) {
    for (std::size_t i = 0; i < cfg.providers.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            const std::string first = element_path("$.providers", j);
            const std::string at = element_path("$.providers", i);
            if (!cfg.providers[i].name.empty() && cfg.providers[i].name == cfg.providers[j].name)
                ctx.error(at + ".name", "provider name \"" + cfg.providers[i].name + "\" is already used by " + first);
            if (!cfg.providers[i].issuer.empty() && cfg.providers[i].issuer == cfg.providers[j].issuer)
                ctx.error(at + ".issuer", "issuer is already configured by " + first +
                                              "; the token's iss picks the provider, so issuers must be unique");
        }
    }
}

void check_route_providers(load_context& ctx, const config& cfg) {
    std::vector<std::string_view> names;
    for (const auto& p : cfg.providers) names.push_back(p.name);
    for (std::size_t i = 0; i < cfg.routes.size(); ++i) {
        const auto& wanted = cfg.routes[i].providers;
        for (std::size_t j = 0; j < wanted.size(); ++j) {
            if (std::find(names.begin(), names.end(), wanted[j]) != names.end()) continue;
            ctx.error(element_path(element_path("$.routes", i) + ".providers", j),
                      "no provider is named \"" + wanted[j] + "\"" + did_you_mean(wanted[j], names));
        }
    }
}

// The proxy's prefix rule: a prefix matches at a segment boundary ("/admin" matches
// "/admin" and "/admin/x", not "/administrator").
bool prefix_covers(const std::string& prefix, const std::string& path) {
    // Empty only on a route already in error (no "path"): it covers nothing.
    if (prefix.empty() || path.rfind(prefix, 0) != 0) return false;
    return prefix.back() == '/' || path.size() == prefix.size() || path[prefix.size()] == '/';
}

bool methods_cover(const route_config& first, const route_config& later) {
    if (first.methods.empty()) return true;
    if (later.methods.empty()) return false;
    return std::all_of(later.methods.begin(), later.methods.end(), [&](const std::string& m) {
        return std::find(first.methods.begin(), first.methods.end(), m) != first.methods.end();
    });
}

// The first matching route wins, so a later route that an earlier one always matches
// first is dead configuration, usually an ordering mistake.
void check_shadowed_routes(load_context& ctx, const config& cfg) {
    for (std::size_t j = 0; j < cfg.routes.size(); ++j) {
        for (std::size_t i = 0; i < j; ++i) {
            const auto& a = cfg.routes[i];
            const auto& b = cfg.routes[j];
            const bool paths = a.prefix ? prefix_covers(a.path, b.path) : (!b.prefix && a.path == b.path);
            if (!paths || !methods_cover(a, b)) continue;
            ctx.warning(element_path("$.routes", j), "never matches: " + element_path("$.routes", i) +
                                                         " comes first and matches the same requests");
            break;
        }
    }
}

bool is_wildcard(const std::string& host) { return host == "0.0.0.0" || host == "::"; }

void check_listeners(load_context& ctx, const config& cfg) {
    const bool overlap = cfg.listen.host == cfg.admin.host || is_wildcard(cfg.listen.host) || is_wildcard(cfg.admin.host);
    if (cfg.listen.port == cfg.admin.port && overlap)
        ctx.error(ctx.src.value_offsets.count("$.admin_listen") != 0 ? "$.admin_listen" : "$.listen",
                  "listen and admin_listen both use port " + std::to_string(cfg.listen.port));
    if (cfg.forward_auth.enabled) {
        for (std::size_t i = 0; i < cfg.routes.size(); ++i) {
            if (!cfg.routes[i].prefix && cfg.routes[i].path == cfg.forward_auth.path)
                ctx.warning(element_path("$.routes", i), "never matches: forward_auth.path answers " + cfg.forward_auth.path);
        }
    }
}

void record_positions(const load_context& ctx, config& cfg) {
    for (const auto& [path, offset] : ctx.src.value_offsets) cfg.positions.emplace(path, ctx.lines.at(offset));
}

// Findings in text order; those without a position keep their order, after the rest.
void sort_by_position(std::vector<diagnostic>& ds) {
    std::stable_sort(ds.begin(), ds.end(), [](const diagnostic& a, const diagnostic& b) {
        const auto key = [](const diagnostic& d) { return std::pair(d.line == 0 ? INT_MAX : d.line, d.column); };
        return key(a) < key(b);
    });
}

void resolve_against(std::optional<std::string>& file, const std::filesystem::path& dir) {
    if (file && std::filesystem::path(*file).is_relative()) *file = (dir / *file).lexically_normal().string();
}

diagnostic at_start(std::string message) { return diagnostic{"$", 0, 0, std::move(message)}; }

}  // namespace

load_result parse_config(std::string_view text) {
    load_result out;
    if (text.size() > max_config_bytes)
        return {std::nullopt, {at_start("config is larger than " + std::to_string(max_config_bytes) + " bytes")}, {}};
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.remove_prefix(3);  // editors on Windows write a BOM
    const line_index lines(text);
    if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
        const source_position p = lines.at(nul);
        return {std::nullopt, {diagnostic{"$", p.line, p.column, "config contains a NUL byte"}}, {}};
    }
    located_json src = parse_located(text, lines);
    if (src.error) return {std::nullopt, {*src.error}, {}};
    load_context ctx{src, lines, {}, {}};
    if (!src.doc.IsObject()) ctx.error("$", "the config must be a JSON object, got " + std::string(jose::type_name(src.doc)));
    else expand_all(src.doc, ctx);
    if (ctx.errors.empty()) {
        config cfg = read_config(ctx, src.doc);
        check_unique_providers(ctx, cfg);
        check_route_providers(ctx, cfg);
        check_shadowed_routes(ctx, cfg);
        check_listeners(ctx, cfg);
        record_positions(ctx, cfg);
        if (ctx.errors.empty()) out.cfg = std::move(cfg);
    }
    sort_by_position(ctx.errors);
    sort_by_position(ctx.warnings);
    out.errors = std::move(ctx.errors);
    out.warnings = std::move(ctx.warnings);
    return out;
}

load_result load_config_file(const std::string& path) {
    auto text = keys::read_file(path, max_config_bytes);
    if (!text) return {std::nullopt, {at_start(text.error())}, {}};
    load_result out = parse_config(*text);
    if (!out.cfg) return out;
    // Key files named relatively sit beside the config (a mounted ConfigMap/Secret
    // directory), not in whatever directory tokengate was started from.
    const std::filesystem::path dir = std::filesystem::path(path).parent_path();
    for (auto& p : out.cfg->providers) {
        resolve_against(p.keys.jwks_file, dir);
        resolve_against(p.keys.pem_file, dir);
        resolve_against(p.keys.secret_file, dir);
        resolve_against(p.keys.ca_file, dir);
    }
    return out;
}

std::string to_string(const diagnostic& d) {
    std::string out = d.path + ": " + d.message;
    if (d.line > 0) out += " (line " + std::to_string(d.line) + ", column " + std::to_string(d.column) + ")";
    return out;
}

}  // namespace tokengate::config
