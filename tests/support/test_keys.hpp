#pragma once

#include "tokengate/crypto/key.hpp"
#include "tokengate/jose/alg.hpp"
#include "tokengate/keys/key_set.hpp"

#include <memory>
#include <string>

namespace tokengate::test {

/** A generated private key and its public verification key (with a kid). */
struct key_pair {
    crypto::shared_pkey priv;
    std::shared_ptr<const crypto::key> pub;
};

/** Keys generated once per process and cached (RSA generation is slow). `index`
 *  gives distinct keys of the same kind ("another tenant's key"). */
const key_pair& rsa_pair(int index = 0, int bits = 2048);
const key_pair& ec_pair(jose::curve crv, int index = 0);
const key_pair& okp_pair(jose::curve crv, int index = 0);

/** The pair that fits an asymmetric algorithm (RS/PS → RSA, ES256 → P-256, EdDSA → Ed25519). */
const key_pair& pair_for(jose::alg a, int index = 0);

/** A copy of a public key with another kid. */
std::shared_ptr<const crypto::key> with_kid(const crypto::key& k, std::string kid);

/** A public JWK (JSON text) of a pair, with kid and optional alg/use members. */
std::string jwk_json(const key_pair& p, const std::string& kid, const std::string& extra_members = "");

/** An oct key holding `secret`. */
std::shared_ptr<const crypto::key> hmac_key(std::string secret, std::string kid = "");

/** A key set of the given keys. */
keys::key_set_ptr key_set_of(std::initializer_list<std::shared_ptr<const crypto::key>> keys);

/** SPKI PEM of a pair's public key. */
std::string public_pem(const key_pair& p);

}  // namespace tokengate::test
