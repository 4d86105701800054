#include "tokengate/crypto/verify.hpp"

#include "tokengate/crypto/digest.hpp"
#include "tokengate/crypto/openssl_error.hpp"
#include "tokengate/crypto/prepared.hpp"

#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/rsa.h>

#include <array>
#include <cstring>

namespace tokengate::crypto {
namespace {

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// The signing input is hashed here and the digest verified with the thread's prepared
// context for the key: the same check EVP_DigestVerify does, without setting it up again.
// Failures come back as 0 or -1 depending on where the check failed; both are "does not
// verify" once the inputs are well-formed.
verify_status digest_then_verify(EVP_PKEY* pkey, jose::hash h, int padding, int salt_len, std::string_view msg,
                                 std::string_view sig) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    EVP_PKEY_CTX* ctx = prepared_verify_ctx(pkey, h, padding, salt_len);
    if (ctx == nullptr || !digest_into(h, msg, md.data())) return verify_status::library_error;
    if (EVP_PKEY_verify(ctx, bytes(sig), sig.size(), md.data(), jose::digest_size(h)) == 1) return verify_status::valid;
    drain_openssl_errors();
    return verify_status::invalid;
}

std::size_t rsa_size(EVP_PKEY* pkey) { return static_cast<std::size_t>(EVP_PKEY_get_size(pkey)); }

std::string_view strip_leading_zeros(std::string_view v) {
    while (!v.empty() && v.front() == '\0') v.remove_prefix(1);
    return v;
}

// a < b for unsigned big-endian integers, both without leading zeros.
bool less_than(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return a.size() < b.size();
    return std::memcmp(a.data(), b.data(), a.size()) < 0;
}

// A DER INTEGER of a positive value without leading zeros (at most 66 bytes: one length byte).
std::size_t put_der_integer(unsigned char* out, std::string_view v) {
    const bool high_bit = (static_cast<unsigned char>(v.front()) & 0x80U) != 0;
    std::size_t n = 0;
    out[n++] = 0x02;
    out[n++] = static_cast<unsigned char>(v.size() + (high_bit ? 1 : 0));
    if (high_bit) out[n++] = 0x00;
    std::memcpy(out + n, v.data(), v.size());
    return n + v.size();
}

// The group order of a JOSE curve, big-endian without leading zeros; read once (from the
// key it would be a parameter export with allocations on every call). OpenSSL checks the
// range again against the key's own order.
std::string order_of(int nid) {
    std::unique_ptr<EC_GROUP, openssl_deleter<EC_GROUP, EC_GROUP_free>> g(EC_GROUP_new_by_curve_name(nid));
    if (!g) return {};
    const BIGNUM* n = EC_GROUP_get0_order(g.get());
    std::string be(static_cast<std::size_t>(BN_num_bytes(n)), '\0');
    BN_bn2bin(n, reinterpret_cast<unsigned char*>(be.data()));
    return be;
}

std::string_view ec_order(jose::curve crv) {
    static const std::string p256 = order_of(NID_X9_62_prime256v1);
    static const std::string p384 = order_of(NID_secp384r1);
    static const std::string p521 = order_of(NID_secp521r1);
    switch (crv) {
    case jose::curve::p256: return p256;
    case jose::curve::p384: return p384;
    case jose::curve::p521: return p521;
    default: return {};
    }
}

}  // namespace

verify_status verify_rsa_pkcs1(EVP_PKEY* pkey, jose::hash h, std::string_view msg, std::string_view sig) {
    if (sig.size() != rsa_size(pkey)) return verify_status::invalid;
    return digest_then_verify(pkey, h, RSA_PKCS1_PADDING, 0, msg, sig);
}

verify_status verify_rsa_pss(EVP_PKEY* pkey, jose::hash h, int salt_len, std::string_view msg,
                             std::string_view sig) {
    // OpenSSL 3.0 accepts some PSS signatures shorter than the modulus; JWS does not.
    if (sig.size() != rsa_size(pkey)) return verify_status::invalid;
    return digest_then_verify(pkey, h, RSA_PKCS1_PSS_PADDING, salt_len, msg, sig);
}

verify_status verify_ecdsa_p1363(EVP_PKEY* pkey, jose::hash h, jose::curve crv, std::string_view msg,
                                 std::string_view sig) {
    const std::size_t field = jose::ec_field_size(crv);
    if (field == 0 || sig.size() != 2 * field) return verify_status::invalid;
    // r||s → DER ECDSA-Sig-Value, refusing r or s outside [1, n-1] (the "psychic
    // signature" CVE-2022-21449 passed r = s = 0).
    const std::string_view r = strip_leading_zeros(sig.substr(0, field));
    const std::string_view s = strip_leading_zeros(sig.substr(field));
    const std::string_view n = ec_order(crv);
    if (n.empty()) return verify_status::library_error;
    if (r.empty() || s.empty() || !less_than(r, n) || !less_than(s, n)) return verify_status::invalid;
    std::array<unsigned char, 2 * (3 + 66) + 3> der{};
    std::size_t body = put_der_integer(der.data() + 3, r);
    body += put_der_integer(der.data() + 3 + body, s);
    // SEQUENCE header in front of the body: short length form below 128, else 0x81 len.
    std::size_t start = 0;
    if (body < 128) {
        start = 1;
        der[1] = 0x30;
        der[2] = static_cast<unsigned char>(body);
    } else {
        der[0] = 0x30;
        der[1] = 0x81;
        der[2] = static_cast<unsigned char>(body);
    }
    const std::string_view encoded(reinterpret_cast<const char*>(der.data()) + start, 3 - start + body);
    return digest_then_verify(pkey, h, 0, 0, msg, encoded);
}

verify_status verify_eddsa(EVP_PKEY* pkey, std::string_view msg, std::string_view sig) {
    const std::size_t want = EVP_PKEY_is_a(pkey, "ED448") ? 114 : 64;
    if (sig.size() != want) return verify_status::invalid;
    EVP_MD_CTX* ctx = prepared_eddsa_ctx(pkey);
    if (ctx == nullptr) return verify_status::library_error;
    if (EVP_DigestVerify(ctx, bytes(sig), sig.size(), bytes(msg), msg.size()) == 1) return verify_status::valid;
    drain_openssl_errors();
    return verify_status::invalid;
}

verify_status verify_hmac(jose::hash h, std::string_view secret, std::string_view msg, std::string_view sig) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    std::size_t len = 0;
    EVP_MAC_CTX* ctx = prepared_hmac_ctx(h, secret);
    if (ctx == nullptr || EVP_MAC_update(ctx, bytes(msg), msg.size()) != 1 ||
        EVP_MAC_final(ctx, mac.data(), &len, mac.size()) != 1) {
        drain_openssl_errors();
        return verify_status::library_error;
    }
    return constant_time_equal(std::string_view(reinterpret_cast<const char*>(mac.data()), len), sig)
               ? verify_status::valid
               : verify_status::invalid;
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
