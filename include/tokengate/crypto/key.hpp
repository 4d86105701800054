#pragma once

#include "tokengate/crypto/openssl_ptr.hpp"
#include "tokengate/jose/alg.hpp"
#include "tokengate/result.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace tokengate::crypto {

/** Smallest RSA modulus tokengate loads (SPEC §3). */
inline constexpr int min_rsa_bits = 2048;

/** A verification key: an asymmetric public key or an HMAC secret. Immutable once built
 *  and shared between threads through shared_ptr<const key>. */
struct key {
    std::string kid;                 //!< may be empty
    jose::key_family family = jose::key_family::oct;
    jose::curve crv = jose::curve::none;
    std::optional<jose::alg> alg;    //!< JWK `alg`: restricts the key to that algorithm
    int bits = 0;                    //!< RSA modulus bits or HMAC secret bits
    shared_pkey pkey;                //!< asymmetric keys only
    std::string secret;              //!< oct keys only; wiped on destruction
    std::string origin;              //!< where it came from, for messages ("jwks file a.json")

    key() = default;
    key(const key&) = default;
    key(key&&) = default;
    key& operator=(const key&) = default;
    key& operator=(key&&) = default;
    ~key();
};

/** Why `k` cannot verify `a` ("key is RSA, ES256 needs EC P-256"), or "" when it can. */
std::string incompatibility(const key& k, jose::alg a);

/** One-word description: "RSA-2048", "EC P-256", "OKP Ed25519", "oct 256-bit". */
std::string describe(const key& k);

/** RSA public key from big-endian modulus and exponent. Refuses moduli under
 *  `min_bits` and even or tiny exponents. */
result<key> make_rsa_key(std::string_view n, std::string_view e, int min_bits = min_rsa_bits);

/** EC public key from affine coordinates of exactly the curve's field size; the point
 *  must lie on the curve. */
result<key> make_ec_key(jose::curve crv, std::string_view x, std::string_view y);

/** Ed25519/Ed448 public key from its raw encoding. */
result<key> make_okp_key(jose::curve crv, std::string_view x);

/** HMAC key from raw secret bytes (taken as they are: no trimming). */
key make_hmac_key(std::string secret);

/** Wraps an EVP_PKEY of any supported type (from PEM/DER), classifying it. */
result<key> key_from_pkey(evp_pkey_ptr pkey, int min_bits = min_rsa_bits);

/** SubjectPublicKeyInfo PEM of an asymmetric key (as a PEM file would hold it). */
std::string public_key_pem(const key& k);

/** SubjectPublicKeyInfo DER of an asymmetric key. */
std::string public_key_der(const key& k);

}  // namespace tokengate::crypto
