#pragma once

#include "tokengate/reason.hpp"
#include "tokengate/validate/validator.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <initializer_list>

namespace tokengate::log {

/** Per-request context passed explicitly (coroutines hop threads; no thread-locals). */
struct request_context {
    std::string request_id;
    std::string method;
    std::string path;    //!< normalised path, query string dropped
    std::string client;  //!< peer address
};

/** Sets up the process logger: JSON lines (default) or human text on stdout. */
void init(std::string_view format);

/** One `auth.reject` line with the SPEC §8 fields. Never the token: only its
 *  fingerprint. Rate-limited per reason; suppressed lines are counted and reported. */
void reject(const request_context& ctx, const rejection& r, const validate::evidence* ev, int status);

/** A `clock.drift` warning (SPEC §8): an accepted token's iat lies `ahead_s` seconds ahead
 *  of this host's clock, inside the provider's leeway. Fields: provider, iss, kid, iat,
 *  now, leeway_s, offset_s (rounded to whole seconds), token_fp. The caller rate-limits it. */
void clock_drift(const validate::evidence& ev, double ahead_s, double now_s);

/** An event without request evidence ("config.load", "proxy.listen", "upstream.error"…). */
void event(std::string_view level, std::string_view name, std::string_view message,
           const request_context* ctx = nullptr, int status = 0,
           std::initializer_list<std::pair<std::string_view, std::string_view>> extra = {});

}  // namespace tokengate::log
