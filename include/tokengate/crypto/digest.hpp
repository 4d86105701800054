#pragma once

#include "tokengate/jose/alg.hpp"

#include <openssl/evp.h>

#include <array>
#include <string>
#include <string_view>

namespace tokengate::crypto {

/** OpenSSL's digest for a JOSE hash, fetched once and valid for the life of the process;
 *  nullptr for hash::none (EdDSA hashes internally). */
const EVP_MD* evp_md(jose::hash h) noexcept;

/** SHA-256 of data as raw bytes. */
std::string sha256(std::string_view data);

/** A SHA-256 digest in a fixed array (no allocation). */
using sha256_digest = std::array<unsigned char, 32>;

/** SHA-256 of data; all zero on library error. */
sha256_digest sha256_of(std::string_view data) noexcept;

/** Lower-case hex of bytes. */
std::string to_hex(std::string_view bytes);

/** SPEC §8 token fingerprint: first 12 hex characters of SHA-256(token). Safe to log. */
std::string token_fingerprint(std::string_view token);

/** The same fingerprint from the token's SHA-256, when the caller already has it. */
std::string token_fingerprint(const sha256_digest& token_sha256);

/** HMAC of data under secret with the hash of an HS algorithm; empty on library error.
 *  Uses this thread's prepared context for the secret (prepared.hpp). */
std::string hmac(jose::hash h, std::string_view secret, std::string_view data);

/** Constant-time equality (CRYPTO_memcmp) for MACs; false when lengths differ. */
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace tokengate::crypto
