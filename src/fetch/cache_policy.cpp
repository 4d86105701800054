#include "tokengate/fetch/cache_policy.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>

namespace tokengate::fetch {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

std::optional<std::chrono::seconds> max_age(std::string_view cache_control) {
    std::optional<std::chrono::seconds> age;
    bool uncacheable = false;
    while (!cache_control.empty()) {
        const auto comma = cache_control.find(',');
        const std::string_view directive = trim(cache_control.substr(0, comma));
        cache_control = comma == std::string_view::npos ? std::string_view{} : cache_control.substr(comma + 1);
        const auto eq = directive.find('=');
        const std::string_view name = trim(directive.substr(0, eq));
        if (iequals(name, "no-cache") || iequals(name, "no-store")) uncacheable = true;
        if (!iequals(name, "max-age") || eq == std::string_view::npos) continue;
        std::string_view value = trim(directive.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        // delta-seconds is digits only (RFC 9111 §1.2.2). Checked up front: an overflowing
        // "-999…" or "999…x" must be ignored, not read as "very long" below.
        if (value.empty() || !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
            continue;
        std::int64_t n = 0;
        const auto ec = std::from_chars(value.data(), value.data() + value.size(), n).ec;
        // A delta too large to represent means "very long", not invalid.
        if (ec == std::errc::result_out_of_range) n = INT64_MAX / 2;
        if (!age) age = std::chrono::seconds(n);  // the first max-age counts when repeated
    }
    if (uncacheable) return std::chrono::seconds(0);
    return age;
}

std::chrono::seconds lifetime(std::optional<std::chrono::seconds> max_age, const config::jwks_cache_config& c) {
    if (!max_age) return c.refresh_default;
    return std::clamp(*max_age, c.refresh_min, c.refresh_max);
}

std::chrono::milliseconds refresh_delay(std::chrono::seconds lifetime, double unit) {
    const double fraction = 0.75 + 0.15 * std::clamp(unit, 0.0, 1.0);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(lifetime).count();
    return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(ms) * fraction));
}

std::chrono::milliseconds retry_delay(unsigned attempt, const config::jwks_cache_config& c, double unit) {
    auto delay = c.retry_min;
    for (unsigned i = 1; i < attempt && delay < c.retry_max; ++i) delay *= 2;
    delay = std::min(delay, c.retry_max);
    const double fraction = 1.0 - 0.2 * std::clamp(unit, 0.0, 1.0);
    return std::chrono::milliseconds(
        std::max<std::int64_t>(1, static_cast<std::int64_t>(static_cast<double>(delay.count()) * fraction)));
}

}  // namespace tokengate::fetch
