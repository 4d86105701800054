#pragma once

#include "tokengate/jose/compact.hpp"
#include "tokengate/reason.hpp"
#include "tokengate/validate/policy.hpp"

#include <optional>
#include <string>
#include <vector>

namespace tokengate::validate {

/** NumericDates of the token, after type checks. */
struct time_claims {
    std::optional<double> exp;
    std::optional<double> nbf;
    std::optional<double> iat;
};

/** NumericDates at or above this are milliseconds by mistake (year 5138 in seconds). */
inline constexpr double millis_threshold = 1e11;

/** Type checks of registered claims: exp/nbf/iat numbers in seconds, aud a string or
 *  array of strings, sub a string. Fills `times` and `aud`. */
std::optional<rejection> check_claim_types(const rapidjson::Value& claims, time_claims& times,
                                           std::vector<std::string>& aud);

/** exp (required unless disabled), nbf, iat-in-the-future, each with the leeway. */
std::optional<rejection> check_times(const time_claims& times, const provider& p, double now);

std::optional<rejection> check_audience(const rapidjson::Value& claims, const std::vector<std::string>& aud,
                                        const provider& p);

/** Claims that must be present (provider's and route's). */
std::optional<rejection> check_required_claims(const rapidjson::Value& claims, const requirements& r);

std::optional<rejection> check_lifetime(const time_claims& times, const provider& p);

/** typ compared as a media type: case-insensitive, "application/" optional (RFC 7515 §4.1.9). */
std::optional<rejection> check_typ(const jose::compact_jws& jws, const provider& p);

/** Scopes from `scope` (space-delimited) or `scp` (array or string), then claim rules. */
std::optional<rejection> check_scopes(const rapidjson::Value& claims, const requirements& r);

}  // namespace tokengate::validate
