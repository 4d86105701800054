#include "tokengate/cli/explain.hpp"
#include "tokengate/fetch/key_fetch.hpp"
#include "tokengate/keys/jwk.hpp"
#include "tokengate/keys/pem.hpp"
#include "tokengate/keys/secret.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <memory>

namespace tokengate::cli {
namespace {

constexpr std::array all_algs = {jose::alg::hs256, jose::alg::hs384, jose::alg::hs512, jose::alg::rs256,
                                 jose::alg::rs384, jose::alg::rs512, jose::alg::ps256, jose::alg::ps384,
                                 jose::alg::ps512, jose::alg::es256, jose::alg::es384, jose::alg::es512,
                                 jose::alg::eddsa};

// The proxy's own fetcher, so TLS trust, size limit and parsing are what `serve` does.
result<keys::key_set> fetch_key_set(const std::string& url, const parsed_args& args) {
    fetch::remote_source src;
    src.provider = "explain";
    src.jwks_url = url;
    src.allow_http = args.has("--allow-http");
    src.ca_file = args.last("--ca-file");
    src.algorithms.assign(all_algs.begin(), all_algs.end());
    if (url.rfind("http://", 0) == 0 && !src.allow_http)
        return failure{"--jwks " + url + ": plain http lets anyone on the path substitute keys; add --allow-http "
                       "to fetch it anyway"};
    fetch::key_fetch_result r = fetch::fetch_keys_now(src);
    if (!r.ok()) return failure{"--jwks: " + r.message};
    return *r.keys;
}

result<keys::key_set> load_key_file(const std::string& path, const parsed_args& args) {
    if (path.rfind("https://", 0) == 0 || path.rfind("http://", 0) == 0) return fetch_key_set(path, args);
    auto text = keys::read_file(path, keys::max_jwks_bytes);
    if (!text) return failure{"--jwks: " + text.error()};
    if (text->find("-----BEGIN") != std::string::npos) {
        auto k = keys::parse_pem_public_key(*text);
        if (!k) return failure{"--jwks " + path + ": " + k.error()};
        k->origin = "PEM file " + path;
        keys::key_set ks;
        ks.source = k->origin;
        ks.keys.push_back(std::make_shared<const crypto::key>(std::move(*k)));
        return ks;
    }
    auto parsed = keys::parse_jwks(*text, "JWKS file " + path);
    if (!parsed) return failure{"--jwks " + path + ": " + parsed.error()};
    return std::move(parsed->set);
}

// The key a flag names, added to `ks`; both secret flags end up as one oct key.
std::optional<failure> add_secret(const parsed_args& args, keys::key_set& ks) {
    std::optional<result<std::string>> secret;
    std::string origin;
    if (auto env = args.last("--secret-env")) {
        secret = keys::read_secret_env(*env);
        origin = "secret from $" + *env;
    }
    if (auto file = args.last("--secret-file")) {
        if (secret) return failure{"give --secret-env or --secret-file, not both"};
        secret = keys::read_secret_file(*file);
        origin = "secret file " + *file;
    }
    if (!secret) return std::nullopt;
    if (!*secret) return failure{secret->error()};
    crypto::key k = crypto::make_hmac_key(std::move(**secret));
    k.origin = origin;
    ks.source = origin;
    ks.keys.push_back(std::make_shared<const crypto::key>(std::move(k)));
    return std::nullopt;
}

std::vector<jose::alg> algs_for(const keys::key_set& ks) {
    std::vector<jose::alg> out;
    for (jose::alg a : all_algs) {
        // A secret defaults to the HS algorithms it is long enough for (RFC 7518 §3.2).
        const bool fits = std::any_of(ks.keys.begin(), ks.keys.end(), [&](const auto& k) {
            return crypto::incompatibility(*k, a).empty() &&
                   (!jose::is_hmac(a) || k->secret.size() >= jose::digest_size(jose::hash_of(a)));
        });
        if (fits || ks.keys.empty()) out.push_back(a);
    }
    return out;
}

result<std::int64_t> integer_flag(const parsed_args& args, const std::string& name, std::int64_t fallback) {
    const auto v = args.last(name);
    if (!v) return fallback;
    std::int64_t n = 0;
    const auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || p != v->data() + v->size() || n < 0)
        return failure{name + " needs a non-negative integer, got \"" + *v + "\""};
    return n;
}

}  // namespace

arg_spec explain_spec() {
    return {{"--jwks", "--secret-env", "--secret-file", "--issuer", "--audience", "--algorithms", "--leeway",
             "--require", "--at", "--config", "--provider", "--ca-file"},
            {"--json", "--help", "--allow-http"}};
}

result<explain_policy> build_explain_policy(const parsed_args& args) {
    if (args.last("--config")) return explain_policy_from_config(args);
    if (args.last("--provider")) return failure{"--provider picks a provider of --config FILE; give --config too"};
    explain_policy out;
    validate::provider p;
    p.name = "explain";
    keys::key_set ks;
    if (auto path = args.last("--jwks")) {
        auto loaded = load_key_file(*path, args);
        if (!loaded) return failure{loaded.error()};
        ks = std::move(*loaded);
    }
    if (auto bad = add_secret(args, ks)) return *bad;
    out.have_key = !ks.keys.empty();
    if (auto a = args.last("--algorithms")) {
        std::string bad;
        auto list = jose::parse_alg_list(*a, bad);
        if (!list) return failure{"--algorithms: \"" + bad + "\" is not a supported algorithm (none is never allowed)"};
        p.algorithms = *list;
    } else {
        p.algorithms = algs_for(ks);
        if (p.algorithms.empty())
            return failure{"no algorithm fits the given key (an HMAC secret needs at least 32 bytes for HS256)"};
        if (out.have_key) out.notes.push_back("algorithms not restricted (no --algorithms): any that fits the key");
    }
    if (auto iss = args.last("--issuer")) p.issuer = *iss;
    else out.notes.push_back("issuer not checked (no --issuer)");
    p.audiences = args.all("--audience");
    if (p.audiences.empty()) {
        p.check_audience = false;
        out.notes.push_back("audience not checked (no --audience)");
    }
    auto leeway = integer_flag(args, "--leeway", 30);
    if (!leeway) return failure{leeway.error()};
    p.leeway = std::chrono::seconds(*leeway);
    p.required.claims = args.all("--require");
    if (out.have_key) p.keys.keys = std::make_shared<const keys::key_set>(std::move(ks));
    // Without a key every algorithm stays decodable; that is no whitelist to warn about.
    validate::provider checked = p;
    if (!out.have_key && !args.last("--algorithms")) checked.algorithms = {jose::alg::rs256};
    const validate::policy_report report = validate::check_provider(checked);
    if (!report.errors.empty()) return failure{report.errors.front()};
    out.warnings = report.warnings;
    out.trust.providers.push_back(std::move(p));
    return out;
}

}  // namespace tokengate::cli
