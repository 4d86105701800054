#include "tokengate/reason.hpp"

namespace tokengate {

std::string_view to_string(reason r) noexcept {
    switch (r) {
    case reason::missing_token: return "missing_token";
    case reason::malformed_token: return "malformed_token";
    case reason::token_too_large: return "token_too_large";
    case reason::encrypted_token_unsupported: return "encrypted_token_unsupported";
    case reason::alg_not_allowed: return "alg_not_allowed";
    case reason::unknown_kid: return "unknown_kid";
    case reason::bad_signature: return "bad_signature";
    case reason::keys_unavailable: return "keys_unavailable";
    case reason::expired: return "expired";
    case reason::not_yet_valid: return "not_yet_valid";
    case reason::issued_in_future: return "issued_in_future";
    case reason::invalid_claim: return "invalid_claim";
    case reason::bad_issuer: return "bad_issuer";
    case reason::bad_audience: return "bad_audience";
    case reason::missing_claim: return "missing_claim";
    case reason::insufficient_scope: return "insufficient_scope";
    case reason::lifetime_too_long: return "lifetime_too_long";
    case reason::bad_type: return "bad_type";
    }
    return "unknown";  // unreachable for valid enumerators; keeps -Wreturn-type quiet
}

std::optional<reason> parse_reason(std::string_view code) noexcept {
    for (reason r : all_reasons) {
        if (to_string(r) == code) return r;
    }
    return std::nullopt;
}

}  // namespace tokengate
