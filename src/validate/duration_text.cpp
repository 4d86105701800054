#include "tokengate/validate/duration_text.hpp"

#include <cmath>
#include <ctime>

namespace tokengate::validate {

std::string duration_text(double seconds) {
    // Beyond ~3e11 years the text would only mislead (and llround would overflow).
    const double magnitude = std::fabs(seconds);
    if (!(magnitude < 1e19)) return "an absurd time";
    const auto s = static_cast<std::int64_t>(std::llround(magnitude));
    const std::int64_t d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60, sec = s % 60;
    if (d > 0) return std::to_string(d) + "d" + (h ? std::to_string(h) + "h" : "");
    if (h > 0) return std::to_string(h) + "h" + (m ? std::to_string(m) + "m" : "");
    if (m > 0) return std::to_string(m) + "m" + (sec ? std::to_string(sec) + "s" : "");
    return std::to_string(sec) + "s";
}

std::string utc_text(double numeric_date) {
    // Clamp to what gmtime_r handles; absurd values are diagnosed elsewhere.
    const double clamped = std::fmax(-62135596800.0, std::fmin(numeric_date, 253402300799.0));
    const auto t = static_cast<std::time_t>(std::floor(clamped));
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace tokengate::validate
