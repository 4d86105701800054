#include "tokengate/crypto/key.hpp"

#include "support/test_keys.hpp"
#include "tokengate/crypto/openssl_error.hpp"
#include "tokengate/keys/pem.hpp"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>

#include <string>
#include <string_view>
#include <vector>

namespace tokengate::crypto {
namespace {

using jose::alg;
using jose::curve;
using jose::key_family;
using namespace std::literals;

constexpr alg every_alg[] = {alg::hs256, alg::hs384, alg::hs512, alg::rs256, alg::rs384, alg::rs512, alg::ps256,
                             alg::ps384, alg::ps512, alg::es256, alg::es384, alg::es512, alg::eddsa};

// A big-endian BIGNUM parameter of a key (unpadded).
std::string bn_param(EVP_PKEY* k, const char* name, int pad = 0) {
    BIGNUM* raw = nullptr;
    EXPECT_EQ(EVP_PKEY_get_bn_param(k, name, &raw), 1) << name;
    bignum_ptr bn(raw);
    const int n = pad != 0 ? pad : BN_num_bytes(bn.get());
    std::string out(static_cast<std::size_t>(n), '\0');
    BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), n);
    return out;
}

// The RSA modulus of the shared test key: a real 2048-bit n (top bit set).
std::string test_modulus() { return bn_param(test::rsa_pair().pub->pkey.get(), OSSL_PKEY_PARAM_RSA_N); }

// Each test leaves OpenSSL's error queue empty: failures must drain what they caused.
class KeyTest : public testing::Test {
protected:
    void TearDown() override { EXPECT_EQ(ERR_peek_error(), 0u) << drain_openssl_errors(); }
};

// A key of each family (and each curve) is compatible exactly with its own algorithms.
TEST_F(KeyTest, IncompatibilityEmptyExactlyWhenFamilyAndCurveFit) {
    // Setup
    const key& rsa = *test::rsa_pair().pub;
    const key& p256 = *test::ec_pair(curve::p256).pub;
    const key& p384 = *test::ec_pair(curve::p384).pub;
    const key& p521 = *test::ec_pair(curve::p521).pub;
    const key& ed25519 = *test::okp_pair(curve::ed25519).pub;
    const key& ed448 = *test::okp_pair(curve::ed448).pub;
    const key hmac = make_hmac_key(std::string(64, 's'));

    for (const key* k : {&rsa, &p256, &p384, &p521, &ed25519, &ed448, &hmac}) {
        for (alg a : every_alg) {
            // Act
            const std::string why = incompatibility(*k, a);

            // Check
            const bool fits = k->family == jose::family_of(a) &&
                              (k->family != key_family::ec || k->crv == jose::required_curve(a));
            EXPECT_EQ(why.empty(), fits) << describe(*k) << " with " << jose::to_string(a) << ": " << why;
        }
    }
}

// A family mismatch names both the key and what the algorithm needs.
TEST_F(KeyTest, IncompatibilityNamesFamilyMismatch) {
    const key& rsa = *test::rsa_pair().pub;
    const key& p256 = *test::ec_pair(curve::p256).pub;
    const key& ed25519 = *test::okp_pair(curve::ed25519).pub;
    const key hmac = make_hmac_key(std::string(32, 's'));

    EXPECT_EQ(incompatibility(rsa, alg::es256), "key is RSA-2048, ES256 needs an EC P-256 key");
    EXPECT_EQ(incompatibility(rsa, alg::hs256), "key is RSA-2048, HS256 needs an oct key");
    EXPECT_EQ(incompatibility(rsa, alg::eddsa), "key is RSA-2048, EdDSA needs an OKP key");
    EXPECT_EQ(incompatibility(p256, alg::rs256), "key is EC P-256, RS256 needs an RSA key");
    EXPECT_EQ(incompatibility(p256, alg::eddsa), "key is EC P-256, EdDSA needs an OKP key");
    EXPECT_EQ(incompatibility(ed25519, alg::es256), "key is OKP Ed25519, ES256 needs an EC P-256 key");
    EXPECT_EQ(incompatibility(ed25519, alg::ps256), "key is OKP Ed25519, PS256 needs an RSA key");
    EXPECT_EQ(incompatibility(hmac, alg::rs256), "key is oct 256-bit, RS256 needs an RSA key");
    EXPECT_EQ(incompatibility(hmac, alg::es512), "key is oct 256-bit, ES512 needs an EC P-521 key");
}

// An EC key on the wrong curve names the curve the algorithm needs.
TEST_F(KeyTest, IncompatibilityNamesCurveMismatch) {
    EXPECT_EQ(incompatibility(*test::ec_pair(curve::p256).pub, alg::es384), "key is EC P-256, ES384 needs curve P-384");
    EXPECT_EQ(incompatibility(*test::ec_pair(curve::p521).pub, alg::es256), "key is EC P-521, ES256 needs curve P-256");
    EXPECT_EQ(incompatibility(*test::ec_pair(curve::p384).pub, alg::es512), "key is EC P-384, ES512 needs curve P-521");
}

// A JWK alg member restricts the key to that one algorithm, even within its family.
TEST_F(KeyTest, IncompatibilityHonoursAlgRestriction) {
    // Setup
    key rsa = *test::rsa_pair().pub;
    rsa.alg = alg::rs256;
    key hmac = make_hmac_key(std::string(64, 's'));
    hmac.alg = alg::hs512;

    // Act / Check
    EXPECT_EQ(incompatibility(rsa, alg::rs256), "");
    EXPECT_EQ(incompatibility(rsa, alg::ps256), "key is restricted to RS256 by its alg member");
    EXPECT_EQ(incompatibility(rsa, alg::es256), "key is restricted to RS256 by its alg member");
    EXPECT_EQ(incompatibility(hmac, alg::hs256), "key is restricted to HS512 by its alg member");
    EXPECT_EQ(incompatibility(hmac, alg::hs512), "");
}

// describe() gives the short words that appear in hints and explain output.
TEST_F(KeyTest, DescribeNamesFamilySizeAndCurve) {
    EXPECT_EQ(describe(*test::rsa_pair().pub), "RSA-2048");
    EXPECT_EQ(describe(*test::ec_pair(curve::p256).pub), "EC P-256");
    EXPECT_EQ(describe(*test::ec_pair(curve::p384).pub), "EC P-384");
    EXPECT_EQ(describe(*test::ec_pair(curve::p521).pub), "EC P-521");
    EXPECT_EQ(describe(*test::okp_pair(curve::ed25519).pub), "OKP Ed25519");
    EXPECT_EQ(describe(*test::okp_pair(curve::ed448).pub), "OKP Ed448");
    EXPECT_EQ(describe(make_hmac_key(std::string(32, 's'))), "oct 256-bit");
    EXPECT_EQ(describe(make_hmac_key(std::string(16, 's'))), "oct 128-bit");
}

// A real modulus with e = 65537 or 3 builds a 2048-bit key equal to the original.
TEST_F(KeyTest, MakeRsaKeyFromModulusAndExponent) {
    const std::string n = test_modulus();

    const auto f4 = make_rsa_key(n, "\x01\x00\x01"sv);
    const auto three = make_rsa_key(n, "\x03");
    const auto leading_zeros = make_rsa_key("\x00\x00"s + n, "\x00\x01\x00\x01"sv);

    ASSERT_TRUE(f4) << f4.error();
    EXPECT_EQ(f4->family, key_family::rsa);
    EXPECT_EQ(f4->bits, 2048);
    EXPECT_EQ(public_key_der(*f4), public_key_der(*test::rsa_pair().pub));
    EXPECT_TRUE(three) << three.error();
    ASSERT_TRUE(leading_zeros) << leading_zeros.error();
    EXPECT_EQ(leading_zeros->bits, 2048);
}

// Even exponents and e = 1 are refused: neither gives a usable RSA public key.
TEST_F(KeyTest, MakeRsaKeyRefusesEvenOrTinyExponent) {
    const std::string n = test_modulus();
    for (std::string_view e : {"\x01\x00\x00"sv, "\x02"sv, "\x01"sv, "\x00\x01"sv, ""sv, "\x00"sv}) {
        const auto k = make_rsa_key(n, e);
        ASSERT_FALSE(k) << testing::PrintToString(std::string(e));
        EXPECT_EQ(k.error(), "RSA public exponent must be odd and at least 3");
    }
}

// A single-byte odd exponent >= 0x80 (e.g. 129, 255) is odd and >= 3, so it is accepted.
TEST_F(KeyTest, MakeRsaKeyAcceptsHighSingleByteExponent) {
    const std::string n = test_modulus();
    for (std::string_view e : {"\x81"sv, "\xff"sv}) {
        const auto k = make_rsa_key(n, e);
        EXPECT_TRUE(k) << testing::PrintToString(std::string(e)) << ": " << k.error();
    }
}

// A modulus one bit short of the minimum is refused with its size; a lower minimum admits it.
TEST_F(KeyTest, MakeRsaKeyRefusesShortModulus) {
    // Setup: a top byte of 0x7F leaves exactly 2047 bits, whatever the generated key was.
    std::string n = test_modulus();
    n[0] = '\x7f';

    // Act
    const auto k = make_rsa_key(n, "\x01\x00\x01"sv);
    const auto lowered = make_rsa_key(n, "\x01\x00\x01"sv, 1024);
    const auto empty = make_rsa_key("", "\x01\x00\x01"sv);

    // Check
    ASSERT_FALSE(k);
    EXPECT_EQ(k.error(), "RSA key is 2047 bits; at least 2048 are required");
    EXPECT_TRUE(lowered) << lowered.error();
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error(), "RSA key is 0 bits; at least 2048 are required");
}

// EC keys build from coordinates of exactly the field size, and equal the original.
TEST_F(KeyTest, MakeEcKeyFromCoordinates) {
    for (curve crv : {curve::p256, curve::p384, curve::p521}) {
        const key& pub = *test::ec_pair(crv).pub;
        const int size = static_cast<int>(jose::ec_field_size(crv));

        const auto k = make_ec_key(crv, bn_param(pub.pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X, size),
                                   bn_param(pub.pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y, size));

        ASSERT_TRUE(k) << k.error();
        EXPECT_EQ(k->crv, crv);
        EXPECT_EQ(public_key_der(*k), public_key_der(pub)) << jose::to_string(crv);
    }
}

// Off-curve points, wrong lengths and non-ECDSA curves are refused by make_ec_key.
TEST_F(KeyTest, MakeEcKeyRefusesBadPoints) {
    // Setup
    const key& pub = *test::ec_pair(curve::p256).pub;
    const std::string x = bn_param(pub.pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32);
    std::string y = bn_param(pub.pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32);
    const std::string short_x = x.substr(1);
    y[31] = static_cast<char>(y[31] ^ 0x01);

    // Act
    const auto off_curve = make_ec_key(curve::p256, x, y);
    const auto short_coord = make_ec_key(curve::p256, short_x, y);
    const auto edwards = make_ec_key(curve::ed25519, x, y);

    // Check
    ASSERT_FALSE(off_curve);
    EXPECT_TRUE(off_curve.error().starts_with("EC point is not on curve P-256")) << off_curve.error();
    ASSERT_FALSE(short_coord);
    EXPECT_EQ(short_coord.error(), "EC P-256 coordinates must be 32 bytes each, got 31 and 32");
    ASSERT_FALSE(edwards);
    EXPECT_EQ(edwards.error(), "not an ECDSA curve");
}

// OKP keys need the exact raw length of their curve.
TEST_F(KeyTest, MakeOkpKeyChecksLengthAndCurve) {
    const auto ed25519 = make_okp_key(curve::ed25519, std::string(32, '\x11'));
    const auto ed448 = make_okp_key(curve::ed448, std::string(57, '\x11'));
    const auto short_key = make_okp_key(curve::ed25519, std::string(31, '\x11'));
    const auto long_448 = make_okp_key(curve::ed448, std::string(58, '\x11'));
    const auto p256 = make_okp_key(curve::p256, std::string(32, '\x11'));

    ASSERT_TRUE(ed25519) << ed25519.error();
    EXPECT_EQ(describe(*ed25519), "OKP Ed25519");
    ASSERT_TRUE(ed448) << ed448.error();
    EXPECT_EQ(describe(*ed448), "OKP Ed448");
    ASSERT_FALSE(short_key);
    EXPECT_EQ(short_key.error(), "Ed25519 public key must be 32 bytes, got 31");
    ASSERT_FALSE(long_448);
    EXPECT_EQ(long_448.error(), "Ed448 public key must be 57 bytes, got 58");
    ASSERT_FALSE(p256);
    EXPECT_EQ(p256.error(), "OKP curve must be Ed25519 or Ed448");
}

// An HMAC key keeps its secret verbatim (a trailing newline too) and counts its bits.
TEST_F(KeyTest, MakeHmacKeyKeepsSecretVerbatim) {
    const key k = make_hmac_key("secret\n");

    EXPECT_EQ(k.family, key_family::oct);
    EXPECT_EQ(k.secret, "secret\n");
    EXPECT_EQ(k.bits, 56);
    EXPECT_FALSE(k.pkey);
}

// key_from_pkey applies the RSA minimum it is given.
TEST_F(KeyTest, KeyFromPkeyAppliesRsaMinimum) {
    const key& weak = *test::rsa_pair(0, 1024).pub;  // built by the support library with min 1024
    const auto dup = [&] { return evp_pkey_ptr(EVP_PKEY_dup(weak.pkey.get())); };

    const auto refused = key_from_pkey(dup());
    const auto allowed = key_from_pkey(dup(), 1024);

    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error(), "RSA key is 1024 bits; at least 2048 are required");
    ASSERT_TRUE(allowed) << allowed.error();
    EXPECT_EQ(describe(*allowed), "RSA-1024");
}

// Key types JWS cannot use are refused: X25519 (key agreement) and EC secp256k1.
TEST_F(KeyTest, KeyFromPkeyRefusesUnusableTypes) {
    const auto x25519 = key_from_pkey(evp_pkey_ptr(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519")));
    const auto k1 = key_from_pkey(evp_pkey_ptr(EVP_EC_gen("secp256k1")));

    ASSERT_FALSE(x25519);
    EXPECT_EQ(x25519.error(), "unsupported public key type (RSA, EC P-256/384/521, Ed25519, Ed448 are)");
    ASSERT_FALSE(k1);
    EXPECT_EQ(k1.error(), "EC curve secp256k1 is not usable with JWS");
}

// PEM and DER of every asymmetric key are non-empty and load back as the same key.
TEST_F(KeyTest, PublicKeyPemAndDerRoundTrip) {
    for (const test::key_pair* pair : {&test::rsa_pair(), &test::ec_pair(curve::p256), &test::ec_pair(curve::p384),
                                       &test::ec_pair(curve::p521), &test::okp_pair(curve::ed25519),
                                       &test::okp_pair(curve::ed448)}) {
        // Act
        const std::string pem = public_key_pem(*pair->pub);
        const std::string der = public_key_der(*pair->pub);
        const auto back = keys::parse_pem_public_key(pem);

        // Check
        EXPECT_TRUE(pem.starts_with("-----BEGIN PUBLIC KEY-----\n")) << pem;
        EXPECT_FALSE(der.empty());
        ASSERT_TRUE(back) << back.error();
        EXPECT_EQ(public_key_der(*back), der) << describe(*pair->pub);
        EXPECT_EQ(describe(*back), describe(*pair->pub));
    }
}

// An HMAC key has no public form: PEM and DER are empty.
TEST_F(KeyTest, PublicKeyPemAndDerEmptyForHmac) {
    const key k = make_hmac_key("0123456789abcdef0123456789abcdef");
    EXPECT_EQ(public_key_pem(k), "");
    EXPECT_EQ(public_key_der(k), "");
}

}  // namespace
}  // namespace tokengate::crypto
