#pragma once

#include "tokengate/crypto/openssl_ptr.hpp"

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace tokengate::test {

/** When a certificate is valid, as offsets from the moment it is issued. */
struct validity {
    std::chrono::seconds not_before = -std::chrono::hours(1);  //!< an hour back: tolerates clock steps
    std::chrono::seconds not_after = std::chrono::hours(24);
};

/** Valid now (the default). */
inline constexpr validity currently_valid{};
/** Expired an hour ago. */
inline constexpr validity expired{-std::chrono::hours(2), -std::chrono::hours(1)};
/** Becomes valid in an hour. */
inline constexpr validity not_yet_valid{std::chrono::hours(1), std::chrono::hours(2)};

/** subjectAltNames for a server reached as localhost, 127.0.0.1 or ::1. */
inline const std::vector<std::string> loopback_sans{"DNS:localhost", "IP:127.0.0.1", "IP:::1"};

/** A throwaway PKI for TLS tests, written to a directory as PEM files: a trusted root CA
 *  (ca.pem, the file a client is told to trust), a second CA nobody trusts
 *  (untrusted-ca.pem) and server certificates (EC P-256, SHA-256) issued by either. Each
 *  create() makes new CA keys, so two instances never trust each other's leaves. The CA
 *  private keys stay in memory. Errors throw std::runtime_error with OpenSSL's text. */
class test_pki {
public:
    /** A server certificate and its private key (PKCS#8), as files in the PKI dir. */
    struct leaf {
        std::filesystem::path cert_file;  //!< <name>.pem: the leaf alone, no chain
        std::filesystem::path key_file;   //!< <name>.key
    };

    /** Makes both CAs in `dir` (created if missing). */
    static test_pki create(const std::filesystem::path& dir);

    const std::filesystem::path& dir() const noexcept { return dir_; }
    /** The trusted root: what `curl --cacert` or the fetcher's CA file option gets. */
    const std::filesystem::path& ca_file() const noexcept { return ca_.cert_file; }
    /** The root of issue_untrusted()'s leaves, for tests that do trust it on purpose. */
    const std::filesystem::path& untrusted_ca_file() const noexcept { return untrusted_.cert_file; }

    /** A serverAuth leaf signed by the trusted CA. `name` is the file stem and the
     *  subject CN (not a host name, so no client matches it through a CN fallback);
     *  `sans` are OpenSSL config entries ("DNS:localhost", "IP:127.0.0.1", "IP:::1"),
     *  none for a certificate without subjectAltName. */
    leaf issue(const std::string& name, const std::vector<std::string>& sans = loopback_sans,
               validity valid = currently_valid) const;

    /** The same, signed by the untrusted CA. */
    leaf issue_untrusted(const std::string& name, const std::vector<std::string>& sans = loopback_sans,
                         validity valid = currently_valid) const;

private:
    struct authority {
        crypto::evp_pkey_ptr key;
        crypto::x509_ptr cert;
        std::filesystem::path cert_file;
    };

    test_pki(std::filesystem::path dir, authority ca, authority untrusted);
    leaf issue_by(const authority& ca, const std::string& name, const std::vector<std::string>& sans,
                  validity valid) const;

    std::filesystem::path dir_;
    authority ca_;
    authority untrusted_;
};

}  // namespace tokengate::test
