#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tokengate::jose {

/** Why a base64url segment was refused (RFC 7515 §2 / RFC 4648 §5, strict form). */
enum class b64_error {
    none,
    standard_alphabet,  //!< '+' or '/': standard base64, not base64url
    padding,            //!< '=' padding, which JWS forbids
    bad_character,      //!< any other byte outside the base64url alphabet
    bad_length,         //!< length % 4 == 1 cannot encode whole bytes (truncated?)
    non_canonical,      //!< unused trailing bits are not zero
};

/** Decode result: on error `error` != none and `position` is the offending byte. */
struct b64_decoded {
    std::string bytes;
    b64_error error = b64_error::none;
    std::size_t position = 0;
};

/** Strict base64url decode: no padding, no whitespace, canonical trailing bits. */
b64_decoded base64url_decode(std::string_view text);

/** base64url without padding. */
std::string base64url_encode(std::string_view bytes);

/** Standard base64 (RFC 4648 §4) with padding; lenient about a missing '=' only. Returns
 *  false for anything else. Used to test "the secret was meant base64-decoded". */
bool base64_std_decode(std::string_view text, std::string& out);

std::string_view to_string(b64_error e) noexcept;

}  // namespace tokengate::jose
