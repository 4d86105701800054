#include "support/token_builder.hpp"

#include "tokengate/crypto/digest.hpp"
#include "tokengate/jose/base64url.hpp"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/rsa.h>

#include <stdexcept>

namespace tokengate::test {
namespace {


std::string der_to_raw(std::string_view der, std::size_t field) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    crypto::ecdsa_sig_ptr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
    if (!sig) throw std::runtime_error("bad DER signature");
    std::string out(2 * field, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(field));
    BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), reinterpret_cast<unsigned char*>(out.data()) + field, static_cast<int>(field));
    return out;
}

}  // namespace

std::string sign_with_key(jose::alg a, EVP_PKEY* priv, std::string_view input) {
    crypto::evp_md_ctx_ptr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    if (EVP_DigestSignInit(ctx.get(), &pctx, crypto::evp_md(jose::hash_of(a)), nullptr, priv) != 1)
        throw std::runtime_error("DigestSignInit failed");
    if (a == jose::alg::ps256 || a == jose::alg::ps384 || a == jose::alg::ps512) {
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
    }
    std::size_t len = 0;
    const auto* in = reinterpret_cast<const unsigned char*>(input.data());
    if (EVP_DigestSign(ctx.get(), nullptr, &len, in, input.size()) != 1) throw std::runtime_error("sign size failed");
    std::string sig(len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in, input.size()) != 1)
        throw std::runtime_error("sign failed");
    sig.resize(len);
    if (jose::family_of(a) == jose::key_family::ec) return der_to_raw(sig, jose::ec_field_size(jose::required_curve(a)));
    return sig;
}

std::string sign_with_secret(jose::alg a, std::string_view secret, std::string_view input) {
    return crypto::hmac(jose::hash_of(a), secret, input);
}

std::string signing_input(std::string_view header_json, std::string_view payload_json) {
    return jose::base64url_encode(header_json) + "." + jose::base64url_encode(payload_json);
}

std::string make_token(std::string_view header_json, std::string_view payload_json, jose::alg a, EVP_PKEY* priv) {
    const std::string in = signing_input(header_json, payload_json);
    return in + "." + jose::base64url_encode(sign_with_key(a, priv, in));
}

std::string make_hmac_token(std::string_view header_json, std::string_view payload_json, jose::alg a,
                            std::string_view secret) {
    const std::string in = signing_input(header_json, payload_json);
    return in + "." + jose::base64url_encode(sign_with_secret(a, secret, in));
}

std::string make_raw_token(std::string_view header_json, std::string_view payload_json, std::string_view signature) {
    return signing_input(header_json, payload_json) + "." + jose::base64url_encode(signature);
}

}  // namespace tokengate::test
