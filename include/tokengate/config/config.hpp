#pragma once

#include "tokengate/validate/policy.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tokengate::config {

/** Where a value starts in the config text: 1-based line and column (0 = unknown). */
struct source_position {
    int line = 0;
    int column = 0;
};

/** host:port to listen on or connect to. */
struct endpoint {
    std::string host;
    std::uint16_t port = 0;
};

/** How a remote key set is fetched and kept ("jwks_cache" of a provider, SPEC §4). */
struct jwks_cache_config {
    std::chrono::seconds refresh_min{60};       //!< lower bound for Cache-Control max-age
    std::chrono::seconds refresh_max{86400};    //!< upper bound for Cache-Control max-age
    std::chrono::seconds refresh_default{600};  //!< when the response has no max-age
    std::chrono::seconds max_stale{86400};      //!< keys keep serving this long past their refresh time
    std::chrono::seconds unknown_kid_interval{30};  //!< at most one unknown-kid refetch per interval
    std::chrono::milliseconds unknown_kid_wait{2000};  //!< how long a request waits for that refetch
    std::chrono::milliseconds connect_timeout{3000};
    std::chrono::milliseconds timeout{10000};   //!< whole fetch: connect, TLS, request, response
    std::size_t max_bytes = 1024 * 1024;
    std::chrono::milliseconds retry_min{1000};  //!< first retry after a failed fetch, then doubling
    std::chrono::milliseconds retry_max{60000};

    bool operator==(const jwks_cache_config&) const = default;
};

/** Where a provider's keys come from (exactly one source per provider). */
struct key_source {
    std::optional<std::string> jwks_file;
    std::optional<std::string> jwks_inline;  //!< JWKS JSON text as written in the config
    std::optional<std::string> pem_file;
    std::optional<std::string> secret_env;
    std::optional<std::string> secret_file;
    std::optional<std::string> jwks_url;     //!< remote JWKS (https unless allow_http)
    bool discovery = false;                  //!< OIDC discovery from the issuer
    bool allow_http = false;
    std::optional<std::string> ca_file;
    jwks_cache_config cache;                 //!< remote sources only

    bool remote() const noexcept { return jwks_url.has_value() || discovery; }
};

/** One trusted issuer: its policy (validate::provider minus keys) and key source. */
struct provider_config {
    std::string name;
    std::string issuer;
    std::vector<std::string> audiences;
    bool audience_check = true;             //!< "audience_check": false disables it explicitly
    std::vector<jose::alg> algorithms;
    std::chrono::seconds leeway{30};
    bool require_exp = true;
    validate::requirements required;
    std::optional<std::chrono::seconds> max_lifetime;
    std::optional<std::string> typ;
    key_source keys;
};

/** Where tokens are looked for (SPEC §3). Authorization Bearer by default. */
struct token_source {
    enum class kind { authorization, header, cookie, query };
    kind type = kind::authorization;
    std::string name;  //!< header, cookie or query parameter name (unused for authorization)
};

/** What a route demands. */
enum class auth_mode { required, optional, none };

/** A route: normalised path (exact or prefix) and methods → auth mode and requirements.
 *  The first matching route wins; no match means `default_auth`. */
struct route_config {
    std::string path;
    bool prefix = false;
    std::vector<std::string> methods;   //!< empty = any
    auth_mode auth = auth_mode::required;
    std::vector<std::string> providers; //!< empty = any configured provider
    validate::requirements required;
};

/** Identity headers added to forwarded requests (and forward-auth answers). */
struct identity_config {
    std::map<std::string, std::string> claim_headers;  //!< claim → header, e.g. sub → X-User-Id
    std::optional<std::string> payload_header;         //!< whole verified payload, base64url JSON
    std::string provider_header = "X-Auth-Provider";   //!< "" = not sent
};

/** Bounds and timeouts of the proxy. */
struct limits_config {
    std::size_t max_header_bytes = 16 * 1024;
    std::optional<std::uint64_t> max_body_bytes;  //!< unset = unlimited (streamed)
    std::size_t max_connections = 10000;
    std::size_t max_token_bytes = 8192;
    std::chrono::milliseconds header_timeout{10000};
    std::chrono::milliseconds idle_timeout{60000};
    std::chrono::milliseconds request_timeout{300000};
    std::chrono::milliseconds upstream_connect_timeout{2000};
    std::chrono::milliseconds upstream_response_timeout{30000};
    std::size_t upstream_pool_size = 64;  //!< idle upstream connections kept per thread
    std::chrono::milliseconds drain_timeout{20000};  //!< SIGTERM: how long in-flight requests may finish
};

/** Forward-auth endpoint for ingress auth subrequests. */
struct forward_auth_config {
    bool enabled = false;
    std::string path = "/auth";  //!< on the main listener
};

/** Log settings ("log", SPEC §8). Format changes apply on reload too; the rest is read
 *  per request from the request's snapshot. */
struct log_config {
    /** What an auth.reject / auth.accept line says about the token's `sub`. */
    enum class sub_mode {
        plain,  //!< as the token has it
        hash,   //!< first 16 hex digits of its SHA-256: lines of one subject correlate, the value stays out
        omit,   //!< not written at all
    };
    std::string format = "json";    //!< "json" or "text"
    sub_mode sub = sub_mode::plain;
    bool access_log = false;        //!< an auth.accept line per request accepted with a token
    double access_log_sample = 1.0; //!< fraction (0–1) of those requests that get the line
};

/** The whole configuration, as loaded and checked. */
struct config {
    endpoint listen{"0.0.0.0", 8080};
    endpoint admin{"127.0.0.1", 9901};
    endpoint upstream{"127.0.0.1", 3000};
    int threads = 0;  //!< 0 = one per core
    std::string realm = "tokengate";
    std::vector<provider_config> providers;
    std::vector<token_source> token_sources{token_source{}};
    std::vector<route_config> routes;
    auth_mode default_auth = auth_mode::required;
    identity_config identity;
    bool strip_authorization = false;
    forward_auth_config forward_auth;
    std::size_t token_cache_entries = 10000;  //!< 0 disables the verified-token cache
    limits_config limits;
    bool expose_hints = false;  //!< debug only: put the hint in response bodies
    log_config logging;
    /** JSON path → where its value was written, filled by parse_config so later checks
     *  (build_trust) can point into the file. Empty for a config built in code. */
    std::map<std::string, source_position> positions;
};

}  // namespace tokengate::config
