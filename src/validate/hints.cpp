#include "tokengate/validate/hints.hpp"

#include "tokengate/crypto/verify.hpp"
#include "tokengate/jose/base64url.hpp"
#include "tokengate/jose/json.hpp"
#include "tokengate/validate/duration_text.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace tokengate::validate {
namespace {

std::string quoted_list(const std::vector<std::string>& v) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", \"" : "\"") + v[i] + "\"";
    return out + "]";
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view without_scheme(std::string_view s) {
    const auto p = s.find("://");
    return p == std::string_view::npos ? s : s.substr(p + 3);
}

std::string_view without_trailing_slash(std::string_view s) {
    while (!s.empty() && s.back() == '/') s.remove_suffix(1);
    return s;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

std::vector<std::string> words(std::string_view s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (std::isalnum(static_cast<unsigned char>(c))) {
            cur.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        } else if (!cur.empty()) {
            out.push_back(std::move(cur));
            cur.clear();
        }
    }
    if (!cur.empty()) out.push_back(std::move(cur));
    return out;
}

bool is_stage_word(std::string_view w) {
    constexpr std::array stages = {"dev", "develop", "development", "test", "testing", "qa", "uat", "stage",
                                   "staging", "stg", "preprod", "prod", "production", "prd", "sandbox", "sbx",
                                   "demo", "int", "integration", "local", "perf"};
    return std::find(stages.begin(), stages.end(), w) != stages.end();
}

// "dev" vs "prod" when the two issuers are word-for-word equal except for stage names.
std::optional<std::pair<std::string, std::string>> stage_difference(std::string_view a, std::string_view b) {
    const auto wa = words(a), wb = words(b);
    if (wa.size() != wb.size()) return std::nullopt;
    std::optional<std::pair<std::string, std::string>> diff;
    for (std::size_t i = 0; i < wa.size(); ++i) {
        if (wa[i] == wb[i]) continue;
        if (!is_stage_word(wa[i]) || !is_stage_word(wb[i]) || diff) return std::nullopt;
        diff = std::make_pair(wa[i], wb[i]);
    }
    return diff;
}

std::string relation(std::string_view iss, std::string_view cfg) {
    if (without_trailing_slash(iss) == without_trailing_slash(cfg))
        return "differs only by a trailing slash (token \"" + std::string(iss) + "\", configured \"" +
               std::string(cfg) + "\"): iss is compared exactly";
    if (lower(without_scheme(iss)) == lower(without_scheme(cfg)))
        return "differs only in scheme/case (token \"" + std::string(iss) + "\", configured \"" + std::string(cfg) +
               "\"): iss is compared exactly";
    if (const auto st = stage_difference(iss, cfg))
        return "matches the configured issuer of another stage: token from \"" + st->first +
               "\", configured \"" + std::string(cfg) + "\" is \"" + st->second + "\"";
    return {};
}

// Shapes of client ids issued by common IdPs: GUIDs (Entra, Okta app ids are 20 alnum),
// Auth0's 32 alnum, Cognito's 26 lower alnum. A configured audience that is a URL/URN
// does not look like that, which is what makes the mix-up recognisable.
bool client_id_shaped(std::string_view v) {
    if (v.size() < 16 || v.size() > 64) return false;
    const bool guid = v.size() == 36 && v[8] == '-' && v[13] == '-' && v[18] == '-' && v[23] == '-';
    const bool alnum = std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_'; });
    return guid || alnum;
}

bool trial_hmac(const jose::compact_jws& jws, std::string_view secret) {
    if (secret.empty()) return false;
    return crypto::verify_hmac(jose::hash_of(jws.algorithm), secret, jws.signing_input, jws.signature) ==
           crypto::verify_status::valid;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

}  // namespace

std::string issuer_hint(std::string_view iss, const std::vector<std::string>& configured) {
    if (configured.empty()) return "no provider is configured";
    for (const auto& cfg : configured) {
        if (auto r = relation(iss, cfg); !r.empty()) return r;
    }
    const auto nearest = std::min_element(configured.begin(), configured.end(), [&](const auto& a, const auto& b) {
        return edit_distance(iss, a) < edit_distance(iss, b);
    });
    return "token iss \"" + std::string(iss) + "\" matches no provider; nearest configured issuer: \"" + *nearest + "\"";
}

std::string audience_hint(const std::vector<std::string>& got, const std::vector<std::string>& expected,
                          const rapidjson::Value& claims) {
    const std::string base = "expected one of " + quoted_list(expected) + ", got " + quoted_list(got);
    const std::string want = expected.empty() ? "" : expected.front();
    for (const char* id_claim : {"azp", "client_id", "cid", "appid"}) {
        std::string_view id;
        if (jose::get_string(claims, id_claim, id) != jose::field::found) continue;
        if (std::find(got.begin(), got.end(), id) != got.end())
            return "aud equals the token's " + std::string(id_claim) +
                   ": aud is set to the OAuth client id (confirmed); request the token with audience=" + want +
                   "; " + base;
    }
    for (const auto& g : got) {
        for (const auto& e : expected) {
            if (without_trailing_slash(g) == without_trailing_slash(e))
                return "aud \"" + g + "\" differs only by a trailing slash from \"" + e + "\"; " + base;
        }
    }
    const bool expected_uri = std::any_of(expected.begin(), expected.end(), [](const std::string& e) {
        return e.find_first_of(":/.") != std::string::npos;
    });
    const bool got_client_id = std::any_of(got.begin(), got.end(), [](const std::string& g) { return client_id_shaped(g); });
    if (got_client_id && (expected_uri || expected.size() == 1))
        return "aud looks like an OAuth client id; request the token with audience=" + want + "; " + base;
    return base;
}

std::string hmac_secret_hint(const jose::compact_jws& jws, const crypto::key& k) {
    const std::string_view secret = k.secret;
    if (!secret.empty() && secret.back() == '\n' && trial_hmac(jws, secret.substr(0, secret.size() - 1)))
        return "verifies with the configured secret minus its trailing newline: fix the secret";
    if (trim(secret).size() != secret.size() && trial_hmac(jws, trim(secret)))
        return "verifies with the configured secret minus its surrounding whitespace: fix the secret";
    if (trial_hmac(jws, std::string(secret) + "\n"))
        return "verifies with the configured secret plus a trailing newline: the issuer's copy of the secret "
               "ends with a newline; remove it there";
    std::string decoded;
    const std::string_view t = trim(secret);
    const jose::b64_decoded url = jose::base64url_decode(t);
    if ((jose::base64_std_decode(t, decoded) && trial_hmac(jws, decoded)) ||
        (url.error == jose::b64_error::none && trial_hmac(jws, url.bytes)))
        return "verifies with the base64-decoded secret: the issuer treats the secret as base64; decode it "
               "before configuring, or configure the raw bytes";
    return "the issuer signed with a different secret (checked: as configured, trimmed, with a newline, "
           "base64-decoded)";
}

std::string confusion_confirmed(const jose::compact_jws& jws, const keys::key_set& ks) {
    for (const auto& k : ks.keys) {
        if (!k->pkey) continue;
        const std::string pem = crypto::public_key_pem(*k);
        const std::string der = crypto::public_key_der(*k);
        const std::string_view pem_trimmed = trim(pem);
        if (trial_hmac(jws, pem) || trial_hmac(jws, pem_trimmed) || trial_hmac(jws, der))
            return "confirmed: the " + std::string(jose::to_string(jws.algorithm)) +
                   " signature verifies with the provider's " + crypto::describe(*k) + " public key" +
                   (k->kid.empty() ? "" : " \"" + k->kid + "\"") +
                   " used as the HMAC secret: an algorithm-confusion attack";
    }
    return {};
}

std::string alg_hint(const jose::compact_jws& jws, const provider& p) {
    std::vector<std::string> allowed;
    for (jose::alg a : p.algorithms) allowed.emplace_back(jose::to_string(a));
    const std::string token_alg(jose::to_string(jws.algorithm));
    const bool all_asym = std::none_of(p.algorithms.begin(), p.algorithms.end(), jose::is_hmac);
    if (jose::is_hmac(jws.algorithm) && all_asym && !p.algorithms.empty()) {
        if (p.keys.keys) {
            if (auto c = confusion_confirmed(jws, *p.keys.keys); !c.empty()) return c;
        }
        return "token alg " + token_alg + " but provider expects " + allowed.front() +
               ": possible algorithm-confusion attack";
    }
    return "token alg " + token_alg + " is not in provider " + p.name + "'s whitelist " + quoted_list(allowed);
}

std::string unknown_kid_hint(std::string_view kid, const provider& p, const trust& t,
                             std::chrono::system_clock::time_point now) {
    const keys::key_set& ks = *p.keys.keys;
    std::string hint = "token kid \"" + std::string(kid) + "\"; " +
                       (ks.fetched_at ? "JWKS has " : "keys have ") + quoted_list(ks.kids());
    if (ks.fetched_at) {
        const auto ago = std::chrono::duration_cast<std::chrono::seconds>(now - *ks.fetched_at).count();
        hint += "; refetched " + std::to_string(ago) + " s ago: key rotation at the issuer?";
    }
    for (const auto& other : t.providers) {
        if (&other == &p || !other.keys.keys || !other.keys.keys->find(kid)) continue;
        hint += "; that kid belongs to provider " + other.name + ": a token of another issuer/tenant?";
        break;
    }
    return hint;
}

std::string keys_unavailable_hint(const provider& p) {
    if (p.keys.failing_since)
        return "JWKS fetch failing since " +
               utc_text(static_cast<double>(std::chrono::system_clock::to_time_t(*p.keys.failing_since))) + ": " +
               p.keys.failing_error;
    if (!p.keys.failing_error.empty()) return p.keys.failing_error;
    return "provider " + p.name + " has no keys loaded yet";
}

}  // namespace tokengate::validate
