#include "tokengate/proxy/authenticator.hpp"

#include "tokengate/proxy/route_match.hpp"
#include "tokengate/proxy/token_sources.hpp"

namespace tokengate::proxy {

std::vector<validate::route_policy> make_route_policies(const config::config& cfg) {
    std::vector<validate::route_policy> out;
    out.reserve(cfg.routes.size());
    for (const auto& r : cfg.routes) out.push_back(validate::route_policy{r.providers, r.required});
    return out;
}

auth_outcome authenticate(const runtime& rt, token_cache* cache, std::string_view method, std::string_view path,
                          std::string_view query, const boost::beast::http::fields& headers,
                          std::chrono::system_clock::time_point now) {
    auth_outcome out;
    out.route = match_route(rt.cfg.routes, path, method);
    const config::auth_mode mode = out.route ? out.route->auth : rt.cfg.default_auth;
    if (mode == config::auth_mode::none) {
        out.verdict = auth_outcome::kind::anonymous;
        return out;
    }
    const validate::route_policy* policy =
        out.route ? &rt.route_policies[static_cast<std::size_t>(out.route - rt.cfg.routes.data())] : nullptr;
    const validate::extraction found = find_token(headers, query, rt.cfg.token_sources);
    if (!found.token) {
        if (mode == config::auth_mode::optional && found.error->code == reason::missing_token) {
            out.verdict = auth_outcome::kind::anonymous;
            return out;
        }
        out.rejected = found.error;
        return out;
    }
    const double now_s = std::chrono::duration<double>(now.time_since_epoch()).count();
    // Hashed once: the cache key, and the fingerprint of a token that is validated.
    const crypto::sha256_digest token_sha256 = crypto::sha256_of(*found.token);
    if (cache != nullptr) {
        if (auto hit = cache->find(token_sha256, rt.generation, now_s)) {
            out.decision = hit;
            out.cache_hit = true;
            out.rejected = validate::recheck(*hit, rt.trust, now, policy);
            out.verdict = out.rejected ? auth_outcome::kind::rejected : auth_outcome::kind::accepted;
            return out;
        }
    }
    validate::validate_options options;
    options.token_sha256 = &token_sha256;
    auto d = std::make_shared<const validate::decision>(validate::validate(*found.token, rt.trust, now, policy, options));
    out.decision = d;
    if (!d->accepted()) {
        out.rejected = d->rejected;
        return out;
    }
    out.verdict = auth_outcome::kind::accepted;
    if (cache != nullptr) cache->insert(token_sha256, rt.generation, d, now_s);
    return out;
}

}  // namespace tokengate::proxy
