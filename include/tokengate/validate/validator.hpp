#pragma once

#include "tokengate/crypto/digest.hpp"
#include "tokengate/jose/compact.hpp"
#include "tokengate/reason.hpp"
#include "tokengate/validate/policy.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tokengate::validate {

/** Safe-to-log facts about a token and the check (SPEC §8 fields). Never the token, its
 *  signature or a secret. */
struct evidence {
    std::string provider;
    std::string alg;
    std::string kid;
    std::string iss;
    std::string typ;
    std::string sub;
    std::vector<std::string> aud;
    std::optional<double> exp;
    std::optional<double> iat;
    std::optional<double> nbf;
    std::int64_t now = 0;
    std::int64_t leeway_s = 0;
    std::string token_fp;
};

/** Per-request extras from a route: which providers it accepts (empty = any) and what
 *  it requires beyond the provider's own requirements. */
struct route_policy {
    std::vector<std::string> providers;
    requirements required;
};

/** Switches for callers other than the proxy. */
struct validate_options {
    /** explain without any key: decode and check claims, report the signature unchecked. */
    bool verify_signature = true;
    /** The token's SHA-256 when the caller has computed it already (the proxy does, for its
     *  cache): the fingerprint is then not hashed again. */
    const crypto::sha256_digest* token_sha256 = nullptr;
};

/** The outcome: accepted (no rejection) with verified claims, or one rejection. */
struct decision {
    std::optional<rejection> rejected;
    evidence ev;
    std::optional<jose::compact_jws> token;   //!< parsed token (verified only when accepted)
    std::optional<std::size_t> provider_index;
    bool signature_checked = false;

    bool accepted() const noexcept { return !rejected.has_value(); }
};

/** Validates one compact JWS against the trust snapshot as of `now`. Pure: no clock,
 *  no I/O, no globals; proxy, forward-auth, explain and tests all call this. Checks run
 *  in SPEC §7 order and the first failure decides. */
decision validate(std::string_view token, const trust& t, std::chrono::system_clock::time_point now,
                  const route_policy* route = nullptr, const validate_options& options = {});

/** Re-runs the checks that depend on time and route for a decision accepted earlier
 *  (the verified-token cache): provider still accepted by the route, exp/nbf/iat, aud,
 *  required claims, lifetime, typ, scopes. */
std::optional<rejection> recheck(const decision& accepted, const trust& t, std::chrono::system_clock::time_point now,
                                 const route_policy* route = nullptr);

}  // namespace tokengate::validate
