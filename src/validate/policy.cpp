#include "tokengate/validate/policy.hpp"

#include "tokengate/keys/secret.hpp"

#include <algorithm>

namespace tokengate::validate {
namespace {

void check_secrets(const provider& p, policy_report& r) {
    if (!p.keys.keys) return;
    for (const auto& k : p.keys.keys->keys) {
        if (k->family != jose::key_family::oct) continue;
        for (jose::alg a : p.algorithms) {
            if (!jose::is_hmac(a)) continue;
            const std::size_t need = jose::digest_size(jose::hash_of(a));
            if (k->secret.size() < need)
                r.errors.push_back("provider " + p.name + ": HMAC secret" +
                                   (k->kid.empty() ? "" : " \"" + k->kid + "\"") + " is " +
                                   std::to_string(k->secret.size()) + " bytes; " + std::string(jose::to_string(a)) +
                                   " needs at least " + std::to_string(need) + " (RFC 7518 §3.2)");
        }
        if (auto w = keys::secret_whitespace_warning(k->secret); !w.empty())
            r.warnings.push_back("provider " + p.name + ": " + w);
    }
}

}  // namespace

policy_report check_provider(const provider& p) {
    policy_report r;
    if (p.algorithms.empty()) r.errors.push_back("provider " + p.name + ": no algorithms allowed");
    if (p.check_audience && p.audiences.empty())
        r.errors.push_back("provider " + p.name +
                           ": no audience configured; set audiences, or disable audience checking explicitly");
    const bool hs = std::any_of(p.algorithms.begin(), p.algorithms.end(), jose::is_hmac);
    const bool asym = std::any_of(p.algorithms.begin(), p.algorithms.end(), [](jose::alg a) { return !jose::is_hmac(a); });
    if (hs && asym)
        r.warnings.push_back("provider " + p.name +
                             ": HS and asymmetric algorithms in one whitelist invite algorithm confusion; "
                             "split them into two providers");
    if (p.leeway > std::chrono::seconds(300))
        r.warnings.push_back("provider " + p.name + ": leeway " + std::to_string(p.leeway.count()) +
                             " s is over 300 s; expired tokens stay usable that long");
    check_secrets(p, r);
    return r;
}

}  // namespace tokengate::validate
