#pragma once

#include <cstdint>
#include <string>

namespace tokengate::validate {

/** Compact human duration of |seconds|: "45s", "3m12s", "2h5m", "3d4h". */
std::string duration_text(double seconds);

/** UTC timestamp of a NumericDate: "2026-11-28T12:00:00Z" (fractions dropped). */
std::string utc_text(double numeric_date);

}  // namespace tokengate::validate
