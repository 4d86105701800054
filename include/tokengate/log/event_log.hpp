#pragma once

#include "tokengate/config/config.hpp"
#include "tokengate/log/request_context.hpp"
#include "tokengate/reason.hpp"
#include "tokengate/validate/validator.hpp"

#include <initializer_list>
#include <string_view>
#include <utility>

namespace tokengate::log {

// The process's event log (SPEC §8): one JSON object (or text line) per event on stdout,
// written by a background thread from a bounded queue. Nothing here ever writes a token,
// a signature, an Authorization or Cookie value or a secret: callers hand over evidence
// (validate::evidence) and context, never raw request bytes.

/** Starts the background writer (first call) and sets the output format: "json"
 *  (default) or "text". Lines logged before it are written synchronously. */
void init(std::string_view format);

/** Applies the settings a reload may change (the output format). */
void configure(const config::log_config& settings);

/** Writes every queued line, stops the writer and reports lines the queue dropped; later
 *  lines are written synchronously. Call once no other thread logs (end of serve). */
void shutdown();

/** Runs the writer from construction to destruction: however a command ends, its last
 *  lines reach stdout before the process exits. */
class output_scope {
public:
    explicit output_scope(std::string_view format) { init(format); }
    ~output_scope() { shutdown(); }
    output_scope(const output_scope&) = delete;
    output_scope& operator=(const output_scope&) = delete;
};

/** Reports what the log left out: one `auth.reject.suppressed` line per reason whose
 *  rate-limit window closed with suppressed lines, and a `log.dropped` line when the
 *  queue dropped lines since the last report. The server calls it every second, so a
 *  flood that stops is reported even when nothing else is logged. */
void tick();

/** One `auth.reject` line with the SPEC §8 fields; `sub` as `settings.sub` says.
 *  Rate-limited per reason (20 lines per second); suppressed lines are counted and
 *  reported by the next rejection line or tick(). */
void reject(const config::log_config& settings, const request_context& ctx, const rejection& r,
            const validate::evidence* ev, int status);

/** Whether this accepted request gets an access line: access_log on, and sampled at
 *  access_log_sample. Cheap; call it before gathering what access() needs. */
bool access_sampled(const config::log_config& settings);

/** One `auth.accept` line (the optional access log): context, the status sent to the
 *  client (0 when the client left before any), latency_ms from the request header to the
 *  end of the response, and the token's evidence. */
void access(const config::log_config& settings, const request_context& ctx, const validate::evidence& ev, int status,
            double latency_ms);

/** A `clock.drift` warning (SPEC §8): an accepted token's iat lies `ahead_s` seconds ahead
 *  of this host's clock, inside the provider's leeway. Fields: provider, iss, kid, iat,
 *  now, leeway_s, offset_s (rounded to whole seconds), token_fp. The caller rate-limits it. */
void clock_drift(const validate::evidence& ev, double ahead_s, double now_s);

/** An event without request evidence ("config.load", "proxy.listen", "upstream.error"…). */
void event(std::string_view level, std::string_view name, std::string_view message,
           const request_context* ctx = nullptr, int status = 0,
           std::initializer_list<std::pair<std::string_view, std::string_view>> extra = {});

}  // namespace tokengate::log
