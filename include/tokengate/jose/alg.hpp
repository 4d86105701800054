#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tokengate::jose {

/** The JWS algorithms tokengate verifies (RFC 7518 §3, RFC 8037). `none` is deliberately
 *  absent: it cannot be parsed, configured or accepted. */
enum class alg { hs256, hs384, hs512, rs256, rs384, rs512, ps256, ps384, ps512,
                 es256, es384, es512, eddsa };

/** The key type (JWK `kty`) an algorithm needs. */
enum class key_family { oct, rsa, ec, okp };

/** Hash used by an algorithm; EdDSA hashes internally. */
enum class hash { sha256, sha384, sha512, none };

/** EC/OKP curve of a key. */
enum class curve { none, p256, p384, p521, ed25519, ed448 };

/** Exact, case-sensitive parse of a JWS `alg` value (RFC 7515 §4.1.1 is case-sensitive). */
std::optional<alg> parse_alg(std::string_view name) noexcept;

/** Parses "RS256,ES256" into algorithms; the failure names the first bad entry. */
std::optional<std::vector<alg>> parse_alg_list(std::string_view csv, std::string& bad_entry);

std::string_view to_string(alg a) noexcept;
std::string_view to_string(key_family f) noexcept;
std::string_view to_string(curve c) noexcept;

key_family family_of(alg a) noexcept;
hash hash_of(alg a) noexcept;
bool is_hmac(alg a) noexcept;

/** Digest output size in bytes (0 for hash::none). */
std::size_t digest_size(hash h) noexcept;

/** The curve an EC algorithm requires (ES256 → P-256 …); curve::none otherwise. */
curve required_curve(alg a) noexcept;

/** Size of one ECDSA coordinate / scalar for a curve (32, 48, 66), 0 otherwise. */
std::size_t ec_field_size(curve c) noexcept;

/** Parses a JWK `crv` value. */
std::optional<curve> parse_curve(std::string_view name) noexcept;

}  // namespace tokengate::jose
