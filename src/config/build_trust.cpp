#include "tokengate/config/load.hpp"

#include "tokengate/keys/jwk.hpp"
#include "tokengate/keys/pem.hpp"
#include "tokengate/keys/secret.hpp"

#include <algorithm>
#include <memory>

namespace tokengate::config {
namespace {

// A PEM public key or certificate is a few KiB; anything near this is not one.
constexpr std::size_t max_pem_bytes = 256 * 1024;

// Findings about one provider, located at its members in the config text.
class provider_findings {
public:
    provider_findings(const config& cfg, std::size_t index, trust_result& out)
        : cfg_(cfg), path_("$.providers[" + std::to_string(index) + "]"), out_(out) {}

    std::string path(std::string_view member = {}) const {
        return member.empty() ? path_ : path_ + "." + std::string(member);
    }
    void error(std::string_view member, std::string message) { out_.errors.push_back(at(member, std::move(message))); }
    void warning(std::string_view member, std::string message) { out_.warnings.push_back(at(member, std::move(message))); }

private:
    diagnostic at(std::string_view member, std::string message) const {
        const std::string p = path(member);
        const auto it = cfg_.positions.find(p);
        const source_position pos = it == cfg_.positions.end() ? source_position{} : it->second;
        return diagnostic{p, pos.line, pos.column, std::move(message)};
    }

    const config& cfg_;
    std::string path_;
    trust_result& out_;
};

// The config member that holds the provider's key source.
std::string_view source_member(const key_source& k) {
    if (k.jwks_url) return "jwks_url";
    if (k.discovery) return "discovery";
    if (k.jwks_file) return "jwks_file";
    if (k.jwks_inline) return "jwks";
    if (k.pem_file) return "pem_file";
    if (k.secret_env) return "secret_env";
    return "secret_file";
}

result<keys::jwks_parse> one_key(result<crypto::key> k, const std::string& origin) {
    if (!k) return failure{k.error()};
    k->origin = origin;
    keys::jwks_parse out;
    out.set.source = origin;
    out.set.keys.push_back(std::make_shared<const crypto::key>(std::move(*k)));
    return out;
}

result<keys::jwks_parse> load_local_keys(const provider_config& p) {
    const key_source& k = p.keys;
    if (k.jwks_file) {
        auto text = keys::read_file(*k.jwks_file, keys::max_jwks_bytes);
        if (!text) return failure{text.error()};
        auto parsed = keys::parse_jwks(*text, "JWKS file " + *k.jwks_file);
        if (!parsed) return failure{*k.jwks_file + ": " + parsed.error()};
        return parsed;
    }
    if (k.jwks_inline) return keys::parse_jwks(*k.jwks_inline, "inline JWKS of provider " + p.name);
    if (k.pem_file) {
        auto text = keys::read_file(*k.pem_file, max_pem_bytes);
        if (!text) return failure{text.error()};
        return one_key(keys::parse_pem_public_key(*text), "PEM file " + *k.pem_file);
    }
    auto secret = k.secret_env ? keys::read_secret_env(*k.secret_env) : keys::read_secret_file(*k.secret_file);
    if (!secret) return failure{secret.error()};
    return one_key(crypto::make_hmac_key(std::move(*secret)),
                   k.secret_env ? "secret from $" + *k.secret_env : "secret file " + *k.secret_file);
}

// Every whitelisted algorithm should have a key that can verify it; none at all means
// every token of this provider would fail.
void check_key_fit(const validate::provider& p, provider_findings& f, std::string_view member) {
    std::vector<std::string> unfit;
    std::string why;
    for (jose::alg a : p.algorithms) {
        const auto fits = std::any_of(p.keys.keys->keys.begin(), p.keys.keys->keys.end(), [&](const auto& k) {
            const std::string problem = crypto::incompatibility(*k, a);
            if (!problem.empty() && why.empty()) why = problem;
            return problem.empty();
        });
        if (!fits) unfit.emplace_back(jose::to_string(a));
    }
    if (unfit.empty()) return;
    std::string list;
    for (const auto& u : unfit) list += (list.empty() ? "" : ", ") + u;
    if (unfit.size() == p.algorithms.size())
        f.error(member, "no key of " + p.keys.keys->source + " can verify " + list + ": " + why);
    else
        f.warning(member, "no key of " + p.keys.keys->source + " can verify " + list + "; tokens using it will fail");
}

// SPEC §4: plain-HTTP key fetches only when explicitly allowed, and then with a warning.
void check_remote(const provider_config& pc, provider_findings& f) {
    const bool jwks_http = pc.keys.jwks_url && pc.keys.jwks_url->rfind("http://", 0) == 0;
    const bool issuer_http = pc.keys.discovery && pc.issuer.rfind("http://", 0) == 0;
    const std::string_view member = source_member(pc.keys);
    if ((jwks_http || issuer_http) && !pc.keys.allow_http)
        f.error(member, "keys would be fetched over plain http; use https, or set \"allow_http_jwks\": true "
                        "(test setups only)");
    else if (jwks_http || issuer_http)
        f.warning(member, "plain-HTTP JWKS: anyone on the network path can substitute the keys");
    if (std::any_of(pc.algorithms.begin(), pc.algorithms.end(), jose::is_hmac))
        f.warning("algorithms", "HS algorithms with a remote key set: identity providers publish only public keys, "
                                "so HS tokens cannot verify");
}

// check_provider() speaks in sentences about the whole provider; point each at the
// member it is about when the wording says so, else at the provider.
std::string_view member_of(const std::string& message, const key_source& k) {
    if (message.find("leeway") != std::string::npos) return "leeway_s";
    if (message.find("secret") != std::string::npos) return source_member(k);
    if (message.find("audience") != std::string::npos) return "audiences";
    if (message.find("algorithm") != std::string::npos) return "algorithms";
    return {};
}

validate::provider policy_of(const provider_config& pc) {
    validate::provider p;
    p.name = pc.name;
    p.issuer = pc.issuer;
    p.audiences = pc.audiences;
    p.check_audience = pc.audience_check;
    p.algorithms = pc.algorithms;
    p.leeway = pc.leeway;
    p.require_exp = pc.require_exp;
    p.required = pc.required;
    p.max_lifetime = pc.max_lifetime;
    p.typ = pc.typ;
    return p;
}

validate::provider build_provider(const provider_config& pc, provider_findings& f) {
    validate::provider p = policy_of(pc);
    const std::string_view member = source_member(pc.keys);
    if (pc.keys.jwks_url || pc.keys.discovery) {
        check_remote(pc, f);  // keys stay null until the fetcher has some: keys_unavailable
    } else if (auto loaded = load_local_keys(pc); !loaded) {
        f.error(member, loaded.error());
    } else {
        for (const auto& s : loaded->skipped) f.warning(member, "key left out: " + s);
        p.keys.keys = std::make_shared<const keys::key_set>(std::move(loaded->set));
        check_key_fit(p, f, member);
    }
    const validate::policy_report report = validate::check_provider(p);
    for (const auto& e : report.errors) {
        const std::string_view m = member_of(e, pc.keys);
        f.error(m == "audiences" && pc.audiences.empty() ? std::string_view{} : m, e);
    }
    for (const auto& w : report.warnings) f.warning(member_of(w, pc.keys), w);
    return p;
}

}  // namespace

trust_result build_trust(const config& cfg) {
    trust_result out;
    validate::trust t;
    t.limits.max_token_bytes = cfg.limits.max_token_bytes;
    for (std::size_t i = 0; i < cfg.providers.size(); ++i) {
        provider_findings f(cfg, i, out);
        t.providers.push_back(build_provider(cfg.providers[i], f));
    }
    if (cfg.providers.empty()) out.errors.push_back(diagnostic{"$.providers", 0, 0, "configure at least one provider"});
    if (out.errors.empty()) out.trust = std::move(t);
    return out;
}

}  // namespace tokengate::config
