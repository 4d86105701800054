#include "tokengate/crypto/digest.hpp"

#include "tokengate/crypto/openssl_error.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace tokengate::crypto {
const EVP_MD* evp_md(jose::hash h) noexcept {
    switch (h) {
    case jose::hash::sha256: return EVP_sha256();
    case jose::hash::sha384: return EVP_sha384();
    case jose::hash::sha512: return EVP_sha512();
    case jose::hash::none: return nullptr;
    }
    return nullptr;
}

std::string sha256(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1) {
        drain_openssl_errors();
        return {};
    }
    return {reinterpret_cast<const char*>(out.data()), len};
}

std::string to_hex(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 0x0F]);
    }
    return out;
}

std::string token_fingerprint(std::string_view token) { return to_hex(sha256(token)).substr(0, 12); }

std::string hmac(jose::hash h, std::string_view secret, std::string_view data) {
    const EVP_MD* md = evp_md(h);
    if (md == nullptr) return {};
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    unsigned int len = 0;
    // An empty secret still needs a non-null pointer for HMAC().
    static const unsigned char empty = 0;
    const void* key = secret.empty() ? &empty : static_cast<const void*>(secret.data());
    if (HMAC(md, key, static_cast<int>(secret.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len) == nullptr) {
        drain_openssl_errors();
        return {};
    }
    return {reinterpret_cast<const char*>(out.data()), len};
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;  // MAC lengths are public; only contents are secret
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace tokengate::crypto
