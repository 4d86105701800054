#include "tokengate/demo/demo_keys.hpp"

#include "tokengate/crypto/openssl_error.hpp"
#include "tokengate/jose/base64url.hpp"

#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <stdexcept>

namespace tokengate::demo {

demo_signer make_demo_signer() {
    crypto::evp_pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 2048) != 1 ||
        EVP_PKEY_generate(ctx.get(), &raw) != 1)
        throw std::runtime_error("cannot generate the demo key: " + crypto::drain_openssl_errors());
    crypto::evp_pkey_ptr priv(raw);
    // The verification side gets only the public half, as a real deployment would.
    unsigned char* der = nullptr;
    const int len = i2d_PUBKEY(priv.get(), &der);
    const unsigned char* p = der;
    crypto::evp_pkey_ptr pub(len > 0 ? d2i_PUBKEY(nullptr, &p, len) : nullptr);
    OPENSSL_free(der);
    auto k = crypto::key_from_pkey(std::move(pub));
    if (!k) throw std::runtime_error("demo key: " + k.error());
    k->kid = "demo-1";
    k->origin = "generated demo key";
    return demo_signer{crypto::share(std::move(priv)), std::move(*k)};
}

std::string sign_rs256(const demo_signer& s, std::string_view header_json, std::string_view payload_json) {
    const std::string input = jose::base64url_encode(header_json) + "." + jose::base64url_encode(payload_json);
    crypto::evp_md_ctx_ptr ctx(EVP_MD_CTX_new());
    std::size_t sig_len = 0;
    const auto* in = reinterpret_cast<const unsigned char*>(input.data());
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, s.priv.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &sig_len, in, input.size()) != 1)
        throw std::runtime_error("demo signing failed: " + crypto::drain_openssl_errors());
    std::string sig(sig_len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &sig_len, in, input.size()) != 1)
        throw std::runtime_error("demo signing failed: " + crypto::drain_openssl_errors());
    sig.resize(sig_len);
    return input + "." + jose::base64url_encode(sig);
}

}  // namespace tokengate::demo
