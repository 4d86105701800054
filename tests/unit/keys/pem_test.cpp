#include "tokengate/keys/pem.hpp"

#include "support/test_keys.hpp"
#include "tokengate/crypto/openssl_error.hpp"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <stdexcept>
#include <string>
#include <string_view>

namespace tokengate::keys {
namespace {

using jose::curve;
using jose::key_family;

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    return {data, static_cast<std::size_t>(len)};
}

// A self-signed X.509 certificate for `priv`, as PEM (what an IdP publishes as x5c/cert).
std::string self_signed_cert_pem(EVP_PKEY* priv) {
    crypto::x509_ptr cert(X509_new());
    if (!cert) throw std::runtime_error("X509_new");
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("idp.example"), -1,
                               -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509_set_pubkey(cert.get(), priv);
    if (X509_sign(cert.get(), priv, EVP_sha256()) <= 0) throw std::runtime_error("X509_sign");
    crypto::bio_ptr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(bio.get(), cert.get());
    return bio_text(bio.get());
}

// PKCS#8 ("BEGIN PRIVATE KEY") or traditional ("BEGIN RSA PRIVATE KEY") PEM of a private key.
std::string private_pem(EVP_PKEY* priv, bool traditional) {
    crypto::bio_ptr bio(BIO_new(BIO_s_mem()));
    if (traditional) {
        PEM_write_bio_PrivateKey_traditional(bio.get(), priv, nullptr, nullptr, 0, nullptr, nullptr);
    } else {
        PEM_write_bio_PrivateKey(bio.get(), priv, nullptr, nullptr, 0, nullptr, nullptr);
    }
    return bio_text(bio.get());
}

// Each loader leaves OpenSSL's error queue empty, so no later caller reads a stale error.
class PemTest : public testing::Test {
protected:
    void TearDown() override { EXPECT_EQ(ERR_peek_error(), 0u) << crypto::drain_openssl_errors(); }
};

// SPKI PEM of RSA, each EC curve and both Edwards curves loads as the same public key.
TEST_F(PemTest, SpkiPemLoadsEveryKeyType) {
    const struct {
        const test::key_pair* pair;
        key_family family;
        curve crv;
    } cases[] = {
        {&test::rsa_pair(), key_family::rsa, curve::none},
        {&test::ec_pair(curve::p256), key_family::ec, curve::p256},
        {&test::ec_pair(curve::p384), key_family::ec, curve::p384},
        {&test::ec_pair(curve::p521), key_family::ec, curve::p521},
        {&test::okp_pair(curve::ed25519), key_family::okp, curve::ed25519},
        {&test::okp_pair(curve::ed448), key_family::okp, curve::ed448},
    };
    for (const auto& c : cases) {
        // Setup
        const std::string pem = test::public_pem(*c.pair);
        ASSERT_TRUE(pem.starts_with("-----BEGIN PUBLIC KEY-----")) << pem;

        // Act
        const auto k = parse_pem_public_key(pem);

        // Check
        ASSERT_TRUE(k) << k.error();
        EXPECT_EQ(k->family, c.family) << crypto::describe(*c.pair->pub);
        EXPECT_EQ(k->crv, c.crv) << crypto::describe(*c.pair->pub);
        EXPECT_EQ(crypto::public_key_der(*k), crypto::public_key_der(*c.pair->pub)) << crypto::describe(*k);
    }
}

// Text around the PEM block (a comment line, a trailing newline) does not matter.
TEST_F(PemTest, SpkiPemWithSurroundingTextLoads) {
    const std::string pem = "# issuer signing key, rotated 2024-01\n" + test::public_pem(test::rsa_pair()) + "\n";

    const auto k = parse_pem_public_key(pem);

    ASSERT_TRUE(k) << k.error();
    EXPECT_EQ(crypto::describe(*k), "RSA-2048");
}

// A certificate yields its subject public key (RSA and EC).
TEST_F(PemTest, CertificateLoadsItsPublicKey) {
    for (const test::key_pair* pair : {&test::rsa_pair(), &test::ec_pair(curve::p256)}) {
        // Setup
        const std::string cert = self_signed_cert_pem(pair->priv.get());
        ASSERT_TRUE(cert.starts_with("-----BEGIN CERTIFICATE-----")) << cert;

        // Act
        const auto k = parse_pem_public_key(cert);

        // Check
        ASSERT_TRUE(k) << k.error();
        EXPECT_EQ(crypto::public_key_der(*k), crypto::public_key_der(*pair->pub)) << crypto::describe(*k);
    }
}

// A certificate block with a broken body fails with OpenSSL's reason.
TEST_F(PemTest, BrokenCertificateRefused) {
    const auto k = parse_pem_public_key("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    ASSERT_FALSE(k);
    EXPECT_TRUE(k.error().starts_with("cannot read the certificate")) << k.error();
}

// A private key is refused and the message says what to configure instead.
TEST_F(PemTest, PrivateKeyPemRefused) {
    // Setup: PKCS#8 for each type, and the traditional RSA/EC forms.
    const std::string forms[] = {
        private_pem(test::rsa_pair().priv.get(), false),
        private_pem(test::rsa_pair().priv.get(), true),
        private_pem(test::ec_pair(curve::p256).priv.get(), true),
        private_pem(test::okp_pair(curve::ed25519).priv.get(), false),
    };
    for (const std::string& pem : forms) {
        ASSERT_TRUE(contains(pem, "PRIVATE KEY-----")) << pem;

        // Act
        const auto k = parse_pem_public_key(pem);

        // Check
        ASSERT_FALSE(k);
        EXPECT_EQ(k.error(), "this is a private key; configure the public key (openssl pkey -pubout)");
        EXPECT_TRUE(contains(k.error(), "private key"));
    }
}

// Text that is not PEM at all is refused with the expected header named.
TEST_F(PemTest, GarbageRefused) {
    for (std::string_view garbage : {"hello", "", "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n",
                                     R"({"kty":"RSA","n":"AQAB","e":"AQAB"})"}) {
        const auto k = parse_pem_public_key(garbage);
        ASSERT_FALSE(k) << garbage;
        EXPECT_TRUE(k.error().starts_with("not a PEM public key (-----BEGIN PUBLIC KEY-----)")) << k.error();
    }
}

// A 1024-bit RSA public key is refused at load (SPEC §3), as PEM and as a certificate.
TEST_F(PemTest, Rsa1024PemRefused) {
    const test::key_pair& weak = test::rsa_pair(0, 1024);

    const auto spki = parse_pem_public_key(test::public_pem(weak));
    const auto cert = parse_pem_public_key(self_signed_cert_pem(weak.priv.get()));

    ASSERT_FALSE(spki);
    EXPECT_EQ(spki.error(), "RSA key is 1024 bits; at least 2048 are required");
    ASSERT_FALSE(cert);
    EXPECT_EQ(cert.error(), "RSA key is 1024 bits; at least 2048 are required");
}

}  // namespace
}  // namespace tokengate::keys
