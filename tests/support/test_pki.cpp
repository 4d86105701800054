#include "support/test_pki.hpp"

#include "tokengate/crypto/openssl_error.hpp"

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <stdexcept>
#include <string_view>
#include <utility>

namespace tokengate::test {
namespace {

namespace fs = std::filesystem;

using x509_extension_ptr =
    std::unique_ptr<X509_EXTENSION, crypto::openssl_deleter<X509_EXTENSION, X509_EXTENSION_free>>;

[[noreturn]] void fail(std::string_view what) {
    throw std::runtime_error("test_pki: " + std::string(what) + ": " + crypto::drain_openssl_errors());
}

crypto::evp_pkey_ptr new_ec_key() {
    crypto::evp_pkey_ptr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key) fail("EC P-256 key generation");
    return key;
}

void set_common_name(X509_NAME* name, const std::string& cn) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(cn.c_str());
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, bytes, -1, -1, 0) != 1) fail("subject CN " + cn);
}

// A random positive 64-bit serial: RFC 5280 §4.1.2.2 wants serials unique per issuer,
// and the top bit set keeps it nonzero.
void set_random_serial(X509* cert) {
    crypto::bignum_ptr serial(BN_new());
    if (!serial || BN_rand(serial.get(), 64, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) != 1 ||
        BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) == nullptr)
        fail("serial number");
}

void set_validity(X509* cert, validity valid) {
    if (X509_gmtime_adj(X509_getm_notBefore(cert), static_cast<long>(valid.not_before.count())) == nullptr ||
        X509_gmtime_adj(X509_getm_notAfter(cert), static_cast<long>(valid.not_after.count())) == nullptr)
        fail("validity");
}

// `value` in openssl.cnf syntax ("critical,CA:TRUE"); ctx names issuer and subject, which
// the key identifier extensions read.
void add_extension(X509* cert, X509V3_CTX& ctx, int nid, const std::string& value) {
    x509_extension_ptr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) fail(std::string(OBJ_nid2sn(nid)) + " = " + value);
}

// A v3 certificate for `key` named `cn`, not yet signed; issuer == nullptr: self-issued.
crypto::x509_ptr new_certificate(EVP_PKEY* key, const std::string& cn, X509* issuer, validity valid) {
    crypto::x509_ptr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) fail("X509_new");
    set_random_serial(cert.get());
    set_validity(cert.get(), valid);
    set_common_name(X509_get_subject_name(cert.get()), cn);
    X509_NAME* issuer_name = X509_get_subject_name(issuer != nullptr ? issuer : cert.get());
    if (X509_set_issuer_name(cert.get(), issuer_name) != 1 || X509_set_pubkey(cert.get(), key) != 1)
        fail("issuer name or public key");
    return cert;
}

void sign(X509* cert, EVP_PKEY* issuer_key) {
    if (X509_sign(cert, issuer_key, EVP_sha256()) <= 0) fail("X509_sign");
}

crypto::bio_ptr open_for_writing(const fs::path& file) {
    crypto::bio_ptr bio(BIO_new_file(file.c_str(), "w"));
    if (!bio) fail("cannot write " + file.string());
    return bio;
}

void write_certificate(const fs::path& file, X509* cert) {
    const crypto::bio_ptr bio = open_for_writing(file);
    if (PEM_write_bio_X509(bio.get(), cert) != 1) fail("writing " + file.string());
}

void write_private_key(const fs::path& file, EVP_PKEY* key) {
    const crypto::bio_ptr bio = open_for_writing(file);
    if (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        fail("writing " + file.string());
}

std::string joined(const std::vector<std::string>& sans) {
    std::string out;
    for (const auto& s : sans) out += (out.empty() ? "" : ",") + s;
    return out;
}

}  // namespace

test_pki::test_pki(fs::path dir, authority ca, authority untrusted)
    : dir_(std::move(dir)), ca_(std::move(ca)), untrusted_(std::move(untrusted)) {}

test_pki test_pki::create(const fs::path& dir) {
    fs::create_directories(dir);
    const auto make_ca = [&](const std::string& cn, const std::string& file) {
        authority a{new_ec_key(), nullptr, dir / file};
        // Ten years back and on: the CA never limits a leaf's own (possibly expired) window.
        const validity decade{-std::chrono::hours(24 * 365), std::chrono::hours(24 * 3650)};
        a.cert = new_certificate(a.key.get(), cn, nullptr, decade);
        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, a.cert.get(), a.cert.get(), nullptr, nullptr, 0);
        add_extension(a.cert.get(), ctx, NID_basic_constraints, "critical,CA:TRUE");
        add_extension(a.cert.get(), ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
        add_extension(a.cert.get(), ctx, NID_subject_key_identifier, "hash");
        sign(a.cert.get(), a.key.get());
        write_certificate(a.cert_file, a.cert.get());
        return a;
    };
    // Distinct subject names: with equal names a client would report a bad signature
    // instead of the missing issuer that an untrusted chain really is.
    authority ca = make_ca("tokengate test root CA", "ca.pem");
    authority untrusted = make_ca("tokengate untrusted CA", "untrusted-ca.pem");
    return test_pki(dir, std::move(ca), std::move(untrusted));
}

test_pki::leaf test_pki::issue(const std::string& name, const std::vector<std::string>& sans, validity valid) const {
    return issue_by(ca_, name, sans, valid);
}

test_pki::leaf test_pki::issue_untrusted(const std::string& name, const std::vector<std::string>& sans,
                                         validity valid) const {
    return issue_by(untrusted_, name, sans, valid);
}

test_pki::leaf test_pki::issue_by(const authority& ca, const std::string& name, const std::vector<std::string>& sans,
                                  validity valid) const {
    if (name.empty() || name.find('/') != std::string::npos || name.front() == '.')
        throw std::invalid_argument("test_pki: leaf name must be a plain file stem, got \"" + name + "\"");
    const crypto::evp_pkey_ptr key = new_ec_key();
    const crypto::x509_ptr cert = new_certificate(key.get(), name, ca.cert.get(), valid);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, ca.cert.get(), cert.get(), nullptr, nullptr, 0);
    add_extension(cert.get(), ctx, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), ctx, NID_key_usage, "critical,digitalSignature");
    add_extension(cert.get(), ctx, NID_ext_key_usage, "serverAuth");
    add_extension(cert.get(), ctx, NID_subject_key_identifier, "hash");
    add_extension(cert.get(), ctx, NID_authority_key_identifier, "keyid:always");
    if (!sans.empty()) add_extension(cert.get(), ctx, NID_subject_alt_name, joined(sans));
    sign(cert.get(), ca.key.get());
    leaf out{dir_ / (name + ".pem"), dir_ / (name + ".key")};
    write_certificate(out.cert_file, cert.get());
    write_private_key(out.key_file, key.get());
    return out;
}

}  // namespace tokengate::test
