#pragma once

#include "tokengate/metrics/exposition.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tokengate::metrics {

/** Every metric family tokengate exposes, in scrape order: id, name, type, labels (for the
 *  reader; the code that records a family sets them), help. README.md "Metrics" lists the
 *  same table for operators. */
#define TOKENGATE_METRIC_FAMILIES(X)                                                                                 \
    X(requests, "tokengate_requests_total", counter, "outcome,reason,provider,route",                                \
      "Requests by outcome (accepted, anonymous, rejected, upstream_error, bad_request, client_closed), rejection "   \
      "reason, provider and route (the route's path, or default)")                                                   \
    X(auth_duration, "tokengate_auth_duration_seconds", histogram, "",                                               \
      "Time to decide a request's authentication: route, token extraction, cache or validation")                     \
    X(upstream_duration, "tokengate_upstream_duration_seconds", histogram, "",                                       \
      "Time from sending a request upstream (connecting included) to its response header")                           \
    X(token_age, "tokengate_token_age_seconds", histogram, "", "Age (now - iat) of accepted tokens")                 \
    X(token_cache_hits, "tokengate_token_cache_hits_total", counter, "",                                             \
      "Verified-token cache lookups that skipped signature verification")                                            \
    X(token_cache_misses, "tokengate_token_cache_misses_total", counter, "",                                         \
      "Verified-token cache lookups that found no usable entry")                                                     \
    X(token_cache_entries, "tokengate_token_cache_entries", gauge, "", "Tokens in the verified-token caches")         \
    X(clock_drift, "tokengate_clock_drift_tokens_total", counter, "",                                                \
      "Accepted tokens whose iat lies more than 1 s ahead of this host's clock (inside the leeway)")                 \
    X(config_reloads, "tokengate_config_reloads_total", counter, "result",                                           \
      "Configuration reloads (SIGHUP) by result: success, or failure (the running config stays)")                    \
    X(log_lines_dropped, "tokengate_log_lines_dropped_total", counter, "cause",                                      \
      "Log lines not written, by cause: rate_limited (auth.reject lines over the per-reason budget) or queue_full "    \
      "(stdout did not keep up)")                                                                                     \
    X(jwks_fetches, "tokengate_jwks_fetches_total", counter, "provider,result", "JWKS fetches by provider and result") \
    X(open_connections, "tokengate_open_connections", gauge, "", "Client connections open now")                      \
    X(provider_keys, "tokengate_provider_keys", gauge, "provider", "Keys in each provider's current key set")         \
    X(provider_keys_age, "tokengate_provider_keys_age_seconds", gauge, "provider",                                   \
      "Seconds since each remote provider's key set was fetched (only for fetched key sets)")

/** Identifies a family of the declared list. */
enum class family : std::size_t {
#define TOKENGATE_METRIC_ID(id, name, type, labels, help) id,
    TOKENGATE_METRIC_FAMILIES(TOKENGATE_METRIC_ID)
#undef TOKENGATE_METRIC_ID
};

/** Name, type, label names and help of a family. */
struct family_info {
    std::string_view name;
    metric_type type;
    std::string_view labels;  //!< comma-separated label names, "" for none
    std::string_view help;
};

inline constexpr std::array families = {
#define TOKENGATE_METRIC_INFO(id, name, type, labels, help) family_info{name, metric_type::type, labels, help},
    TOKENGATE_METRIC_FAMILIES(TOKENGATE_METRIC_INFO)
#undef TOKENGATE_METRIC_INFO
};

constexpr const family_info& info(family f) noexcept { return families[static_cast<std::size_t>(f)]; }

/** Writes a family's `# HELP` and `# TYPE` lines. */
inline void begin(text_writer& w, family f) { w.family(info(f).name, info(f).type, info(f).help); }

/** How a request ended, for tokengate_requests_total. Each request counts once. */
enum class outcome : std::uint8_t {
    accepted,        //!< a valid token; forwarded (or answered 200 by forward-auth)
    anonymous,       //!< no token needed or none sent on an optional route; forwarded
    rejected,        //!< 401/403/503 with a SPEC §7 reason
    upstream_error,  //!< authorised, but the upstream could not be reached or broke the exchange (502/504)
    bad_request,     //!< refused before or beside authentication: bad path, header or body framing (4xx/5xx)
    client_closed,   //!< the client went away before any answer
};

inline constexpr std::array all_outcomes = {outcome::accepted,       outcome::anonymous,   outcome::rejected,
                                            outcome::upstream_error, outcome::bad_request, outcome::client_closed};

std::string_view to_string(outcome o) noexcept;

/** Bucket bounds (seconds). Authentication is microseconds with a cache hit, a few hundred
 *  with an RSA verification; upstream answers range from loopback-fast to timeouts; token
 *  ages from seconds to the common one-hour and one-day lifetimes. */
inline constexpr std::array<double, 14> auth_duration_bounds = {0.00001, 0.000025, 0.00005, 0.0001, 0.00025,
                                                                0.0005,  0.001,    0.0025,  0.005,  0.01,
                                                                0.025,   0.05,     0.1,     0.25};
inline constexpr std::array<double, 15> upstream_duration_bounds = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                                    0.025,  0.05,  0.1,    0.25,  0.5,
                                                                    1,      2.5,   5,      10,    30};
inline constexpr std::array<double, 12> token_age_bounds = {1,   10,   30,   60,   120,  300,
                                                            600, 1800, 3600, 7200, 21600, 86400};

/** Counts one JWKS fetch of `provider` with `result` ("success", "http_error",
 *  "timeout", "tls_error", "invalid", … any text; label-escaped when scraped). Thread-safe;
 *  for the key fetcher. At most 1024 distinct (provider, result) pairs are kept; further
 *  ones count under result "other". */
void record_jwks_fetch(std::string_view provider, std::string_view result);

/** Why log lines were left out (tokengate_log_lines_dropped_total's "cause"). */
enum class log_drop_cause : std::uint8_t {
    rate_limited,  //!< auth.reject lines over the per-reason budget (reported as auth.reject.suppressed)
    queue_full,    //!< the writer's queue was full: stdout did not keep up (reported as log.dropped)
};

/** Counts one configuration reload attempt (SIGHUP). Thread-safe. */
void record_config_reload(bool success);

}  // namespace tokengate::metrics
