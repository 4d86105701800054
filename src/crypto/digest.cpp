#include "tokengate/crypto/digest.hpp"

#include "tokengate/crypto/openssl_error.hpp"
#include "tokengate/crypto/prepared.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>

namespace tokengate::crypto {
namespace {

// Fetched once for the process and never freed. EVP_sha256() and friends are legacy
// handles that OpenSSL 3 resolves by name (a locked lookup) inside every call using them.
const EVP_MD* fetched(const char* name) noexcept { return EVP_MD_fetch(nullptr, name, nullptr); }

}  // namespace

const EVP_MD* evp_md(jose::hash h) noexcept {
    static const EVP_MD* const sha256_md = fetched("SHA256");
    static const EVP_MD* const sha384_md = fetched("SHA384");
    static const EVP_MD* const sha512_md = fetched("SHA512");
    switch (h) {
    case jose::hash::sha256: return sha256_md;
    case jose::hash::sha384: return sha384_md;
    case jose::hash::sha512: return sha512_md;
    case jose::hash::none: return nullptr;
    }
    return nullptr;
}

std::string sha256(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    if (!digest_into(jose::hash::sha256, data, out.data())) return {};
    return {reinterpret_cast<const char*>(out.data()), jose::digest_size(jose::hash::sha256)};
}

sha256_digest sha256_of(std::string_view data) noexcept {
    sha256_digest d{};
    std::array<unsigned char, EVP_MAX_MD_SIZE> full{};
    if (digest_into(jose::hash::sha256, data, full.data())) std::copy_n(full.begin(), d.size(), d.begin());
    return d;
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

std::string token_fingerprint(std::string_view token) { return token_fingerprint(sha256_of(token)); }

std::string token_fingerprint(const sha256_digest& token_sha256) {
    return to_hex(std::string_view(reinterpret_cast<const char*>(token_sha256.data()), 6));
}

std::string hmac(jose::hash h, std::string_view secret, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    std::size_t len = 0;
    EVP_MAC_CTX* ctx = prepared_hmac_ctx(h, secret);
    if (ctx == nullptr || EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
        EVP_MAC_final(ctx, out.data(), &len, out.size()) != 1) {
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
