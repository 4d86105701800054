#include "tokengate/log/event_log.hpp"

#include "tokengate/log/async_output.hpp"
#include "tokengate/log/line.hpp"
#include "tokengate/log/rate_limit.hpp"
#include "tokengate/metrics/registry.hpp"

#include <atomic>
#include <cmath>
#include <limits>
#include <memory>
#include <mutex>
#include <random>
#include <shared_mutex>

namespace tokengate::log {
namespace {

using std::chrono::system_clock;

// SPEC §8: a flood of bad tokens must not fill a disk; 20 lines per second per reason
// still shows every distinct problem of a burst.
constexpr int reject_lines_per_second = 20;

std::atomic<bool> text_format{false};
rejection_limiter limiter(reject_lines_per_second);

// The writer, swapped only by init() and shutdown(); loggers hold the shared side just
// long enough to queue a line.
std::shared_mutex output_mutex;
std::unique_ptr<async_output> output;
std::uint64_t reported_drops = 0;  // guarded by output_mutex (exclusive)
std::mutex sync_mutex;             // whole lines when writing without the writer

std::int64_t steady_second() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::int64_t unix_second(system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

level level_of(std::string_view name) {
    if (name == "error") return level::error;
    if (name == "warn") return level::warn;
    return level::info;
}

void emit(level l, const std::string& json) {
    const bool text = text_format.load(std::memory_order_relaxed);
    const std::string converted = text ? to_text(json) : std::string();
    const std::string& line = text ? converted : json;
    const std::shared_lock lock(output_mutex);
    if (output) {
        output->write(l, line);
        return;
    }
    const std::lock_guard sync(sync_mutex);
    write_line(1, line);
}

void emit_suppressed(const rejection_limiter::report& r) {
    metrics::global().record_log_lines_dropped(metrics::log_drop_cause::rate_limited, r.suppressed);
    const std::string n = std::to_string(r.suppressed);
    emit(level::warn, json_line(system_clock::now(), "warn", "auth.reject.suppressed")
                          .str("reason", to_string(r.code))
                          .integer("suppressed", static_cast<std::int64_t>(r.suppressed))
                          .str("message", n + " similar rejection" + (r.suppressed == 1 ? "" : "s") + " (" +
                                              std::string(to_string(r.code)) + ") not logged: at most " +
                                              std::to_string(reject_lines_per_second) +
                                              " lines per second per reason")
                          .finish());
}

void report_suppressed(std::int64_t now_s) {
    for (const auto& r : limiter.take_reports(now_s)) emit_suppressed(r);
}

struct drops {
    std::uint64_t fresh = 0;  // since the last report
    std::uint64_t total = 0;  // since start
};

// A report goes through the queue it reports on and may be dropped in turn; the running
// total lets a reader who saw any later report (the last one is written synchronously at
// exit) know everything that went missing.
void emit_dropped(const drops& d) {
    metrics::global().record_log_lines_dropped(metrics::log_drop_cause::queue_full, d.fresh);
    emit(level::warn, json_line(system_clock::now(), "warn", "log.dropped")
                          .integer("dropped", static_cast<std::int64_t>(d.fresh))
                          .integer("dropped_total", static_cast<std::int64_t>(d.total))
                          .str("message", std::to_string(d.fresh) + " log line" + (d.fresh == 1 ? "" : "s") +
                                              " dropped: stdout did not keep up and the log queue was full")
                          .finish());
}

// Lines the queue dropped since the last report (and marks them reported).
drops take_drops() {
    const std::unique_lock lock(output_mutex);
    if (!output) return {};
    const std::uint64_t total = output->dropped();
    const drops d{total - reported_drops, total};
    reported_drops = total;
    return d;
}

}  // namespace

void init(std::string_view format) {
    text_format = format == "text";
    const std::unique_lock lock(output_mutex);
    if (!output) {
        output = std::make_unique<async_output>(async_output::options{});
        reported_drops = 0;
    }
}

void configure(const config::log_config& settings) { text_format = settings.format == "text"; }

void shutdown() {
    const drops d = take_drops();
    std::unique_ptr<async_output> out;
    {
        const std::unique_lock lock(output_mutex);
        out.swap(output);
    }
    out.reset();  // writes what is queued; the lines below follow synchronously
    report_suppressed(std::numeric_limits<std::int64_t>::max());
    if (d.fresh > 0) emit_dropped(d);
}

void tick() {
    report_suppressed(steady_second());
    if (const drops d = take_drops(); d.fresh > 0) emit_dropped(d);
}

void reject(const config::log_config& settings, const request_context& ctx, const rejection& r,
            const validate::evidence* ev, int status) {
    const std::int64_t second = steady_second();
    report_suppressed(second);
    if (!limiter.allow(r.code, second)) return;
    const auto now = system_clock::now();
    json_line line(now, "info", "auth.reject");
    line.context(ctx).integer("status", status).str("reason", to_string(r.code));
    if (!r.hint.empty()) line.str("hint", r.hint);
    if (ev != nullptr) line.evidence(*ev, settings.sub, unix_second(now));
    emit(level::info, line.finish());
}

bool access_sampled(const config::log_config& settings) {
    if (!settings.access_log || !(settings.access_log_sample > 0.0)) return false;
    if (settings.access_log_sample >= 1.0) return true;
    thread_local std::minstd_rand rng{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng) < settings.access_log_sample;
}

void access(const config::log_config& settings, const request_context& ctx, const validate::evidence& ev, int status,
            double latency_ms) {
    const auto now = system_clock::now();
    json_line line(now, "info", "auth.accept");
    line.context(ctx);
    if (status != 0) line.integer("status", status);
    line.number("latency_ms", std::round(latency_ms * 1000.0) / 1000.0);  // microseconds are plenty
    line.evidence(ev, settings.sub, unix_second(now));
    emit(level::info, line.finish());
}

void clock_drift(const validate::evidence& ev, double ahead_s, double now_s) {
    const std::int64_t ahead = std::llround(ahead_s);
    json_line line(system_clock::now(), "warn", "clock.drift");
    line.str("provider", ev.provider);
    if (!ev.iss.empty()) line.str("iss", ev.iss);
    if (!ev.kid.empty()) line.str("kid", ev.kid);
    if (ev.iat) line.number("iat", *ev.iat);
    line.integer("now", static_cast<std::int64_t>(now_s)).integer("leeway_s", ev.leeway_s);
    line.integer("offset_s", ahead);  // whole seconds, as iat is written
    line.str("token_fp", ev.token_fp);
    line.str("message", "token iat is " + std::to_string(ahead) + " s ahead of this host's clock (inside the " +
                            std::to_string(ev.leeway_s) + " s leeway): the issuer's clock or this host's is off; "
                            "check NTP before tokens fail as issued_in_future");
    emit(level::warn, line.finish());
}

void event(std::string_view level_name, std::string_view name, std::string_view message, const request_context* ctx,
           int status, std::initializer_list<std::pair<std::string_view, std::string_view>> extra) {
    json_line line(system_clock::now(), level_name, name);
    if (ctx != nullptr) line.context(*ctx);
    if (status != 0) line.integer("status", status);
    line.str("message", message);
    for (const auto& [k, v] : extra) line.str(k, v);
    emit(level_of(level_name), line.finish());
}

}  // namespace tokengate::log
