#pragma once

#include "tokengate/crypto/openssl_ptr.hpp"
#include "tokengate/jose/alg.hpp"

#include <string>
#include <string_view>

namespace tokengate::test {

/** JWS signature of `input` under `a` with a private key (ECDSA as raw r||s). */
std::string sign_with_key(jose::alg a, EVP_PKEY* priv, std::string_view input);

/** HMAC signature of `input` under an HS algorithm. */
std::string sign_with_secret(jose::alg a, std::string_view secret, std::string_view input);

/** Compact JWS from header and payload JSON texts, signed with a private key. */
std::string make_token(std::string_view header_json, std::string_view payload_json, jose::alg a, EVP_PKEY* priv);

/** Compact JWS signed with an HMAC secret. */
std::string make_hmac_token(std::string_view header_json, std::string_view payload_json, jose::alg a,
                            std::string_view secret);

/** Compact JWS with an arbitrary raw signature (for forged/malformed signatures). */
std::string make_raw_token(std::string_view header_json, std::string_view payload_json, std::string_view signature);

/** "b64url(header).b64url(payload)": the JWS signing input. */
std::string signing_input(std::string_view header_json, std::string_view payload_json);

}  // namespace tokengate::test
