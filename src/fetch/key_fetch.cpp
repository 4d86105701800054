#include "tokengate/fetch/key_fetch.hpp"

#include "tokengate/fetch/cache_policy.hpp"
#include "tokengate/fetch/discovery.hpp"
#include "tokengate/keys/jwk.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>

namespace tokengate::fetch {
namespace {

namespace net = boost::asio;

get_options options_of(const remote_source& src) {
    get_options o;
    o.ca_file = src.ca_file;
    o.connect_timeout = src.cache.connect_timeout;
    o.timeout = src.cache.timeout;
    o.max_bytes = src.cache.max_bytes;
    return o;
}

key_fetch_result failed(fetch_error kind, std::string message) {
    key_fetch_result r;
    r.error = kind;
    r.message = std::move(message);
    return r;
}

std::string content_note(const get_result& g) {
    return g.content_type.empty() ? "no Content-Type" : "Content-Type " + g.content_type;
}

}  // namespace

remote_source remote_source::of(const config::provider_config& p) {
    remote_source s;
    s.provider = p.name;
    s.jwks_url = p.keys.jwks_url;
    s.issuer = p.issuer;
    s.allow_http = p.keys.allow_http;
    s.ca_file = p.keys.ca_file;
    s.cache = p.keys.cache;
    s.algorithms = p.algorithms;
    return s;
}

bool remote_source::same_origin(const remote_source& o) const {
    return provider == o.provider && jwks_url == o.jwks_url && (jwks_url || issuer == o.issuer) &&
           allow_http == o.allow_http && ca_file == o.ca_file && algorithms == o.algorithms;
}

std::string remote_source::describe() const { return jwks_url ? *jwks_url : "discovery from " + issuer; }

key_fetch_result keys_from_body(const get_result& response, const std::string& origin,
                                const std::vector<jose::alg>& algorithms) {
    auto parsed = keys::parse_jwks(response.body, origin);
    if (!parsed) return failed(fetch_error::invalid, "not a usable JWK Set (" + content_note(response) + "): " + parsed.error());
    const auto& ks = parsed->set.keys;
    const bool usable = std::any_of(algorithms.begin(), algorithms.end(), [&](jose::alg a) {
        return std::any_of(ks.begin(), ks.end(), [&](const auto& k) { return crypto::incompatibility(*k, a).empty(); });
    });
    if (!usable) {
        std::string list;
        for (jose::alg a : algorithms) list += (list.empty() ? "" : ", ") + std::string(jose::to_string(a));
        return failed(fetch_error::invalid, "JWK Set holds " + std::to_string(ks.size()) +
                                                " key(s), none usable for the whitelisted " + list);
    }
    key_fetch_result r;
    r.skipped = std::move(parsed->skipped);
    r.max_age = max_age(response.cache_control);
    parsed->set.fetched_at = std::chrono::system_clock::now();
    r.keys = std::make_shared<const keys::key_set>(std::move(parsed->set));
    return r;
}

net::awaitable<key_fetch_result> fetch_keys(remote_source src, std::string jwks_url) {
    const get_options opt = options_of(src);
    if (jwks_url.empty()) {
        auto du = parse_url(discovery_url(src.issuer));
        if (!du) co_return failed(fetch_error::invalid, "discovery URL: " + du.error());
        const get_result doc = co_await http_get(*du, opt);
        if (!doc.ok()) co_return failed(doc.error, "discovery: " + doc.message);
        auto uri = jwks_uri_of(doc.body, src.issuer, src.allow_http);
        if (!uri) co_return failed(fetch_error::invalid, uri.error() + " (from " + display_url(du->text) + ")");
        jwks_url = std::move(*uri);
    }
    auto u = parse_url(jwks_url);
    if (!u) co_return failed(fetch_error::invalid, "JWKS URL: " + u.error());
    if (!u->tls && !src.allow_http)
        co_return failed(fetch_error::invalid, "JWKS URL " + display_url(jwks_url) + " is plain http; refused unless allow_http_jwks is set");
    const get_result res = co_await http_get(*u, opt);
    if (!res.ok()) co_return failed(res.error, res.message);
    key_fetch_result r = keys_from_body(res, jwks_url, src.algorithms);
    if (!r.ok()) r.message = display_url(jwks_url) + ": " + r.message;
    r.jwks_url = std::move(jwks_url);
    co_return r;
}

key_fetch_result fetch_keys_now(const remote_source& src) {
    net::io_context io;
    key_fetch_result out;
    net::co_spawn(io, fetch_keys(src, src.jwks_url.value_or("")), [&](std::exception_ptr e, key_fetch_result r) {
        if (e) out = failed(fetch_error::invalid, "fetch failed unexpectedly");
        else out = std::move(r);
    });
    io.run();
    return out;
}

}  // namespace tokengate::fetch
