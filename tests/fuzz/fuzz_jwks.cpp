// Arbitrary bytes as a JWK Set, the document a remote IdP controls.

#include "fuzz_check.hpp"

#include "tokengate/crypto/verify.hpp"
#include "tokengate/keys/jwk.hpp"

#include <openssl/err.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using tokengate::fuzz::require;

namespace {

namespace jose = tokengate::jose;
namespace crypto = tokengate::crypto;

constexpr std::array all_algs = {jose::alg::hs256, jose::alg::hs384, jose::alg::hs512, jose::alg::rs256,
                                 jose::alg::rs384, jose::alg::rs512, jose::alg::ps256, jose::alg::ps384,
                                 jose::alg::ps512, jose::alg::es256, jose::alg::es384, jose::alg::es512,
                                 jose::alg::eddsa};

// The size verify() accepts for `a` with `k`, so the zero signature reaches OpenSSL
// instead of stopping at the length check.
std::size_t signature_size(const crypto::key& k, jose::alg a) {
    switch (jose::family_of(a)) {
    case jose::key_family::oct: return jose::digest_size(jose::hash_of(a));
    case jose::key_family::rsa: return static_cast<std::size_t>(EVP_PKEY_get_size(k.pkey.get()));
    case jose::key_family::ec: return 2 * jose::ec_field_size(k.crv);
    case jose::key_family::okp: return k.crv == jose::curve::ed448 ? 114 : 64;
    }
    return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto parsed = tokengate::keys::parse_jwks(text, "fuzz");
    if (parsed) {
        require(!parsed->set.keys.empty(), "parse_jwks() succeeded without a key");
        for (const auto& k : parsed->set.keys) {
            require(k != nullptr, "null key in a parsed set");
            require(k->kid.empty() || parsed->set.find(k->kid) == k.get(), "duplicate kid kept in the set");
            require(k->family == jose::key_family::oct ? !k->secret.empty() && !k->pkey : k->pkey != nullptr,
                    "key without its material");
            (void)crypto::describe(*k);
            for (jose::alg a : all_algs) {
                if (!crypto::incompatibility(*k, a).empty()) continue;
                // An all-zero signature is never valid: RSA and EdDSA reject it, ECDSA r = s = 0
                // is CVE-2022-21449, and an HMAC equal to zeros would need a 2^-256 accident.
                const std::string zeros(signature_size(*k, a), '\0');
                const auto r = crypto::verify(a, *k, "eyJhbGciOiJub25lIn0.e30", zeros);
                require(r.status != crypto::verify_status::valid, "all-zero signature verified");
            }
        }
        (void)parsed->set.kids();
    }
    require(ERR_peek_error() == 0, "OpenSSL error queue left non-empty");
    return 0;
}
