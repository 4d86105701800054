#include "tokengate/config/sections.hpp"

#include "tokengate/config/env_expand.hpp"
#include "tokengate/config/suggest.hpp"
#include "tokengate/config/syntax.hpp"
#include "tokengate/jose/json.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace tokengate::config {
namespace {

using std::chrono::seconds;

constexpr std::array all_algs = {jose::alg::hs256, jose::alg::hs384, jose::alg::hs512, jose::alg::rs256,
                                 jose::alg::rs384, jose::alg::rs512, jose::alg::ps256, jose::alg::ps384,
                                 jose::alg::ps512, jose::alg::es256, jose::alg::es384, jose::alg::es512,
                                 jose::alg::eddsa};

// The members that name where keys come from; a provider sets exactly one.
constexpr std::array<std::string_view, 7> key_source_keys = {"jwks_url", "discovery", "jwks_file", "jwks",
                                                             "pem_file", "secret_env", "secret_file"};

constexpr std::int64_t max_leeway_s = 86400;
constexpr std::int64_t max_lifetime_limit_s = 365 * 86400;

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

result<jose::alg> parse_algorithm(std::string_view s) {
    if (auto a = jose::parse_alg(s)) return *a;
    if (lower(s) == "none") return failure{"alg none can never be configured"};
    std::vector<std::string_view> names;
    std::string list;
    for (jose::alg a : all_algs) {
        names.push_back(jose::to_string(a));
        list += (list.empty() ? "" : ", ") + std::string(jose::to_string(a));
    }
    return failure{"unknown algorithm \"" + std::string(s) + "\"" + did_you_mean(s, names) + "; supported: " + list};
}

void read_algorithms(object_reader& r, provider_config& p) {
    if (!r.require("algorithms")) return;
    const auto* list = r.array("algorithms");
    if (list == nullptr) return;
    if (list->Empty()) r.ctx().error(r.path("algorithms"), "list at least one algorithm, e.g. [\"RS256\"]");
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
        const auto& e = (*list)[i];
        const std::string at = element_path(r.path("algorithms"), i);
        if (!e.IsString()) {
            r.ctx().error(at, type_mismatch("a string", e));
            continue;
        }
        auto a = parse_algorithm(view_of(e));
        if (!a) r.ctx().error(at, a.error());
        else if (std::find(p.algorithms.begin(), p.algorithms.end(), *a) != p.algorithms.end())
            r.ctx().error(at, "\"" + std::string(view_of(e)) + "\" is listed twice");
        else p.algorithms.push_back(*a);
    }
}

// Provider names appear in logs, metrics labels and the provider header.
void read_name(object_reader& r, provider_config& p) {
    if (!r.require("name")) return;
    auto name = r.string("name");
    if (!name) return;
    const bool ok = name->size() <= 64 && std::all_of(name->begin(), name->end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
    if (!ok) r.ctx().error(r.path("name"), "use at most 64 letters, digits, '-', '_' or '.'");
    p.name = *name;
}

std::optional<std::string> rule_value(object_reader& r, std::string_view key) {
    const auto* v = r.find(key);
    if (v == nullptr) return std::nullopt;
    // The validator compares a claim's text form, so true and 42 match as "true" and "42".
    if (v->IsBool()) return std::string(v->GetBool() ? "true" : "false");
    if (v->IsInt64()) return std::to_string(v->GetInt64());
    if (v->IsString()) return std::string(view_of(*v));
    r.ctx().error(r.path(key), type_mismatch("a string, true, false or an integer", *v));
    return std::nullopt;
}

std::optional<validate::claim_rule> read_rule(load_context& ctx, const rapidjson::Value& v, const std::string& path) {
    if (!v.IsObject()) {
        ctx.error(path, type_mismatch("an object like {\"claim\": \"tenant\", \"equals\": \"acme\"}", v));
        return std::nullopt;
    }
    object_reader r(ctx, v, path, {"claim", "equals", "contains"});
    validate::claim_rule rule;
    const bool has_claim = r.require("claim");
    if (auto c = r.string("claim")) rule.claim = *c;
    if (r.has("equals") == r.has("contains")) {
        ctx.error(path, "set exactly one of \"equals\" and \"contains\"");
        return std::nullopt;
    }
    rule.contains = r.has("contains");
    auto value = rule.contains ? r.string("contains") : rule_value(r, "equals");
    if (!value || !has_claim) return std::nullopt;
    rule.value = *value;
    return rule;
}

void read_scopes(object_reader& r, validate::requirements& req) {
    auto scopes = r.strings("required_scopes");
    if (!scopes) return;
    for (std::size_t i = 0; i < scopes->size(); ++i) {
        if ((*scopes)[i].find(' ') != std::string::npos)
            r.ctx().error(element_path(r.path("required_scopes"), i),
                          "one scope per entry: scopes are space-delimited in tokens (RFC 6749 §3.3)");
    }
    req.scopes = std::move(*scopes);
}

std::optional<std::string> read_fetch_url(object_reader& r) {
    auto url = r.string("jwks_url");
    if (!url) return url;
    if (auto ok = check_fetch_url(*url); !ok) {
        r.ctx().error(r.path("jwks_url"), ok.error());
        return std::nullopt;
    }
    return url;
}

void read_secret_env(object_reader& r, key_source& k) {
    k.secret_env = r.string("secret_env");
    if (k.secret_env && !is_env_name(*k.secret_env))
        r.ctx().error(r.path("secret_env"), "must be the name of an environment variable, e.g. \"JWT_SECRET\"");
}

// A remote source may be tuned by allow_http_jwks and ca_file; a local one may not.
void read_remote_options(object_reader& r, key_source& k, const std::string& issuer) {
    if (auto b = r.boolean("allow_http_jwks")) k.allow_http = *b;
    k.ca_file = r.string("ca_file");
    if (const auto* cache = r.object("jwks_cache")) k.cache = read_jwks_cache(r.ctx(), *cache, r.path("jwks_cache"));
    const bool remote = k.remote();
    for (std::string_view key : {std::string_view("allow_http_jwks"), std::string_view("ca_file"),
                                 std::string_view("jwks_cache")}) {
        if (r.has(key) && !remote)
            r.ctx().key_error(r.path(key), "\"" + std::string(key) + "\" applies only to jwks_url or discovery");
    }
    if (k.discovery && !issuer.empty()) {
        if (auto ok = check_fetch_url(issuer); !ok)
            r.ctx().error(r.path("issuer"), "discovery fetches {issuer}/.well-known/openid-configuration: issuer " +
                                                ok.error());
    }
}

void check_one_source(object_reader& r) {
    std::vector<std::string_view> present;
    for (std::string_view key : key_source_keys) {
        const auto* v = r.find(key);
        if (v != nullptr && !v->IsFalse()) present.push_back(key);
    }
    if (present.empty())
        r.ctx().error(r.path(), "no key source: set one of jwks_url, discovery, jwks_file, jwks, pem_file, "
                                "secret_env or secret_file");
    else if (present.size() > 1)
        r.ctx().key_error(r.path(present[1]), "\"" + std::string(present[0]) + "\" and \"" + std::string(present[1]) +
                                                  "\" are both set; a provider takes exactly one key source");
}

key_source read_key_source(object_reader& r, const std::string& issuer) {
    key_source k;
    check_one_source(r);
    k.jwks_url = read_fetch_url(r);
    if (auto b = r.boolean("discovery")) k.discovery = *b;
    k.jwks_file = r.string("jwks_file");
    if (const auto* jwks = r.object("jwks")) k.jwks_inline = jose::to_json(*jwks);
    k.pem_file = r.string("pem_file");
    read_secret_env(r, k);
    k.secret_file = r.string("secret_file");
    read_remote_options(r, k, issuer);
    return k;
}

void check_audience_settings(object_reader& r, const provider_config& p) {
    if (!p.audience_check && !p.audiences.empty())
        r.ctx().key_error(r.path("audience_check"),
                          "audiences are ignored when audience_check is false; remove one of the two");
    if (!p.audience_check && p.audiences.empty() && p.required.rules.empty())
        r.ctx().warning(r.path("audience_check"),
                        "audience checking is off and no claim rule replaces it: any token of this issuer is "
                        "accepted, whichever client it was issued to; add a \"claims\" rule on client_id or azp");
}

}  // namespace

validate::requirements read_requirements(object_reader& r) {
    validate::requirements req;
    if (auto c = r.strings("required_claims")) req.claims = std::move(*c);
    read_scopes(r, req);
    if (const auto* rules = r.array("claims")) {
        for (rapidjson::SizeType i = 0; i < rules->Size(); ++i) {
            if (auto rule = read_rule(r.ctx(), (*rules)[i], element_path(r.path("claims"), i)))
                req.rules.push_back(std::move(*rule));
        }
    }
    return req;
}

provider_config read_provider(load_context& ctx, const rapidjson::Value& v, const std::string& path) {
    provider_config p;
    if (!v.IsObject()) {
        ctx.error(path, type_mismatch("an object", v));
        return p;
    }
    object_reader r(ctx, v, path,
                    {"name", "issuer", "audiences", "audience_check", "algorithms", "leeway_s", "require_exp",
                     "required_claims", "required_scopes", "claims", "max_lifetime_s", "typ", "jwks_url", "discovery",
                     "jwks_file", "jwks", "pem_file", "secret_env", "secret_file", "allow_http_jwks", "ca_file",
                     "jwks_cache"});
    read_name(r, p);
    if (r.require("issuer")) p.issuer = r.string("issuer").value_or("");
    if (auto a = r.strings("audiences")) p.audiences = std::move(*a);
    if (auto b = r.boolean("audience_check")) p.audience_check = *b;
    read_algorithms(r, p);
    if (auto n = r.integer("leeway_s", 0, max_leeway_s)) p.leeway = seconds(*n);
    if (auto b = r.boolean("require_exp")) p.require_exp = *b;
    if (!p.require_exp)
        ctx.warning(r.path("require_exp"), "tokens without exp are accepted and never expire");
    p.required = read_requirements(r);
    check_audience_settings(r, p);
    if (auto n = r.integer("max_lifetime_s", 1, max_lifetime_limit_s)) p.max_lifetime = seconds(*n);
    p.typ = r.string("typ");
    p.keys = read_key_source(r, p.issuer);
    return p;
}

}  // namespace tokengate::config
