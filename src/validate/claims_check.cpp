#include "tokengate/validate/claims_check.hpp"

#include "tokengate/jose/json.hpp"
#include "tokengate/validate/duration_text.hpp"
#include "tokengate/validate/hints.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

namespace tokengate::validate {
namespace {

using jose::field;

rejection invalid(std::string hint) { return {reason::invalid_claim, std::move(hint)}; }

std::string number_text(double v) {
    std::ostringstream os;
    os.precision(2);
    os << std::scientific << v;
    return os.str();
}

std::string plain_number(double v) {
    if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
    std::ostringstream os;
    os << v;
    return os.str();
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::optional<rejection> numeric_date(const rapidjson::Value& claims, const char* name, std::optional<double>& out) {
    const auto* v = jose::find_member(claims, name);
    if (v == nullptr) return std::nullopt;
    if (!v->IsNumber()) {
        std::string hint = std::string(name) + " is " + std::string(jose::type_name(*v)) + ", must be a number";
        if (v->IsString() && all_digits(std::string_view(v->GetString(), v->GetStringLength())))
            hint += " (the issuer quoted it: \"" + std::string(v->GetString(), v->GetStringLength()) + "\")";
        return invalid(hint);
    }
    const double d = v->GetDouble();
    if (d >= millis_threshold)
        return invalid(std::string(name) + " is in milliseconds (value ≈ " + number_text(d) + "): use seconds");
    out = d;
    return std::nullopt;
}

std::vector<std::string> split_words(std::string_view s) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ') ++i;
        const std::size_t start = i;
        while (i < s.size() && s[i] != ' ') ++i;
        if (i > start) out.emplace_back(s.substr(start, i - start));
    }
    return out;
}

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
    return out;
}

// The values a claim holds for a rule: array elements, words of a string, or the
// scalar's text.
std::optional<std::vector<std::string>> claim_values(const rapidjson::Value& v, bool split) {
    if (v.IsString()) {
        const std::string_view s(v.GetString(), v.GetStringLength());
        return split ? split_words(s) : std::vector<std::string>{std::string(s)};
    }
    if (v.IsBool()) return std::vector<std::string>{v.GetBool() ? "true" : "false"};
    if (v.IsNumber()) return std::vector<std::string>{plain_number(v.GetDouble())};
    if (v.IsArray()) {
        std::vector<std::string> out;
        for (const auto& e : v.GetArray()) {
            if (e.IsString()) out.emplace_back(e.GetString(), e.GetStringLength());
        }
        return out;
    }
    return std::nullopt;
}

std::string media_type(std::string_view t) {
    std::string out(t);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (out.rfind("application/", 0) == 0) out.erase(0, 12);
    return out;
}

}  // namespace

std::optional<rejection> check_claim_types(const rapidjson::Value& claims, time_claims& times,
                                           std::vector<std::string>& aud) {
    if (auto r = numeric_date(claims, "exp", times.exp)) return r;
    if (auto r = numeric_date(claims, "nbf", times.nbf)) return r;
    if (auto r = numeric_date(claims, "iat", times.iat)) return r;
    if (jose::get_string_or_array(claims, "aud", aud) == field::wrong_type)
        return invalid("aud is " + std::string(jose::type_name(*jose::find_member(claims, "aud"))) +
                       ", must be a string or an array of strings");
    std::string_view sub;
    if (jose::get_string(claims, "sub", sub) == field::wrong_type)
        return invalid("sub is " + std::string(jose::type_name(*jose::find_member(claims, "sub"))) + ", must be a string");
    return std::nullopt;
}

std::optional<rejection> check_times(const time_claims& times, const provider& p, double now) {
    const double leeway = static_cast<double>(p.leeway.count());
    const std::string leeway_text = "leeway " + std::to_string(p.leeway.count()) + " s";
    if (!times.exp && p.require_exp) return rejection{reason::missing_claim, "exp is required and absent"};
    // RFC 7519 §4.1.4: the token must not be accepted on or after exp.
    if (times.exp && now >= *times.exp + leeway) {
        const double past = now - *times.exp;
        std::string hint = "expired " + duration_text(past) + " ago (exp " + utc_text(*times.exp) + ", now " +
                           utc_text(now) + ", " + leeway_text + ")";
        const double beyond = past - leeway;
        if (beyond <= 60)
            hint += "; expired only " + plain_number(std::floor(beyond)) +
                    " s past the leeway: clock skew between issuer and this host?";
        return rejection{reason::expired, hint};
    }
    if (times.nbf && *times.nbf - leeway > now) {
        const double ahead = *times.nbf - now;
        std::string hint = "nbf " + duration_text(ahead) + " in the future (nbf " + utc_text(*times.nbf) + ", now " +
                           utc_text(now) + ", " + leeway_text + ")";
        if (ahead <= 600) hint += ": issuer's clock ahead? check NTP or raise leeway";
        return rejection{reason::not_yet_valid, hint};
    }
    if (times.iat && *times.iat - leeway > now) {
        const double ahead = *times.iat - now;
        std::string hint = "iat " + duration_text(ahead) + " in the future (iat " + utc_text(*times.iat) + ", now " +
                           utc_text(now) + ", " + leeway_text + ")";
        if (ahead <= 600) hint += ": issuer's clock ahead? check NTP or raise leeway";
        return rejection{reason::issued_in_future, hint};
    }
    return std::nullopt;
}

std::optional<rejection> check_audience(const rapidjson::Value& claims, const std::vector<std::string>& aud,
                                        const provider& p) {
    if (!p.check_audience) return std::nullopt;
    if (aud.empty())
        return rejection{reason::bad_audience, "token has no aud; expected one of " + joined(p.audiences)};
    for (const auto& a : aud) {
        if (std::find(p.audiences.begin(), p.audiences.end(), a) != p.audiences.end()) return std::nullopt;
    }
    return rejection{reason::bad_audience, audience_hint(aud, p.audiences, claims)};
}

std::optional<rejection> check_required_claims(const rapidjson::Value& claims, const requirements& r) {
    for (const auto& c : r.claims) {
        if (!jose::find_member(claims, c)) return rejection{reason::missing_claim, "claim " + c + " is required and absent"};
    }
    for (const auto& rule : r.rules) {
        if (!jose::find_member(claims, rule.claim))
            return rejection{reason::missing_claim, "claim " + rule.claim + " is required and absent"};
    }
    return std::nullopt;
}

std::optional<rejection> check_lifetime(const time_claims& times, const provider& p) {
    if (!p.max_lifetime) return std::nullopt;
    if (!times.iat || !times.exp)
        return rejection{reason::missing_claim, std::string(times.iat ? "exp" : "iat") +
                                                    " is required to check the maximum token lifetime"};
    const double life = *times.exp - *times.iat;
    if (life > static_cast<double>(p.max_lifetime->count()))
        return rejection{reason::lifetime_too_long, "exp - iat = " + plain_number(life) + " s (" + duration_text(life) +
                                                        "), the maximum is " + std::to_string(p.max_lifetime->count()) + " s"};
    return std::nullopt;
}

std::optional<rejection> check_typ(const jose::compact_jws& jws, const provider& p) {
    if (!p.typ) return std::nullopt;
    if (!jws.typ) return rejection{reason::bad_type, "no typ header; expected \"" + *p.typ + "\""};
    if (media_type(*jws.typ) != media_type(*p.typ))
        return rejection{reason::bad_type, "typ is \"" + *jws.typ + "\", expected \"" + *p.typ + "\""};
    return std::nullopt;
}

std::optional<rejection> check_scopes(const rapidjson::Value& claims, const requirements& r) {
    if (!r.scopes.empty()) {
        std::vector<std::string> granted;
        const auto* scope = jose::find_member(claims, "scope");
        const auto* scp = jose::find_member(claims, "scp");
        if (scope && scope->IsString()) granted = *claim_values(*scope, true);
        else if (scp && (scp->IsArray() || scp->IsString())) granted = *claim_values(*scp, true);
        else
            return rejection{reason::insufficient_scope,
                             "token has no scope or scp claim; required: " + joined(r.scopes)};
        for (const auto& s : r.scopes) {
            if (std::find(granted.begin(), granted.end(), s) == granted.end())
                return rejection{reason::insufficient_scope,
                                 "missing scope " + s + "; required: " + joined(r.scopes) + "; token has: " + joined(granted)};
        }
    }
    for (const auto& rule : r.rules) {
        const auto values = claim_values(*jose::find_member(claims, rule.claim), rule.contains);
        const bool ok = values && (rule.contains ? std::find(values->begin(), values->end(), rule.value) != values->end()
                                                 : values->size() == 1 && values->front() == rule.value);
        if (!ok)
            return rejection{reason::insufficient_scope,
                             "claim " + rule.claim + (rule.contains ? " must contain \"" : " must equal \"") + rule.value +
                                 "\", token has " + (values ? "\"" + joined(*values) + "\"" : "a value of another type")};
    }
    return std::nullopt;
}

}  // namespace tokengate::validate
