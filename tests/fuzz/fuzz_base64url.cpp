// Arbitrary bytes as a base64url segment: strict decoding must be exactly the inverse of
// encoding, or two different texts would carry the same signed bytes.

#include "fuzz_check.hpp"

#include "tokengate/jose/base64url.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using tokengate::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace jose = tokengate::jose;
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    const jose::b64_decoded d = jose::base64url_decode(text);
    if (d.error == jose::b64_error::none) {
        require(jose::base64url_encode(d.bytes) == text, "encode(decode(x)) != x");
    } else {
        require(d.bytes.empty(), "decode failed but returned bytes");
        require(d.position <= text.size(), "error position past the end");
    }
    // The other direction: every byte string survives a round trip.
    const std::string encoded = jose::base64url_encode(text);
    const jose::b64_decoded back = jose::base64url_decode(encoded);
    require(back.error == jose::b64_error::none && back.bytes == text, "decode(encode(x)) != x");

    std::string std_out;
    (void)jose::base64_std_decode(text, std_out);
    return 0;
}
