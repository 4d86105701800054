// Forged tokens against the real proxy: unsigned (alg none in every spelling), RS→HS
// key confusion, psychic ECDSA signatures, keys smuggled in through the header (jwk, jku,
// x5u, x5c) and kid values built to trip a lookup. Each is signed so that a vulnerable
// validator would accept it; each must end in its exact rejection with the upstream
// untouched.
#include "attack_fixture.hpp"

#include "support/jwks_server.hpp"
#include "support/test_keys.hpp"
#include "support/token_builder.hpp"
#include "tokengate/crypto/key.hpp"
#include "tokengate/jose/base64url.hpp"

#include <openssl/x509.h>

#include <stdexcept>

namespace tokengate::test {
namespace {

header_list bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

// The signature segment of a compact token.
std::string signature_of(const std::string& token) { return token.substr(token.rfind('.') + 1); }

// A self-signed certificate (DER) for the attacker's own key: what a validator that
// trusts x5c would take the key from.
std::string self_signed_der(EVP_PKEY* key) {
    crypto::x509_ptr cert(X509_new());
    if (!cert) throw std::runtime_error("X509_new failed");
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("issuer.test"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509_set_pubkey(cert.get(), key);
    if (X509_sign(cert.get(), key, EVP_sha256()) == 0) throw std::runtime_error("X509_sign failed");
    unsigned char* der = nullptr;
    const int len = i2d_X509(cert.get(), &der);
    if (len <= 0) throw std::runtime_error("i2d_X509 failed");
    std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
    return out;
}

using ForgedTokenTest = AttackTest;

TEST_F(ForgedTokenTest, AlgNoneInEveryCaseRefusedWithOrWithoutSignature) {
    // Verifies: {"alg":"none"|"None"|"NONE"|"nOnE"} with an empty signature, and with a real RS256 signature
    // attached, is alg_not_allowed ("alg none is never accepted") and never reaches the upstream.
    start();
    const std::string claims = claims_for(fixture_issuer);
    const std::string real_signature = signature_of(rsa_token(claims));

    for (const char* none : {"none", "None", "NONE", "nOnE"}) {
        const std::string input = signing_input(std::string(R"({"alg":")") + none + R"(","kid":"k1","typ":"JWT"})", claims);
        for (const std::string& token : {input + ".", input + "." + real_signature}) {
            SCOPED_TRACE(token);
            std::string id;
            const auto r = get_as("/api/x", bearer(token), id);

            const std::string line = expect_rejected(r, 401, "alg_not_allowed", id);
            EXPECT_EQ(json_field(line, {"hint"}), "alg none is never accepted") << line;
        }
    }
    expect_upstream_untouched();
}

TEST_F(ForgedTokenTest, HmacSignedWithTheRsaPublicKeyIsConfirmedConfusion) {
    // Verifies: the RS→HS attack — HS256 keyed with the RS256 provider's own public key, as PEM (with and without
    // its final newline) and as DER — is alg_not_allowed; the PEM forms are confirmed as confusion in the log.
    start();
    const std::string claims = claims_for(fixture_issuer);
    const std::string header = R"({"alg":"HS256","kid":"k1","typ":"JWT"})";
    std::string pem = public_pem(rsa_pair(0));
    std::string trimmed = pem;
    while (!trimmed.empty() && trimmed.back() == '\n') trimmed.pop_back();
    const std::string der = crypto::public_key_der(*rsa_pair(0).pub);

    for (const std::string* secret : {&pem, &trimmed}) {
        std::string id;
        const auto r = get_as("/api/x", bearer(hmac_token(claims, *secret, header)), id);

        const std::string line = expect_rejected(r, 401, "alg_not_allowed", id);
        EXPECT_NE(line.find("confirmed: the HS256 signature verifies with the provider's RSA-2048 public key"),
                  std::string::npos) << line;
    }
    std::string id;
    const auto r = get_as("/api/x", bearer(hmac_token(claims, der, header)), id);
    const std::string line = expect_rejected(r, 401, "alg_not_allowed", id);
    EXPECT_NE(line.find("algorithm-confusion"), std::string::npos) << line;
    expect_upstream_untouched();
}

TEST_F(ForgedTokenTest, ConfusionFailsEvenWhereTheWhitelistAllowsBothFamilies) {
    // Verifies: at a provider that (against the config warning) whitelists RS256 and HS256, an HS256 token keyed
    // with its RSA public key still fails: the RSA key is never used as an HMAC secret, with kid or without.
    start();
    const std::string claims = claims_for(mixed_issuer);
    const std::string pem = public_pem(rsa_pair(0));

    std::string with_kid;
    const auto a = get_as("/api/x", bearer(hmac_token(claims, pem, R"({"alg":"HS256","kid":"m1"})")), with_kid);
    std::string without_kid;
    const auto b = get_as("/api/x", bearer(hmac_token(claims, pem, R"({"alg":"HS256"})")), without_kid);

    const std::string line_a = expect_rejected(a, 401, "bad_signature", with_kid);
    EXPECT_NE(line_a.find("cannot verify HS256"), std::string::npos) << line_a;
    const std::string line_b = expect_rejected(b, 401, "unknown_kid", without_kid);
    EXPECT_NE(line_b.find("fits HS256"), std::string::npos) << line_b;
    expect_upstream_untouched();
}

TEST_F(ForgedTokenTest, PsychicEcdsaSignaturesRefused) {
    // Verifies: ES256 "psychic signatures" (CVE-2022-21449: r = s = 0), r = s = n (the group order, ≡ 0) and
    // a DER-encoded zero signature are bad_signature at the proxy, never accepted.
    start();
    const std::string input = signing_input(R"({"alg":"ES256","kid":"e1"})", claims_for(ec_issuer));
    // n of P-256 (FIPS 186-4 D.1.2.3), big-endian.
    const std::string order = jose::base64url_decode("_____wAAAAD__________7zm-q2nF56E87nKwvxjJVE").bytes;
    ASSERT_EQ(order.size(), 32u);
    const std::string zero_der("\x30\x06\x02\x01\x00\x02\x01\x00", 8);

    for (const std::string& sig : {std::string(64, '\0'), order + order, zero_der}) {
        std::string id;
        const auto r = get_as("/api/x", bearer(input + "." + jose::base64url_encode(sig)), id);

        expect_rejected(r, 401, "bad_signature", id);
    }
    // Control: the provider does accept a real ES256 token.
    const std::string real = make_token(R"({"alg":"ES256","kid":"e1"})", claims_for(ec_issuer), jose::alg::es256,
                                        ec_pair(jose::curve::p256).priv.get());
    std::string id;
    const auto ok = get_as("/api/x", bearer(real), id);
    EXPECT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(upstream->answered(), 1u);
}

TEST_F(ForgedTokenTest, KeysEmbeddedInTheHeaderAreNeverUsedOrFetched) {
    // Verifies: tokens signed with the attacker's key and carrying that key as jwk, as a jku/x5u URL on a live
    // server, or as an x5c certificate are bad_signature (kid k1 is the provider's key); the server is never asked.
    jwks_server attacker;
    const key_pair& evil = rsa_pair(1);
    attacker.set_jwks("/jwks", R"({"keys":[)" + jwk_json(evil, "k1") + "]}");
    attacker.set("/cert.pem", {.body = public_pem(evil), .headers = {{"Content-Type", "application/x-pem-file"}}});
    start();
    const std::string claims = claims_for(fixture_issuer);
    const std::string x5c = base64_std(self_signed_der(evil.priv.get()));
    const std::vector<std::string> headers = {
        R"({"alg":"RS256","kid":"k1","typ":"JWT","jwk":)" + jwk_json(evil, "k1") + "}",
        R"({"alg":"RS256","kid":"k1","typ":"JWT","jku":")" + attacker.url("/jwks") + "\"}",
        R"({"alg":"RS256","kid":"k1","typ":"JWT","x5u":")" + attacker.url("/cert.pem") + "\"}",
        R"({"alg":"RS256","kid":"k1","typ":"JWT","x5c":[")" + x5c + "\"]}",
        R"({"alg":"RS256","typ":"JWT","jwk":)" + jwk_json(evil, "") + "}",
    };

    for (const auto& h : headers) {
        SCOPED_TRACE(h);
        std::string id;
        const auto r = get_as("/api/x", bearer(rsa_token(claims, h, 1)), id);

        expect_rejected(r, 401, "bad_signature", id);
    }
    EXPECT_EQ(attacker.total_count(), 0u) << "the proxy fetched a URL named in a token";
    EXPECT_EQ(attacker.connections(), 0u);
    expect_upstream_untouched();
}

TEST_F(ForgedTokenTest, KidTraversalAndInjectionStringsMatchNoKey) {
    // Verifies: kid values aimed at file paths, SQL, C strings and lookups (traversal, quote, NUL after the real
    // kid, case, whitespace, encoding, 4,000 bytes) on tokens signed by the real key are unknown_kid — only exact
    // equality selects a key — and each is logged as a valid JSON line.
    start();
    const std::string claims = claims_for(fixture_issuer);
    const std::vector<std::string> kids = {
        "../../etc/passwd", "/dev/stdin", "file:///etc/passwd", "' OR 1=1 --", "k1' OR '1'='1",
        "k1\\u0000", "k1\\u0000../../x", "K1", "k1 ", " k1", "k1\\n", "%6b1", "k\\u0031x", std::string(4000, 'k'),
    };

    for (const auto& kid : kids) {
        SCOPED_TRACE(kid.substr(0, 40));
        std::string id;
        const auto r = get_as("/api/x", bearer(rsa_token(claims, R"({"alg":"RS256","typ":"JWT","kid":")" + kid + "\"}")), id);

        expect_rejected(r, 401, "unknown_kid", id);
    }
    // A kid that is no string is malformed, not looked up.
    for (const char* kid : {"1", "null", R"(["k1"])", R"({"k1":1})"}) {
        std::string id;
        const auto r = get_as("/api/x", bearer(rsa_token(claims, R"({"alg":"RS256","typ":"JWT","kid":)" + std::string(kid) + "}")), id);
        expect_rejected(r, 401, "malformed_token", id);
    }
    expect_upstream_untouched();
}

}  // namespace
}  // namespace tokengate::test
