#pragma once

#include "tokengate/jose/alg.hpp"
#include "tokengate/jose/compact.hpp"
#include "tokengate/keys/key_set.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace tokengate::validate {

/** A claim must equal `value`, or (contains) hold it as an array element or as a word
 *  of a space-delimited string. */
struct claim_rule {
    std::string claim;
    std::string value;
    bool contains = false;
};

/** What a provider or a route demands beyond a valid signature and times. */
struct requirements {
    std::vector<std::string> claims;  //!< must be present
    std::vector<std::string> scopes;  //!< each must be granted by `scope` or `scp`
    std::vector<claim_rule> rules;
};

/** A provider's keys as of one instant; swapped whole when keys change. */
struct keys_state {
    keys::key_set_ptr keys;             //!< null until the provider has keys
    std::string failing_error;          //!< last fetch error, "" when healthy
    std::optional<std::chrono::system_clock::time_point> failing_since;
};

/** One trusted issuer and its policy (SPEC §3). */
struct provider {
    std::string name;
    std::optional<std::string> issuer;    //!< unset only for explain without --issuer: any iss
    std::vector<std::string> audiences;
    bool check_audience = true;           //!< false only when explicitly disabled
    std::vector<jose::alg> algorithms;    //!< the whitelist; never empty when checked
    std::chrono::seconds leeway{30};
    bool require_exp = true;
    requirements required;
    std::optional<std::chrono::seconds> max_lifetime;
    std::optional<std::string> typ;       //!< required `typ` header (media type, RFC 7515 §4.1.9)
    keys_state keys;
};

/** All providers plus the parse bounds: the immutable snapshot validate() reads. */
struct trust {
    std::vector<provider> providers;
    jose::parse_limits limits;
    std::size_t max_keys_tried = 8;  //!< kid-less tokens try at most this many keys
};

/** Findings of check_provider(): refusals (SPEC §5) and warnings, as sentences. */
struct policy_report {
    std::vector<std::string> errors;
    std::vector<std::string> warnings;
};

/** Checks a provider's policy and keys: empty whitelist, HMAC secrets shorter than the
 *  hash, missing audience without explicit opt-out (errors); mixed HS and RS/ES/PS/EdDSA
 *  whitelist, leeway over 300 s, secrets with surrounding whitespace (warnings). */
policy_report check_provider(const provider& p);

}  // namespace tokengate::validate
