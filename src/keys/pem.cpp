#include "tokengate/keys/pem.hpp"

#include "tokengate/crypto/openssl_error.hpp"

#include <openssl/pem.h>

namespace tokengate::keys {

result<crypto::key> parse_pem_public_key(std::string_view pem) {
    if (pem.find("PRIVATE KEY-----") != std::string_view::npos)
        return failure{"this is a private key; configure the public key (openssl pkey -pubout)"};
    crypto::bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) return failure{"out of memory"};
    if (pem.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos) {
        crypto::x509_ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
        crypto::evp_pkey_ptr pkey(cert ? X509_get_pubkey(cert.get()) : nullptr);
        if (!pkey) return failure{"cannot read the certificate: " + crypto::drain_openssl_errors()};
        return crypto::key_from_pkey(std::move(pkey));
    }
    // A null passphrase callback: public keys are never encrypted, and no prompt may block.
    crypto::evp_pkey_ptr pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (!pkey) {
        const std::string why = crypto::drain_openssl_errors();
        return failure{"not a PEM public key (-----BEGIN PUBLIC KEY-----)" + (why.empty() ? "" : ": " + why)};
    }
    return crypto::key_from_pkey(std::move(pkey));
}

}  // namespace tokengate::keys
