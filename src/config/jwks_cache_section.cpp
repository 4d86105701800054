#include "tokengate/config/sections.hpp"

#include <algorithm>

namespace tokengate::config {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::int64_t day_s = 86400;
constexpr std::int64_t max_wait_ms = 60'000;
constexpr std::int64_t max_fetch_ms = 300'000;

template <class Duration>
void read_duration(object_reader& r, std::string_view key, std::int64_t min, std::int64_t max, Duration& out) {
    if (auto n = r.integer(key, min, max)) out = Duration(*n);
}

}  // namespace

jwks_cache_config read_jwks_cache(load_context& ctx, const rapidjson::Value& v, const std::string& path) {
    jwks_cache_config c;
    object_reader r(ctx, v, path,
                    {"refresh_min_s", "refresh_max_s", "refresh_default_s", "max_stale_s", "unknown_kid_interval_s",
                     "unknown_kid_wait_ms", "connect_timeout_ms", "timeout_ms", "max_bytes", "retry_min_ms",
                     "retry_max_ms"});
    read_duration(r, "refresh_min_s", 1, 7 * day_s, c.refresh_min);
    read_duration(r, "refresh_max_s", 1, 30 * day_s, c.refresh_max);
    read_duration(r, "refresh_default_s", 1, 30 * day_s, c.refresh_default);
    read_duration(r, "max_stale_s", 0, 30 * day_s, c.max_stale);
    read_duration(r, "unknown_kid_interval_s", 1, day_s, c.unknown_kid_interval);
    read_duration(r, "unknown_kid_wait_ms", 0, max_wait_ms, c.unknown_kid_wait);
    read_duration(r, "connect_timeout_ms", 1, max_fetch_ms, c.connect_timeout);
    read_duration(r, "timeout_ms", 1, max_fetch_ms, c.timeout);
    if (auto n = r.integer("max_bytes", 1024, 64 * 1024 * 1024)) c.max_bytes = static_cast<std::size_t>(*n);
    read_duration(r, "retry_min_ms", 1, max_fetch_ms, c.retry_min);
    read_duration(r, "retry_max_ms", 1, 3'600'000, c.retry_max);
    if (c.refresh_min > c.refresh_max)
        ctx.error(member_path(path, "refresh_min_s"), "refresh_min_s is larger than refresh_max_s");
    if (!r.has("refresh_default_s")) {
        if (c.refresh_min <= c.refresh_max) c.refresh_default = std::clamp(c.refresh_default, c.refresh_min, c.refresh_max);
    } else if (c.refresh_default < c.refresh_min || c.refresh_default > c.refresh_max)
        ctx.error(member_path(path, "refresh_default_s"), "refresh_default_s must lie between refresh_min_s and "
                                                          "refresh_max_s");
    if (c.retry_min > c.retry_max)
        ctx.error(member_path(path, "retry_min_ms"), "retry_min_ms is larger than retry_max_ms");
    if (c.connect_timeout > c.timeout)
        ctx.warning(member_path(path, "connect_timeout_ms"), "connect_timeout_ms is longer than timeout_ms, "
                                                             "which bounds the whole fetch");
    return c;
}

}  // namespace tokengate::config
