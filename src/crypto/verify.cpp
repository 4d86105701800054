#include "tokengate/crypto/verify.hpp"

#include "tokengate/crypto/digest.hpp"
#include "tokengate/crypto/openssl_error.hpp"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/rsa.h>

#include <array>

namespace tokengate::crypto {
namespace {


const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// Verification failures in EVP_DigestVerify come back as 0 or -1 depending on where the
// padding check failed; both are "does not verify" once the inputs are well-formed.
verify_status digest_verify(EVP_PKEY* pkey, const EVP_MD* md, std::string_view msg, std::string_view sig,
                            int padding, int salt_len) {
    evp_md_ctx_ptr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, pkey) != 1) {
        drain_openssl_errors();
        return verify_status::library_error;
    }
    if (padding != 0) {
        if (EVP_PKEY_CTX_set_rsa_padding(pctx, padding) != 1 ||
            (padding == RSA_PKCS1_PSS_PADDING &&
             (EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt_len) != 1 || EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1))) {
            drain_openssl_errors();
            return verify_status::library_error;
        }
    }
    const int rc = EVP_DigestVerify(ctx.get(), bytes(sig), sig.size(), bytes(msg), msg.size());
    if (rc == 1) return verify_status::valid;
    drain_openssl_errors();
    return verify_status::invalid;
}

std::size_t rsa_size(EVP_PKEY* pkey) { return static_cast<std::size_t>(EVP_PKEY_get_size(pkey)); }

// r||s → DER ECDSA-Sig-Value, refusing r or s outside [1, n-1] (the "psychic signature"
// CVE-2022-21449 passed r = s = 0).
bool p1363_to_der(EVP_PKEY* pkey, std::string_view sig, std::size_t field, std::string& der) {
    bignum_ptr r(BN_bin2bn(bytes(sig), static_cast<int>(field), nullptr));
    bignum_ptr s(BN_bin2bn(bytes(sig) + field, static_cast<int>(field), nullptr));
    BIGNUM* order_raw = nullptr;
    if (!r || !s || EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_ORDER, &order_raw) != 1) {
        drain_openssl_errors();
        return false;
    }
    bignum_ptr order(order_raw);
    if (BN_is_zero(r.get()) || BN_is_zero(s.get()) || BN_cmp(r.get(), order.get()) >= 0 ||
        BN_cmp(s.get(), order.get()) >= 0)
        return false;
    ecdsa_sig_ptr es(ECDSA_SIG_new());
    if (!es || ECDSA_SIG_set0(es.get(), r.get(), s.get()) != 1) {
        drain_openssl_errors();
        return false;
    }
    (void)r.release();  // now owned by es
    (void)s.release();
    unsigned char* out = nullptr;
    const int len = i2d_ECDSA_SIG(es.get(), &out);
    if (len <= 0) {
        drain_openssl_errors();
        return false;
    }
    der.assign(reinterpret_cast<const char*>(out), static_cast<std::size_t>(len));
    OPENSSL_free(out);
    return true;
}

}  // namespace

verify_status verify_rsa_pkcs1(EVP_PKEY* pkey, jose::hash h, std::string_view msg, std::string_view sig) {
    if (sig.size() != rsa_size(pkey)) return verify_status::invalid;
    return digest_verify(pkey, evp_md(h), msg, sig, RSA_PKCS1_PADDING, 0);
}

verify_status verify_rsa_pss(EVP_PKEY* pkey, jose::hash h, int salt_len, std::string_view msg,
                             std::string_view sig) {
    // OpenSSL 3.0 accepts some PSS signatures shorter than the modulus; JWS does not.
    if (sig.size() != rsa_size(pkey)) return verify_status::invalid;
    return digest_verify(pkey, evp_md(h), msg, sig, RSA_PKCS1_PSS_PADDING, salt_len);
}

verify_status verify_ecdsa_p1363(EVP_PKEY* pkey, jose::hash h, jose::curve crv, std::string_view msg,
                                 std::string_view sig) {
    const std::size_t field = jose::ec_field_size(crv);
    if (field == 0 || sig.size() != 2 * field) return verify_status::invalid;
    std::string der;
    if (!p1363_to_der(pkey, sig, field, der)) return verify_status::invalid;
    return digest_verify(pkey, evp_md(h), msg, der, 0, 0);
}

verify_status verify_eddsa(EVP_PKEY* pkey, std::string_view msg, std::string_view sig) {
    const std::size_t want = EVP_PKEY_is_a(pkey, "ED448") ? 114 : 64;
    if (sig.size() != want) return verify_status::invalid;
    return digest_verify(pkey, nullptr, msg, sig, 0, 0);
}

verify_status verify_hmac(jose::hash h, std::string_view secret, std::string_view msg, std::string_view sig) {
    const std::string mac = hmac(h, secret, msg);
    if (mac.empty()) return verify_status::library_error;
    return constant_time_equal(mac, sig) ? verify_status::valid : verify_status::invalid;
}

verify_result verify(jose::alg a, const key& k, std::string_view signing_input, std::string_view signature) {
    if (!incompatibility(k, a).empty()) return {verify_status::invalid, "key does not fit the algorithm"};
    const jose::hash h = jose::hash_of(a);
    switch (jose::family_of(a)) {
    case jose::key_family::oct: {
        if (signature.size() != jose::digest_size(h))
            return {verify_status::invalid, std::string(jose::to_string(a)) + " signature is " +
                                                std::to_string(signature.size()) + " bytes, expected " +
                                                std::to_string(jose::digest_size(h))};
        return {verify_hmac(h, k.secret, signing_input, signature), {}};
    }
    case jose::key_family::rsa: {
        const std::size_t want = rsa_size(k.pkey.get());
        if (signature.size() != want)
            return {verify_status::invalid, std::string(jose::to_string(a)) + " signature is " +
                                                std::to_string(signature.size()) + " bytes, the key's modulus is " +
                                                std::to_string(want)};
        const bool pss = a == jose::alg::ps256 || a == jose::alg::ps384 || a == jose::alg::ps512;
        // RFC 7518 §3.5: PSS salt length equals the hash output size.
        return {pss ? verify_rsa_pss(k.pkey.get(), h, static_cast<int>(jose::digest_size(h)), signing_input, signature)
                    : verify_rsa_pkcs1(k.pkey.get(), h, signing_input, signature),
                {}};
    }
    case jose::key_family::ec: {
        const std::size_t want = 2 * jose::ec_field_size(k.crv);
        if (signature.size() != want) {
            std::string d = std::string(jose::to_string(a)) + " signature is " + std::to_string(signature.size()) +
                            " bytes, expected " + std::to_string(want) + " (raw r||s)";
            if (!signature.empty() && signature.front() == '\x30') d += "; it looks DER-encoded, JWS needs raw r||s";
            return {verify_status::invalid, d};
        }
        return {verify_ecdsa_p1363(k.pkey.get(), h, k.crv, signing_input, signature), {}};
    }
    case jose::key_family::okp: {
        const std::size_t want = k.crv == jose::curve::ed448 ? 114 : 64;
        if (signature.size() != want)
            return {verify_status::invalid, "EdDSA signature is " + std::to_string(signature.size()) + " bytes, " +
                                                std::string(jose::to_string(k.crv)) + " needs " + std::to_string(want)};
        return {verify_eddsa(k.pkey.get(), signing_input, signature), {}};
    }
    }
    return {verify_status::library_error, "unreachable"};
}

}  // namespace tokengate::crypto
