#pragma once

#include "tokengate/crypto/key.hpp"
#include "tokengate/jose/compact.hpp"
#include "tokengate/validate/policy.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tokengate::validate {

/** bad_issuer: how the token's iss relates to the configured issuers (trailing slash,
 *  scheme/case, another stage) and the nearest one. */
std::string issuer_hint(std::string_view iss, const std::vector<std::string>& configured);

/** bad_audience: expected vs got, plus "looks like an OAuth client id" when the token's
 *  own azp/client_id/cid equals aud (confirmed) or aud has a client-id shape. */
std::string audience_hint(const std::vector<std::string>& got, const std::vector<std::string>& expected,
                          const rapidjson::Value& claims);

/** bad_signature with an HMAC key: tests the likely secret mistakes (trailing newline,
 *  surrounding whitespace, base64-encoded secret) and names the one that verifies. */
std::string hmac_secret_hint(const jose::compact_jws& jws, const crypto::key& k);

/** alg_not_allowed for an HS token at an asymmetric provider: checks whether the HMAC
 *  was keyed with one of the provider's public keys (PEM or DER), the classic RS→HS
 *  confusion; returns "" when it was not. */
std::string confusion_confirmed(const jose::compact_jws& jws, const keys::key_set& ks);

/** alg_not_allowed: token alg vs whitelist, with the confusion warning when the token
 *  is HS and the provider's algorithms are asymmetric. */
std::string alg_hint(const jose::compact_jws& jws, const provider& p);

/** unknown_kid: the kid, the set's kids, when it was refetched, and a provider whose set
 *  does hold this kid. */
std::string unknown_kid_hint(std::string_view kid, const provider& p, const trust& t,
                             std::chrono::system_clock::time_point now);

/** keys_unavailable: since when and why fetching fails, or that none were loaded. */
std::string keys_unavailable_hint(const provider& p);

}  // namespace tokengate::validate
