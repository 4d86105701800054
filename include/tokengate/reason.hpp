#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace tokengate {

/** Why a request was not authenticated. Exactly the codes of SPEC §7; the names are a
 *  stable interface (logs, metrics labels, `error_description`, explain). */
enum class reason {
    missing_token,                //!< no token where the route expects one
    malformed_token,              //!< not a well-formed compact JWS
    token_too_large,              //!< larger than the configured size limit
    encrypted_token_unsupported,  //!< five segments: a JWE, which tokengate does not decrypt
    alg_not_allowed,              //!< alg unknown, `none`, or outside the provider's whitelist
    unknown_kid,                  //!< no key in the provider's set matches kid (or fits alg)
    bad_signature,                //!< signature does not verify with the selected key
    keys_unavailable,             //!< the provider has no usable key set yet
    expired,                      //!< exp + leeway <= now
    not_yet_valid,                //!< nbf - leeway > now
    issued_in_future,             //!< iat - leeway > now
    invalid_claim,                //!< a registered claim has the wrong type or an absurd value
    bad_issuer,                   //!< iss matches no configured provider
    bad_audience,                 //!< aud missing or matches no configured audience
    missing_claim,                //!< a required claim is absent
    insufficient_scope,           //!< a required scope or claim value is absent
    lifetime_too_long,            //!< exp - iat exceeds the provider's maximum lifetime
    bad_type,                     //!< typ header differs from the required type
};

inline constexpr std::array all_reasons = {
    reason::missing_token,    reason::malformed_token,  reason::token_too_large,
    reason::encrypted_token_unsupported, reason::alg_not_allowed, reason::unknown_kid,
    reason::bad_signature,    reason::keys_unavailable, reason::expired,
    reason::not_yet_valid,    reason::issued_in_future, reason::invalid_claim,
    reason::bad_issuer,       reason::bad_audience,     reason::missing_claim,
    reason::insufficient_scope, reason::lifetime_too_long, reason::bad_type,
};

/** A rejection: one reason and, when the evidence supports one, a hint naming the
 *  likely root cause. Hints go to logs and explain, never to clients. */
struct rejection {
    reason code;
    std::string hint;
};

/** The stable snake_case code of a reason. */
std::string_view to_string(reason r) noexcept;

/** Inverse of to_string; nullopt for anything that is not exactly a code. */
std::optional<reason> parse_reason(std::string_view code) noexcept;

}  // namespace tokengate
