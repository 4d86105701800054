// Arbitrary bytes as what a client sends the proxy: the request head goes through the
// session's own checks (parse_head: size, obs-fold, Beast's parser, framing, version),
// the target through normalise_target, and the request through authenticate() with the
// fixed fuzz trust, a few routes and three token sources — every decision the proxy makes
// before a byte goes upstream, without a socket.

#include "fuzz_check.hpp"
#include "fuzz_trust.hpp"

#include "tokengate/proxy/authenticator.hpp"
#include "tokengate/proxy/path.hpp"
#include "tokengate/proxy/request_head.hpp"
#include "tokengate/proxy/route_match.hpp"
#include "tokengate/proxy/token_sources.hpp"

#include <openssl/err.h>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string_view>

using tokengate::fuzz::require;

namespace {

namespace proxy = tokengate::proxy;
namespace config = tokengate::config;
namespace http = boost::beast::http;

config::route_config route(std::string path, bool prefix, config::auth_mode mode) {
    config::route_config r;
    r.path = std::move(path);
    r.prefix = prefix;
    r.auth = mode;
    return r;
}

// /public/ (none), /admin (idp only, scope read and tenant acme), /maybe (optional),
// /hs (GET and POST, hs only); anything else needs a token. Tokens in the Authorization
// header, cookie "tg" or query parameter "access_token".
proxy::runtime make_runtime() {
    proxy::runtime rt;
    rt.cfg.token_sources = {{config::token_source::kind::authorization, ""},
                            {config::token_source::kind::cookie, "tg"},
                            {config::token_source::kind::query, "access_token"}};
    rt.cfg.routes.push_back(route("/public/", true, config::auth_mode::none));
    auto admin = route("/admin", true, config::auth_mode::required);
    admin.providers = {"idp"};
    admin.required = tokengate::fuzz::route().required;
    rt.cfg.routes.push_back(admin);
    rt.cfg.routes.push_back(route("/maybe", false, config::auth_mode::optional));
    auto hs = route("/hs", true, config::auth_mode::required);
    hs.methods = {"GET", "POST"};
    hs.providers = {"hs"};
    rt.cfg.routes.push_back(hs);
    rt.cfg.limits.max_header_bytes = 8192;
    rt.cfg.limits.max_body_bytes = 65536;
    rt.trust = tokengate::fuzz::trust();
    rt.route_policies = proxy::make_route_policies(rt.cfg);
    rt.generation = 1;
    return rt;
}

const proxy::runtime& runtime() {
    static const proxy::runtime rt = make_runtime();
    return rt;
}

bool has_segment(std::string_view path, std::string_view seg) {
    for (std::size_t i = 0; i < path.size();) {
        const std::size_t next = path.find('/', i + 1);
        const std::size_t end = next == std::string_view::npos ? path.size() : next;
        if (path.substr(i + 1, end - i - 1) == seg) return true;
        i = end;
    }
    return false;
}

// The path routes match and the upstream gets: one canonical form, or a bypass hides
// between what the proxy routes and what the upstream resolves.
void check_path(const proxy::normalised_target& t) {
    const std::string_view p = t.path;
    require(!p.empty() && p.front() == '/', "normalised path not absolute");
    require(p.find("//") == std::string_view::npos, "normalised path holds an empty segment");
    require(!has_segment(p, ".") && !has_segment(p, ".."), "normalised path holds a dot segment");
    require(p.find('\\') == std::string_view::npos, "normalised path holds a backslash");
    for (std::string_view bad : {"%2F", "%2f", "%5C", "%5c", "%00", "%2E", "%2e"})
        require(p.find(bad) == std::string_view::npos, "normalised path holds an encoded slash, backslash, NUL or dot");
    const proxy::normalised_target again = proxy::normalise_target(t.path);
    require(!again.error && again.path == t.path, "normalising the normalised path changes it");
}

void check_framing(const http::request_parser<http::empty_body>& p) {
    const auto& req = p.get();
    require(!(p.chunked() && p.content_length()), "a request with both chunked and Content-Length framing");
    if (req.count(http::field::transfer_encoding) != 0) require(p.chunked(), "Transfer-Encoding without final chunked");
    require(req.version() == 10 || req.version() == 11, "HTTP version other than 1.0 or 1.1");
    for (const auto& f : req) {
        std::string name(f.name_string());
        if (name.find('_') == std::string::npos) continue;
        for (auto& ch : name) ch = ch == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        require(name != "transfer-encoding" && name != "content-length", "a framing header spelled with '_' was taken");
    }
}

void check_outcome(const proxy::auth_outcome& o, std::string_view method, const proxy::normalised_target& t,
                   const http::fields& headers) {
    const proxy::runtime& rt = runtime();
    const config::route_config* expected = proxy::match_route(rt.cfg.routes, t.path, method);
    require(o.route == expected, "authenticate() chose another route than match_route()");
    const config::auth_mode mode = expected ? expected->auth : rt.cfg.default_auth;
    switch (o.verdict) {
    case proxy::auth_outcome::kind::anonymous: {
        const auto found = proxy::find_token(headers, t.query, rt.cfg.token_sources);
        const bool no_token = !found.token && found.error && found.error->code == tokengate::reason::missing_token;
        require(mode == config::auth_mode::none || (mode == config::auth_mode::optional && no_token),
                "anonymous on a route that needs a token");
        break;
    }
    case proxy::auth_outcome::kind::accepted:
        require(mode != config::auth_mode::none, "a token decided on a route without auth");
        require(o.decision && o.decision->accepted() && o.decision->signature_checked && !o.rejected,
                "accepted without an accepted, signature-checked decision");
        if (expected != nullptr && !expected->providers.empty())
            require(o.decision->ev.provider == expected->providers.front(), "accepted by a provider the route excludes");
        break;
    case proxy::auth_outcome::kind::rejected:
        require(o.rejected.has_value(), "rejected without a reason");
        break;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const auto end = bytes.find("\r\n\r\n");
    if (end == std::string_view::npos) return 0;  // the session keeps reading (or times out)
    const proxy::runtime& rt = runtime();

    http::request_parser<http::empty_body> p;
    if (const auto refused = proxy::parse_head(bytes.substr(0, end + 4), rt.cfg.limits, p)) {
        const auto st = refused->status;
        require(st == http::status::bad_request || st == http::status::request_header_fields_too_large ||
                    st == http::status::not_implemented || st == http::status::http_version_not_supported ||
                    st == http::status::payload_too_large,
                "head refused with an unexpected status");
        return 0;
    }
    check_framing(p);
    require(!p.content_length() || *p.content_length() <= *rt.cfg.limits.max_body_bytes,
            "a Content-Length over max_body_bytes was taken");
    const auto& req = p.get();
    const proxy::normalised_target t = proxy::normalise_target(req.target());
    if (t.error) return 0;
    check_path(t);

    // A fresh cache per input: the second call is served from it when the first accepted,
    // and a cache hit must decide exactly as a full validation does.
    const std::string_view method = req.method_string();
    proxy::token_cache cache(4);
    const auto first = proxy::authenticate(rt, &cache, method, t.path, t.query, req, tokengate::fuzz::now());
    check_outcome(first, method, t, req);
    const auto cached = proxy::authenticate(rt, &cache, method, t.path, t.query, req, tokengate::fuzz::now());
    const auto uncached = proxy::authenticate(rt, nullptr, method, t.path, t.query, req, tokengate::fuzz::now());
    for (const auto* o : {&cached, &uncached}) {
        require(o->verdict == first.verdict, "the same request decided differently with or without the cache");
        require(o->rejected.has_value() == first.rejected.has_value() &&
                    (!o->rejected || o->rejected->code == first.rejected->code),
                "the same request rejected for another reason with or without the cache");
    }
    // Tokens accepted only thanks to the leeway (exp already past) are not cached.
    if (first.verdict == proxy::auth_outcome::kind::accepted && first.decision->ev.exp &&
        *first.decision->ev.exp > static_cast<double>(tokengate::fuzz::now_s))
        require(cached.cache_hit, "an accepted token was not served from the cache");
    require(ERR_peek_error() == 0, "OpenSSL error queue left non-empty");
    return 0;
}
