// Checks the certificates test_pki writes with OpenSSL's own chain and name verification
// (X509_verify_cert, TLS-server purpose), no network: each kind of leaf fails for
// exactly the reason its name promises, with the X509_V_ERR code a TLS client reports.
#include "support/test_pki.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <string>

namespace tokengate::test {
namespace {

using x509_store_ptr = std::unique_ptr<X509_STORE, crypto::openssl_deleter<X509_STORE, X509_STORE_free>>;
using x509_store_ctx_ptr =
    std::unique_ptr<X509_STORE_CTX, crypto::openssl_deleter<X509_STORE_CTX, X509_STORE_CTX_free>>;

crypto::x509_ptr read_certificate(const std::filesystem::path& file) {
    const crypto::bio_ptr bio(BIO_new_file(file.c_str(), "r"));
    if (!bio) return nullptr;
    return crypto::x509_ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

// What a TLS client concludes about `cert_file` when it trusts `ca_file` and connects to
// `host` (a DNS name, or an IP address when `is_ip`): X509_V_OK or the X509_V_ERR code.
int verify(const std::filesystem::path& cert_file, const std::filesystem::path& ca_file, const std::string& host,
           bool is_ip) {
    const crypto::x509_ptr cert = read_certificate(cert_file);
    const x509_store_ptr store(X509_STORE_new());
    const x509_store_ctx_ptr ctx(X509_STORE_CTX_new());
    if (!cert || !store || !ctx || X509_STORE_load_file(store.get(), ca_file.c_str()) != 1 ||
        X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr) != 1 ||
        X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER) != 1) {
        ERR_clear_error();
        return -1;
    }
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    if (is_ip) X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    else X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
    const int ok = X509_verify_cert(ctx.get());
    const int error = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    return ok == 1 ? X509_V_OK : error;
}

class TestPkiTest : public ::testing::Test {
protected:
    temp_dir dir_{"tokengate-pki"};
    test_pki pki_ = test_pki::create(dir_.path());
};

TEST_F(TestPkiTest, LoopbackLeafVerifiesForEveryLoopbackName) {
    // A default leaf is trusted for localhost, 127.0.0.1 and ::1.
    const auto leaf = pki_.issue("server");

    EXPECT_EQ(verify(leaf.cert_file, pki_.ca_file(), "localhost", false), X509_V_OK);
    EXPECT_EQ(verify(leaf.cert_file, pki_.ca_file(), "127.0.0.1", true), X509_V_OK);
    EXPECT_EQ(verify(leaf.cert_file, pki_.ca_file(), "::1", true), X509_V_OK);
}

TEST_F(TestPkiTest, FilesAreNamedForTheLeafInThePkiDir) {
    // issue() writes <name>.pem and <name>.key next to ca.pem.
    const auto leaf = pki_.issue("jwks-host");

    EXPECT_EQ(pki_.ca_file(), dir_.path() / "ca.pem");
    EXPECT_EQ(leaf.cert_file, dir_.path() / "jwks-host.pem");
    EXPECT_EQ(leaf.key_file, dir_.path() / "jwks-host.key");
    EXPECT_TRUE(std::filesystem::exists(leaf.key_file));
}

TEST_F(TestPkiTest, CaIsACaAndLeafIsATlsServer) {
    // The root is a CA (basicConstraints, keyCertSign) and the leaf is not; the leaf has
    // the serverAuth EKU a TLS client checks.
    const auto ca = read_certificate(pki_.ca_file());
    const auto leaf = read_certificate(pki_.issue("server").cert_file);
    ASSERT_TRUE(ca && leaf);

    EXPECT_EQ(X509_check_ca(ca.get()), 1);
    EXPECT_NE(X509_get_key_usage(ca.get()) & KU_KEY_CERT_SIGN, 0U);
    EXPECT_EQ(X509_check_ca(leaf.get()), 0);
    EXPECT_EQ(X509_check_purpose(leaf.get(), X509_PURPOSE_SSL_SERVER, 0), 1);
    EXPECT_NE(X509_get_extended_key_usage(leaf.get()) & XKU_SSL_SERVER, 0U);
}

TEST_F(TestPkiTest, ExpiredLeafFailsAsExpired) {
    // validity `expired` ended an hour ago.
    const auto leaf = pki_.issue("expired", loopback_sans, expired);

    EXPECT_EQ(verify(leaf.cert_file, pki_.ca_file(), "127.0.0.1", true), X509_V_ERR_CERT_HAS_EXPIRED);
}

TEST_F(TestPkiTest, NotYetValidLeafFailsAsNotYetValid) {
    // validity `not_yet_valid` starts in an hour.
    const auto leaf = pki_.issue("future", loopback_sans, not_yet_valid);

    EXPECT_EQ(verify(leaf.cert_file, pki_.ca_file(), "127.0.0.1", true), X509_V_ERR_CERT_NOT_YET_VALID);
}

TEST_F(TestPkiTest, UntrustedLeafFailsForMissingIssuer) {
    // A leaf of the untrusted CA has no issuer in ca.pem, and verifies once that CA is trusted.
    const auto leaf = pki_.issue_untrusted("rogue");

    EXPECT_EQ(verify(leaf.cert_file, pki_.ca_file(), "127.0.0.1", true),
              X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    EXPECT_EQ(verify(leaf.cert_file, pki_.untrusted_ca_file(), "127.0.0.1", true), X509_V_OK);
}

TEST_F(TestPkiTest, OtherNamesFailAsHostnameOrIpMismatch) {
    // SANs for another host and address: names and addresses are mismatches, each with its own code.
    const auto leaf = pki_.issue("elsewhere", {"DNS:jwks.example", "IP:10.0.0.1"});

    EXPECT_EQ(verify(leaf.cert_file, pki_.ca_file(), "jwks.example", false), X509_V_OK);
    EXPECT_EQ(verify(leaf.cert_file, pki_.ca_file(), "localhost", false), X509_V_ERR_HOSTNAME_MISMATCH);
    EXPECT_EQ(verify(leaf.cert_file, pki_.ca_file(), "127.0.0.1", true), X509_V_ERR_IP_ADDRESS_MISMATCH);
}

TEST_F(TestPkiTest, LeafWithoutSansMatchesNoHost) {
    // No subjectAltName: the CN (the leaf's name) is the only name, and it is not a host.
    const auto leaf = pki_.issue("localhost-ish", {});

    EXPECT_EQ(verify(leaf.cert_file, pki_.ca_file(), "localhost", false), X509_V_ERR_HOSTNAME_MISMATCH);
}

TEST_F(TestPkiTest, EachPkiHasItsOwnRoot) {
    // Two PKIs never trust each other's leaves: create() makes new CA keys.
    temp_dir other_dir{"tokengate-pki"};
    const test_pki other = test_pki::create(other_dir.path());
    const auto leaf = other.issue("server");

    EXPECT_EQ(verify(leaf.cert_file, pki_.ca_file(), "127.0.0.1", true),
              X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

TEST_F(TestPkiTest, BadLeafNameIsRejected) {
    // Names are file stems inside the PKI dir: no paths.
    EXPECT_THROW(pki_.issue("../escape"), std::invalid_argument);
    EXPECT_THROW(pki_.issue(""), std::invalid_argument);
}

}  // namespace
}  // namespace tokengate::test
