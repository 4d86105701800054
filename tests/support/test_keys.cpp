#include "support/test_keys.hpp"

#include "tokengate/crypto/openssl_error.hpp"
#include "tokengate/jose/base64url.hpp"

#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <map>
#include <mutex>
#include <stdexcept>
#include <tuple>

namespace tokengate::test {
namespace {

crypto::evp_pkey_ptr generate(const char* type, int bits, const char* group) {
    crypto::evp_pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1) throw std::runtime_error("keygen init");
    if (bits != 0) EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits);
    if (group != nullptr) EVP_PKEY_CTX_set_group_name(ctx.get(), group);
    if (EVP_PKEY_generate(ctx.get(), &raw) != 1) throw std::runtime_error("keygen: " + crypto::drain_openssl_errors());
    return crypto::evp_pkey_ptr(raw);
}

// The public half as its own EVP_PKEY, so verification never sees private material.
std::shared_ptr<const crypto::key> public_half(EVP_PKEY* priv, const std::string& kid) {
    unsigned char* der = nullptr;
    const int len = i2d_PUBKEY(priv, &der);
    const unsigned char* p = der;
    crypto::evp_pkey_ptr pub(d2i_PUBKEY(nullptr, &p, len));
    OPENSSL_free(der);
    auto k = crypto::key_from_pkey(std::move(pub), 1024);
    if (!k) throw std::runtime_error(k.error());
    k->kid = kid;
    k->origin = "test key " + kid;
    return std::make_shared<const crypto::key>(std::move(*k));
}

const key_pair& cached(const std::string& name, const char* type, int bits, const char* group) {
    static std::mutex m;
    static std::map<std::string, key_pair> cache;
    std::lock_guard lock(m);
    auto it = cache.find(name);
    if (it == cache.end()) {
        crypto::evp_pkey_ptr priv = generate(type, bits, group);
        auto pub = public_half(priv.get(), name);
        it = cache.emplace(name, key_pair{crypto::share(std::move(priv)), std::move(pub)}).first;
    }
    return it->second;
}

std::string bn_param(EVP_PKEY* k, const char* name, std::size_t pad = 0) {
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(k, name, &raw) != 1) throw std::runtime_error("get_bn_param");
    crypto::bignum_ptr bn(raw);
    const std::size_t n = pad ? pad : static_cast<std::size_t>(BN_num_bytes(bn.get()));
    std::string out(n, '\0');
    BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n));
    return out;
}

}  // namespace

const key_pair& rsa_pair(int index, int bits) {
    return cached("rsa" + std::to_string(bits) + "-" + std::to_string(index), "RSA", bits, nullptr);
}

const key_pair& ec_pair(jose::curve crv, int index) {
    const char* group = crv == jose::curve::p256 ? "P-256" : crv == jose::curve::p384 ? "P-384" : "P-521";
    return cached(std::string("ec-") + group + "-" + std::to_string(index), "EC", 0, group);
}

const key_pair& okp_pair(jose::curve crv, int index) {
    const char* type = crv == jose::curve::ed448 ? "ED448" : "ED25519";
    return cached(std::string("okp-") + type + "-" + std::to_string(index), type, 0, nullptr);
}

const key_pair& pair_for(jose::alg a, int index) {
    switch (jose::family_of(a)) {
    case jose::key_family::rsa: return rsa_pair(index);
    case jose::key_family::ec: return ec_pair(jose::required_curve(a), index);
    case jose::key_family::okp: return okp_pair(jose::curve::ed25519, index);
    case jose::key_family::oct: break;
    }
    throw std::logic_error("no key pair for HMAC algorithms");
}

std::shared_ptr<const crypto::key> with_kid(const crypto::key& k, std::string kid) {
    auto copy = std::make_shared<crypto::key>(k);
    copy->kid = std::move(kid);
    return copy;
}

std::string jwk_json(const key_pair& p, const std::string& kid, const std::string& extra_members) {
    const crypto::key& k = *p.pub;
    EVP_PKEY* pk = k.pkey.get();
    std::string body;
    switch (k.family) {
    case jose::key_family::rsa:
        body = R"("kty":"RSA","n":")" + jose::base64url_encode(bn_param(pk, OSSL_PKEY_PARAM_RSA_N)) + R"(","e":")" +
               jose::base64url_encode(bn_param(pk, OSSL_PKEY_PARAM_RSA_E)) + "\"";
        break;
    case jose::key_family::ec: {
        const std::size_t f = jose::ec_field_size(k.crv);
        body = R"("kty":"EC","crv":")" + std::string(jose::to_string(k.crv)) + R"(","x":")" +
               jose::base64url_encode(bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_X, f)) + R"(","y":")" +
               jose::base64url_encode(bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_Y, f)) + "\"";
        break;
    }
    case jose::key_family::okp: {
        std::size_t len = 0;
        EVP_PKEY_get_raw_public_key(pk, nullptr, &len);
        std::string raw(len, '\0');
        EVP_PKEY_get_raw_public_key(pk, reinterpret_cast<unsigned char*>(raw.data()), &len);
        body = R"("kty":"OKP","crv":")" + std::string(jose::to_string(k.crv)) + R"(","x":")" +
               jose::base64url_encode(raw) + "\"";
        break;
    }
    case jose::key_family::oct: throw std::logic_error("jwk_json is for key pairs");
    }
    return "{" + body + R"(,"kid":")" + kid + "\"" + (extra_members.empty() ? "" : "," + extra_members) + "}";
}

std::shared_ptr<const crypto::key> hmac_key(std::string secret, std::string kid) {
    crypto::key k = crypto::make_hmac_key(std::move(secret));
    k.kid = std::move(kid);
    k.origin = "test secret";
    return std::make_shared<const crypto::key>(std::move(k));
}

keys::key_set_ptr key_set_of(std::initializer_list<std::shared_ptr<const crypto::key>> keys) {
    auto ks = std::make_shared<keys::key_set>();
    ks->source = "test key set";
    ks->keys.assign(keys.begin(), keys.end());
    return ks;
}

std::string public_pem(const key_pair& p) { return crypto::public_key_pem(*p.pub); }

}  // namespace tokengate::test
