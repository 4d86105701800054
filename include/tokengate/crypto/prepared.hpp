#pragma once

#include "tokengate/jose/alg.hpp"

#include <openssl/evp.h>

#include <cstddef>
#include <string_view>

namespace tokengate::crypto {

/** Per-thread OpenSSL contexts, set up once per key and reused by every verification on
 *  that thread. OpenSSL 3 spends more on EVP_DigestVerifyInit (algorithm lookups by
 *  name, locks, allocations) and on the one-shot HMAC() than on an RSA-2048 public-key
 *  operation or a short HMAC. Each context holds a reference to its key, so a cached key's
 *  address cannot be reused by another key while the entry lives; a thread keeps a
 *  bounded number of entries (the oldest goes first). Never shared between threads. */

/** SHA-2 digest of `msg` with a pre-fetched EVP_MD and this thread's EVP_MD_CTX; writes
 *  jose::digest_size(h) bytes to `out` (at least EVP_MAX_MD_SIZE). False on library error. */
bool digest_into(jose::hash h, std::string_view msg, unsigned char* out) noexcept;

/** An EVP_PKEY_CTX ready for EVP_PKEY_verify() of an `h` digest: RSASSA-PKCS1-v1_5
 *  (padding RSA_PKCS1_PADDING), RSASSA-PSS with MGF1(h) and `salt_len`
 *  (RSA_PKCS1_PSS_PADDING) or ECDSA (padding 0). nullptr on library error. */
EVP_PKEY_CTX* prepared_verify_ctx(EVP_PKEY* pkey, jose::hash h, int padding, int salt_len) noexcept;

/** An EVP_MD_CTX ready for EVP_DigestVerify() with an EdDSA key. nullptr on library error. */
EVP_MD_CTX* prepared_eddsa_ctx(EVP_PKEY* pkey) noexcept;

/** An HMAC context keyed with `secret` over `h`, re-initialised and ready for
 *  EVP_MAC_update(). nullptr on library error. */
EVP_MAC_CTX* prepared_hmac_ctx(jose::hash h, std::string_view secret) noexcept;

}  // namespace tokengate::crypto
