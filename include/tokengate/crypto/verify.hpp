#pragma once

#include "tokengate/crypto/key.hpp"
#include "tokengate/jose/alg.hpp"

#include <string>
#include <string_view>

namespace tokengate::crypto {

/** Outcome of one signature check. */
enum class verify_status {
    valid,          //!< the signature verifies
    invalid,        //!< it does not (wrong key, altered, malformed signature bytes)
    library_error,  //!< OpenSSL failed for another reason; logged, never "valid"
};

/** Result of verify(): status plus, for invalid encodings, a factual detail such as
 *  "ES256 signature is 72 bytes, expected 64 (DER-encoded?)". */
struct verify_result {
    verify_status status = verify_status::invalid;
    std::string detail;
};

/** Verifies a JWS signature over `signing_input` with `k` under `a`. The caller has
 *  checked incompatibility(k, a) is empty; a mismatch here is reported invalid. */
verify_result verify(jose::alg a, const key& k, std::string_view signing_input, std::string_view signature);

// Primitives, also driven directly by the Wycheproof vector tests.

/** RSASSA-PKCS1-v1_5; the signature must be exactly the modulus length. */
verify_status verify_rsa_pkcs1(EVP_PKEY* pkey, jose::hash h, std::string_view msg, std::string_view sig);

/** RSASSA-PSS with MGF1 over the same hash and the given salt length (JWS: hash size). */
verify_status verify_rsa_pss(EVP_PKEY* pkey, jose::hash h, int salt_len, std::string_view msg,
                             std::string_view sig);

/** ECDSA with a raw r||s signature (RFC 7518 §3.4) of exactly 2 × field size; r and s
 *  must lie in [1, n-1]. */
verify_status verify_ecdsa_p1363(EVP_PKEY* pkey, jose::hash h, jose::curve crv, std::string_view msg,
                                 std::string_view sig);

/** Ed25519 / Ed448 (pure EdDSA, RFC 8032). */
verify_status verify_eddsa(EVP_PKEY* pkey, std::string_view msg, std::string_view sig);

/** HMAC with constant-time comparison. */
verify_status verify_hmac(jose::hash h, std::string_view secret, std::string_view msg, std::string_view sig);

}  // namespace tokengate::crypto
