#include "tokengate/crypto/key.hpp"

#include "tokengate/crypto/openssl_error.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>

#include <array>
#include <string>
#include <vector>

namespace tokengate::crypto {
namespace {

using jose::curve;
using jose::key_family;

const char* group_name(curve c) {
    switch (c) {
    case curve::p256: return "prime256v1";
    case curve::p384: return "secp384r1";
    case curve::p521: return "secp521r1";
    case curve::none:
    case curve::ed25519:
    case curve::ed448: return nullptr;
    }
    return nullptr;
}

failure openssl_failure(std::string what) {
    const std::string detail = drain_openssl_errors();
    if (!detail.empty()) what += " (" + detail + ")";
    return failure{std::move(what)};
}

evp_pkey_ptr pkey_fromdata(const char* type, OSSL_PARAM* params) {
    evp_pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1) {
        return nullptr;
    }
    return evp_pkey_ptr(raw);
}

bool public_check(EVP_PKEY* pkey) {
    evp_pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
    return ctx && EVP_PKEY_public_check(ctx.get()) == 1;
}

bignum_ptr to_bn(std::string_view be) {
    return bignum_ptr(BN_bin2bn(reinterpret_cast<const unsigned char*>(be.data()),
                                static_cast<int>(be.size()), nullptr));
}

std::string_view strip_leading_zeros(std::string_view v) {
    while (!v.empty() && v.front() == '\0') v.remove_prefix(1);
    return v;
}

}  // namespace

key::~key() {
    if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
}

std::string incompatibility(const key& k, jose::alg a) {
    const key_family want = jose::family_of(a);
    const std::string alg_name(jose::to_string(a));
    if (k.alg && *k.alg != a)
        return "key is restricted to " + std::string(jose::to_string(*k.alg)) + " by its alg member";
    if (k.family != want) {
        std::string need = std::string(jose::to_string(want));
        if (want == key_family::ec) need += " " + std::string(jose::to_string(jose::required_curve(a)));
        return "key is " + describe(k) + ", " + alg_name + " needs an " + need + " key";
    }
    if (want == key_family::ec && k.crv != jose::required_curve(a))
        return "key is " + describe(k) + ", " + alg_name + " needs curve " +
               std::string(jose::to_string(jose::required_curve(a)));
    if (want == key_family::okp && k.crv != curve::ed25519 && k.crv != curve::ed448)
        return "key is " + describe(k) + ", EdDSA needs Ed25519 or Ed448";
    return {};
}

std::string describe(const key& k) {
    switch (k.family) {
    case key_family::rsa: return "RSA-" + std::to_string(k.bits);
    case key_family::ec: return "EC " + std::string(jose::to_string(k.crv));
    case key_family::okp: return "OKP " + std::string(jose::to_string(k.crv));
    case key_family::oct: return "oct " + std::to_string(k.bits) + "-bit";
    }
    return "?";
}

result<key> make_rsa_key(std::string_view n, std::string_view e, int min_bits) {
    n = strip_leading_zeros(n);
    e = strip_leading_zeros(e);
    const int bits = static_cast<int>(n.size() * 8) -
                     (n.empty() ? 0 : __builtin_clz(static_cast<unsigned char>(n.front())) - 24);
    if (bits < min_bits)
        return failure{"RSA key is " + std::to_string(bits) + " bits; at least " +
                       std::to_string(min_bits) + " are required"};
    if (e.empty() || (static_cast<unsigned char>(e.back()) & 1u) == 0 || (e.size() == 1 && static_cast<unsigned char>(e.front()) < 3))
        return failure{"RSA public exponent must be odd and at least 3"};
    bignum_ptr bn_n = to_bn(n);
    bignum_ptr bn_e = to_bn(e);
    ossl_param_bld_ptr bld(OSSL_PARAM_BLD_new());
    if (!bn_n || !bn_e || !bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1)
        return openssl_failure("cannot build RSA parameters");
    ossl_param_ptr params(OSSL_PARAM_BLD_to_param(bld.get()));
    evp_pkey_ptr pkey = params ? pkey_fromdata("RSA", params.get()) : nullptr;
    if (!pkey) return openssl_failure("OpenSSL refused the RSA key");
    key k;
    k.family = key_family::rsa;
    k.bits = EVP_PKEY_get_bits(pkey.get());
    k.pkey = share(std::move(pkey));
    return k;
}

result<key> make_ec_key(curve crv, std::string_view x, std::string_view y) {
    const char* group = group_name(crv);
    const std::size_t size = jose::ec_field_size(crv);
    if (group == nullptr) return failure{"not an ECDSA curve"};
    if (x.size() != size || y.size() != size)
        return failure{"EC " + std::string(jose::to_string(crv)) + " coordinates must be " +
                       std::to_string(size) + " bytes each, got " + std::to_string(x.size()) + " and " +
                       std::to_string(y.size())};
    std::string point = "\x04";
    point.append(x).append(y);
    ossl_param_bld_ptr bld(OSSL_PARAM_BLD_new());
    if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1)
        return openssl_failure("cannot build EC parameters");
    ossl_param_ptr params(OSSL_PARAM_BLD_to_param(bld.get()));
    evp_pkey_ptr pkey = params ? pkey_fromdata("EC", params.get()) : nullptr;
    // Invalid-curve attacks rely on a point that is not on the curve: refuse it at load.
    if (!pkey || !public_check(pkey.get()))
        return openssl_failure("EC point is not on curve " + std::string(jose::to_string(crv)));
    key k;
    k.family = key_family::ec;
    k.crv = crv;
    k.bits = EVP_PKEY_get_bits(pkey.get());
    k.pkey = share(std::move(pkey));
    return k;
}

result<key> make_okp_key(curve crv, std::string_view x) {
    const int type = crv == curve::ed25519 ? EVP_PKEY_ED25519 : crv == curve::ed448 ? EVP_PKEY_ED448 : 0;
    const std::size_t size = crv == curve::ed25519 ? 32 : 57;
    if (type == 0) return failure{"OKP curve must be Ed25519 or Ed448"};
    if (x.size() != size)
        return failure{std::string(jose::to_string(crv)) + " public key must be " + std::to_string(size) +
                       " bytes, got " + std::to_string(x.size())};
    evp_pkey_ptr pkey(EVP_PKEY_new_raw_public_key(type, nullptr,
                                                  reinterpret_cast<const unsigned char*>(x.data()), x.size()));
    if (!pkey) return openssl_failure("OpenSSL refused the " + std::string(jose::to_string(crv)) + " key");
    key k;
    k.family = key_family::okp;
    k.crv = crv;
    k.bits = EVP_PKEY_get_bits(pkey.get());
    k.pkey = share(std::move(pkey));
    return k;
}

key make_hmac_key(std::string secret) {
    key k;
    k.family = key_family::oct;
    k.bits = static_cast<int>(secret.size() * 8);
    k.secret = std::move(secret);
    return k;
}

result<key> key_from_pkey(evp_pkey_ptr pkey, int min_bits) {
    key k;
    k.bits = EVP_PKEY_get_bits(pkey.get());
    if (EVP_PKEY_is_a(pkey.get(), "RSA")) {
        if (k.bits < min_bits)
            return failure{"RSA key is " + std::to_string(k.bits) + " bits; at least " +
                           std::to_string(min_bits) + " are required"};
        k.family = key_family::rsa;
    } else if (EVP_PKEY_is_a(pkey.get(), "EC")) {
        std::array<char, 64> name{};
        std::size_t len = 0;
        if (EVP_PKEY_get_utf8_string_param(pkey.get(), OSSL_PKEY_PARAM_GROUP_NAME, name.data(), name.size(), &len) != 1)
            return openssl_failure("EC key without a named curve");
        const std::string_view g(name.data(), len);
        k.family = key_family::ec;
        k.crv = g == "prime256v1" ? curve::p256 : g == "secp384r1" ? curve::p384 : g == "secp521r1" ? curve::p521 : curve::none;
        if (k.crv == curve::none) return failure{"EC curve " + std::string(g) + " is not usable with JWS"};
        if (!public_check(pkey.get())) return openssl_failure("EC point is not on its curve");
    } else if (EVP_PKEY_is_a(pkey.get(), "ED25519")) {
        k.family = key_family::okp;
        k.crv = curve::ed25519;
    } else if (EVP_PKEY_is_a(pkey.get(), "ED448")) {
        k.family = key_family::okp;
        k.crv = curve::ed448;
    } else {
        return failure{"unsupported public key type (RSA, EC P-256/384/521, Ed25519, Ed448 are)"};
    }
    k.pkey = share(std::move(pkey));
    return k;
}

std::string public_key_pem(const key& k) {
    if (!k.pkey) return {};
    bio_ptr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), k.pkey.get()) != 1) {
        drain_openssl_errors();
        return {};
    }
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return {data, static_cast<std::size_t>(len)};
}

std::string public_key_der(const key& k) {
    if (!k.pkey) return {};
    unsigned char* der = nullptr;
    const int len = i2d_PUBKEY(k.pkey.get(), &der);
    if (len <= 0) {
        drain_openssl_errors();
        return {};
    }
    std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
    return out;
}

}  // namespace tokengate::crypto
