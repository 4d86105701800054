#pragma once

#include "tokengate/crypto/key.hpp"
#include "tokengate/keys/key_set.hpp"
#include "tokengate/result.hpp"

#include <rapidjson/document.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tokengate::keys {

/** Largest JWKS document accepted (SPEC §4 default). */
inline constexpr std::size_t max_jwks_bytes = 1024 * 1024;

/** Builds a verification key from one JWK (RFC 7517/7518/8037). Refuses keys whose
 *  `use` is not "sig", whose `key_ops` lack "verify", whose `alg` does not fit the
 *  key type, RSA under 2048 bits, EC points off the curve, and an HS `alg` whose
 *  secret is shorter than the hash output. */
result<crypto::key> parse_jwk(const rapidjson::Value& jwk);

/** A JWK Set parsed key by key: usable keys plus one note per key left out. */
struct jwks_parse {
    key_set set;
    std::vector<std::string> skipped;  //!< "key 2 (kid \"a\"): RSA key is 1024 bits; …"
};

/** Parses a JWK Set document (`{"keys":[…]}`), or a single JWK object. Fails when the
 *  text is not a JSON object, has no `keys` array, or yields no usable key. */
result<jwks_parse> parse_jwks(std::string_view json, std::string origin);

}  // namespace tokengate::keys
