#include "tokengate/cli/explain.hpp"
#include "tokengate/config/load.hpp"
#include "tokengate/fetch/key_fetch.hpp"

#include <algorithm>
#include <array>
#include <memory>

namespace tokengate::cli {
namespace {

constexpr std::array policy_flags = {"--jwks",       "--secret-env", "--secret-file", "--issuer", "--audience",
                                     "--algorithms", "--leeway",     "--require",     "--ca-file", "--allow-http"};

std::string first_error(const std::vector<config::diagnostic>& ds, const std::string& file) {
    std::string out = "--config " + file + ": " + config::to_string(ds.front());
    if (ds.size() > 1) out += " (and " + std::to_string(ds.size() - 1) + " more; run tokengate check-config " + file + ")";
    return out;
}

// Remote providers get their keys now, as `serve` would at start-up; a failed fetch
// leaves the provider without keys, which the validator reports (keys_unavailable, with
// the fetch error as hint) rather than hiding behind an input error.
void fetch_remote(const config::provider_config& pc, validate::provider& p, explain_policy& out) {
    fetch::key_fetch_result r = fetch::fetch_keys_now(fetch::remote_source::of(pc));
    if (!r.ok()) {
        p.keys.failing_error = r.message;
        p.keys.failing_since = std::chrono::system_clock::now();
        out.warnings.push_back("provider " + pc.name + ": key fetch failed: " + r.message);
        return;
    }
    for (const auto& s : r.skipped) out.warnings.push_back("provider " + pc.name + ": key left out: " + s);
    p.keys.keys = std::move(r.keys);
    out.notes.push_back("provider " + pc.name + ": keys fetched from " + fetch::display_url(r.jwks_url));
}

}  // namespace

result<explain_policy> explain_policy_from_config(const parsed_args& args) {
    for (const char* flag : policy_flags) {
        if (args.last(flag) || args.has(flag))
            return failure{std::string(flag) + " cannot be combined with --config: the policy comes from the config file"};
    }
    const std::string file = *args.last("--config");
    config::load_result lr = config::load_config_file(file);
    if (!lr.errors.empty() || !lr.cfg) return failure{first_error(lr.errors, file)};
    config::trust_result tr = config::build_trust(*lr.cfg);
    if (!tr.errors.empty() || !tr.trust) return failure{first_error(tr.errors, file)};
    explain_policy out;
    out.trust = std::move(*tr.trust);
    for (const auto& w : lr.warnings) out.warnings.push_back(config::to_string(w));
    for (const auto& w : tr.warnings) out.warnings.push_back(config::to_string(w));
    if (auto only = args.last("--provider")) {
        auto& ps = out.trust.providers;
        const auto it = std::find_if(ps.begin(), ps.end(), [&](const auto& p) { return p.name == *only; });
        if (it == ps.end()) {
            std::string names;
            for (const auto& p : ps) names += (names.empty() ? "" : ", ") + p.name;
            return failure{"--provider " + *only + ": no such provider in " + file + " (it has " + names + ")"};
        }
        validate::provider chosen = std::move(*it);
        ps.clear();
        ps.push_back(std::move(chosen));
    }
    for (auto& p : out.trust.providers) {
        const auto pc = std::find_if(lr.cfg->providers.begin(), lr.cfg->providers.end(),
                                     [&](const auto& c) { return c.name == p.name; });
        if (pc != lr.cfg->providers.end() && pc->keys.remote()) fetch_remote(*pc, p, out);
    }
    out.have_key = true;  // every provider has a key source; a missing key is a rejection
    out.notes.push_back("policy from " + file + (args.last("--provider") ? ", provider " + *args.last("--provider") : ""));
    return out;
}

}  // namespace tokengate::cli
