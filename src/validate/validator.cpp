#include "tokengate/validate/validator.hpp"

#include "tokengate/crypto/digest.hpp"
#include "tokengate/crypto/verify.hpp"
#include "tokengate/jose/json.hpp"
#include "tokengate/validate/claims_check.hpp"
#include "tokengate/validate/hints.hpp"

#include <algorithm>

namespace tokengate::validate {
namespace {

using jose::field;

double seconds_since_epoch(std::chrono::system_clock::time_point t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
}

void collect_evidence(const jose::compact_jws& jws, evidence& ev) {
    ev.alg = std::string(jose::to_string(jws.algorithm));
    ev.kid = jws.kid.value_or("");
    ev.typ = jws.typ.value_or("");
    std::string_view s;
    if (jose::get_string(jws.payload, "iss", s) == field::found) ev.iss = std::string(s);
    if (jose::get_string(jws.payload, "sub", s) == field::found) ev.sub = std::string(s);
    jose::get_string_or_array(jws.payload, "aud", ev.aud);
    double d = 0;
    if (jose::get_number(jws.payload, "exp", d) == field::found) ev.exp = d;
    if (jose::get_number(jws.payload, "iat", d) == field::found) ev.iat = d;
    if (jose::get_number(jws.payload, "nbf", d) == field::found) ev.nbf = d;
}

bool route_accepts(const route_policy* route, const provider& p) {
    return route == nullptr || route->providers.empty() ||
           std::find(route->providers.begin(), route->providers.end(), p.name) != route->providers.end();
}

// The unverified iss picks the provider; that provider's keys and policy then decide.
std::variant<std::size_t, rejection> select_provider(const jose::compact_jws& jws, const trust& t,
                                                     const route_policy* route) {
    std::string_view iss;
    const field f = jose::get_string(jws.payload, "iss", iss);
    if (f == field::wrong_type)
        return rejection{reason::invalid_claim, "iss is " +
                                                    std::string(jose::type_name(*jose::find_member(jws.payload, "iss"))) +
                                                    ", must be a string"};
    std::vector<std::string> configured;
    for (std::size_t i = 0; i < t.providers.size(); ++i) {
        const provider& p = t.providers[i];
        const bool match = !p.issuer || (f == field::found && *p.issuer == iss);
        if (match) {
            if (!route_accepts(route, p))
                return rejection{reason::bad_issuer, "iss belongs to provider " + p.name +
                                                         ", which this route does not accept"};
            return i;
        }
        configured.push_back(*p.issuer);
    }
    if (f == field::missing)
        return rejection{reason::bad_issuer, configured.empty() ? "token has no iss"
                                                                : "token has no iss; expected \"" + configured.front() + "\""};
    return rejection{reason::bad_issuer, issuer_hint(iss, configured)};
}

struct key_choice {
    std::vector<const crypto::key*> candidates;
    std::optional<rejection> error;
};

key_choice choose_keys(const jose::compact_jws& jws, const provider& p, const trust& t,
                       std::chrono::system_clock::time_point now) {
    key_choice out;
    const keys::key_set& ks = *p.keys.keys;
    if (jws.kid) {
        const crypto::key* k = ks.find(*jws.kid);
        if (k == nullptr) {
            out.error = rejection{reason::unknown_kid, unknown_kid_hint(*jws.kid, p, t, now)};
            return out;
        }
        if (auto why = crypto::incompatibility(*k, jws.algorithm); !why.empty()) {
            out.error = rejection{reason::bad_signature, "key \"" + k->kid + "\" cannot verify " +
                                                             std::string(jose::to_string(jws.algorithm)) + ": " + why};
            return out;
        }
        out.candidates.push_back(k);
        return out;
    }
    for (const auto& k : ks.keys) {
        if (out.candidates.size() >= t.max_keys_tried) break;
        if (crypto::incompatibility(*k, jws.algorithm).empty()) out.candidates.push_back(k.get());
    }
    if (out.candidates.empty())
        out.error = rejection{reason::unknown_kid, "token has no kid and no key of " + ks.source + " fits " +
                                                       std::string(jose::to_string(jws.algorithm)) + "; keys are " +
                                                       [&] {
                                                           std::string s;
                                                           for (const auto& k : ks.keys) s += (s.empty() ? "" : ", ") + crypto::describe(*k);
                                                           return s;
                                                       }()};
    return out;
}

std::string signature_hint(const jose::compact_jws& jws, const crypto::key& k, const std::string& detail) {
    std::string hint;
    if (!detail.empty()) hint = detail + "; ";
    if (k.family == jose::key_family::oct) return hint + hmac_secret_hint(jws, k);
    if (!jws.embedded_key_members.empty())
        return hint + "the header carries " + jws.embedded_key_members +
               ", which is never used (keys never come from the token): a forged token?";
    if (jws.kid)
        return hint + "signed by a different key than the one with this kid: another tenant or stage, or the "
                      "token was altered";
    return hint + "no configured key verifies this signature: another tenant or stage, or the token was altered";
}

std::optional<rejection> verify_signature(const jose::compact_jws& jws, const key_choice& choice) {
    std::string detail;
    for (const crypto::key* k : choice.candidates) {
        const crypto::verify_result r = crypto::verify(jws.algorithm, *k, jws.signing_input, jws.signature);
        if (r.status == crypto::verify_status::valid) return std::nullopt;
        if (r.status == crypto::verify_status::library_error)
            return rejection{reason::bad_signature, "signature check failed inside OpenSSL: " + r.detail};
        if (detail.empty()) detail = r.detail;
    }
    return rejection{reason::bad_signature, signature_hint(jws, *choice.candidates.front(), detail)};
}

requirements merged(const requirements& a, const route_policy* route) {
    requirements out = a;
    if (route == nullptr) return out;
    out.claims.insert(out.claims.end(), route->required.claims.begin(), route->required.claims.end());
    out.scopes.insert(out.scopes.end(), route->required.scopes.begin(), route->required.scopes.end());
    out.rules.insert(out.rules.end(), route->required.rules.begin(), route->required.rules.end());
    return out;
}

bool adds_requirements(const route_policy* route) {
    return route != nullptr &&
           (!route->required.claims.empty() || !route->required.scopes.empty() || !route->required.rules.empty());
}

std::optional<rejection> check_claims(const jose::compact_jws& jws, const provider& p, const route_policy* route,
                                      double now) {
    time_claims times;
    std::vector<std::string> aud;
    if (auto r = check_claim_types(jws.payload, times, aud)) return r;
    if (auto r = check_times(times, p, now)) return r;
    if (auto r = check_audience(jws.payload, aud, p)) return r;
    // Runs on every cache hit: the provider's own requirements are not copied unless a
    // route adds to them.
    std::optional<requirements> with_route;
    if (adds_requirements(route)) with_route = merged(p.required, route);
    const requirements& req = with_route ? *with_route : p.required;
    if (auto r = check_required_claims(jws.payload, req)) return r;
    if (auto r = check_lifetime(times, p)) return r;
    if (auto r = check_typ(jws, p)) return r;
    return check_scopes(jws.payload, req);
}

}  // namespace

decision validate(std::string_view token, const trust& t, std::chrono::system_clock::time_point now,
                  const route_policy* route, const validate_options& options) {
    decision d;
    const double now_s = seconds_since_epoch(now);
    d.ev.now = static_cast<std::int64_t>(now_s);
    d.ev.token_fp = options.token_sha256 != nullptr ? crypto::token_fingerprint(*options.token_sha256)
                                                    : crypto::token_fingerprint(token);

    // Size, structure, header.
    jose::compact_parse parsed = jose::parse_compact(token, t.limits);
    if (parsed.error) {
        d.rejected = std::move(parsed.error);
        return d;
    }
    d.token = std::move(parsed.jws);
    const jose::compact_jws& jws = *d.token;
    collect_evidence(jws, d.ev);

    // Provider, chosen by the unverified iss.
    auto chosen = select_provider(jws, t, route);
    if (auto* r = std::get_if<rejection>(&chosen)) {
        d.rejected = std::move(*r);
        return d;
    }
    d.provider_index = std::get<std::size_t>(chosen);
    const provider& p = t.providers[*d.provider_index];
    d.ev.provider = p.name;
    d.ev.leeway_s = p.leeway.count();

    // Algorithm.
    if (std::find(p.algorithms.begin(), p.algorithms.end(), jws.algorithm) == p.algorithms.end()) {
        d.rejected = rejection{reason::alg_not_allowed, alg_hint(jws, p)};
        return d;
    }

    // Key, signature.
    if (options.verify_signature) {
        if (!p.keys.keys || p.keys.keys->keys.empty()) {
            d.rejected = rejection{reason::keys_unavailable, keys_unavailable_hint(p)};
            return d;
        }
        const key_choice choice = choose_keys(jws, p, t, now);
        if (choice.error) {
            d.rejected = choice.error;
            return d;
        }
        if (auto r = verify_signature(jws, choice)) {
            d.rejected = std::move(r);
            return d;
        }
        d.signature_checked = true;
    }

    // Claims.
    if (auto r = check_claims(jws, p, route, now_s)) d.rejected = std::move(r);
    return d;
}

std::optional<rejection> recheck(const decision& accepted, const trust& t, std::chrono::system_clock::time_point now,
                                 const route_policy* route) {
    if (!accepted.token || !accepted.provider_index || *accepted.provider_index >= t.providers.size())
        return rejection{reason::malformed_token, "cached decision without a token"};
    const provider& p = t.providers[*accepted.provider_index];
    if (!route_accepts(route, p))
        return rejection{reason::bad_issuer, "iss belongs to provider " + p.name + ", which this route does not accept"};
    return check_claims(*accepted.token, p, route, seconds_since_epoch(now));
}

}  // namespace tokengate::validate
