// Published JWS examples: RFC 7515 Appendix A, RFC 8037 Appendix A.4 and RFC 7520 §4.
// The keys and compact serializations below are copied from the RFC texts (facts, not
// code); only the public members of each JWK are kept, which is all verification needs.
// If one of them stops verifying, suspect the constant before the code.
#include "tokengate/crypto/verify.hpp"

#include "tokengate/jose/base64url.hpp"
#include "tokengate/jose/compact.hpp"
#include "tokengate/jose/json.hpp"
#include "tokengate/keys/jwk.hpp"
#include "tokengate/validate/validator.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace tokengate::test {
namespace {

// A published example: the JWK that verifies it and its compact serialization.
struct rfc_vector {
    const char* name;   // gtest-safe: where it is published
    const char* jwk;
    const char* token;
    int key_bits;       // key size as crypto::key counts it (OpenSSL: 256 for Ed25519)
};

// The payload the RFC 7515 A.1-A.3 examples share, with its CRLFs:
// {"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}
#define TOKENGATE_RFC7515_PAYLOAD \
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"

// "It’s a dangerous business, Frodo, going out your door. …" (RFC 7520 §4, Figure 7).
#define TOKENGATE_RFC7520_PAYLOAD                                                                  \
    "SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250" \
    "byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hl" \
    "cmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4"

// RFC 7520 §3.3 (Figure 3), public part: the RSA-2048 key of §4.1 and §4.2.
#define TOKENGATE_RFC7520_RSA_JWK                                                                    \
    R"({"kty":"RSA","kid":"bilbo.baggins@hobbiton.example","use":"sig",)"                            \
    R"("n":"n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_)" \
    R"(AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe)" \
    R"(-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFA)" \
    R"(KwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw","e":"AQAB"})"

const rfc_vector vectors[] = {
    // RFC 7515 A.1: HS256 with a 64-byte key; header {"typ":"JWT",\r\n "alg":"HS256"}.
    {"rfc7515_a1_hs256",
     R"({"kty":"oct",)"
     R"("k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"})",
     "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9." TOKENGATE_RFC7515_PAYLOAD
     ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
     512},
    // RFC 7515 A.2: RS256 with a 2048-bit key; header {"alg":"RS256"}.
    {"rfc7515_a2_rs256",
     R"({"kty":"RSA",)"
     R"("n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4Ql)"
     R"(L-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e)"
     R"(-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_)"
     R"(h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ","e":"AQAB"})",
     "eyJhbGciOiJSUzI1NiJ9." TOKENGATE_RFC7515_PAYLOAD
     ".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9"
     "uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_"
     "eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5"
     "AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw",
     2048},
    // RFC 7515 A.3: ES256; header {"alg":"ES256"}.
    {"rfc7515_a3_es256",
     R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
     R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})",
     "eyJhbGciOiJFUzI1NiJ9." TOKENGATE_RFC7515_PAYLOAD
     ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q",
     256},
    // RFC 7515 A.4: ES512 over the payload "Payload"; header {"alg":"ES512"}.
    {"rfc7515_a4_es512",
     R"({"kty":"EC","crv":"P-521",)"
     R"("x":"AekpBQ8ST8a8VcfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_NjFZ6OvLFV1jSfS9tsz4qUxcWceqwQGk",)"
     R"("y":"ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-x3S1WDhjDly79ajL4Kkd0AZMaZmh9ubmf63e3kyMj2"})",
     "eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA.AdwMgeerwtHoh-l192l60hp9wAHZFVJbLfD_UxMi70cwnZOYaRI1bKPWROc-mZZqwqT2SI-K"
     "GDKB34XO0aw_7XdtAG8GaSwFKdCAPZgoXD2YBJZCPEX3xKpRwcdOO8KpEHwJjyqOgzDO7iKvU8vcnwNrmxYbSW9ERBXukOXolLzeO_Jn",
     521},
    // RFC 8037 A.4: Ed25519 over "Example of Ed25519 signing"; header {"alg":"EdDSA"}.
    {"rfc8037_a4_ed25519",
     R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})",
     "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhij"
     "cNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg",
     256},
    // RFC 7520 §4.1: RS256; header {"alg":"RS256","kid":"bilbo.baggins@hobbiton.example"}.
    {"rfc7520_4_1_rs256", TOKENGATE_RFC7520_RSA_JWK,
     "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9." TOKENGATE_RFC7520_PAYLOAD
     ".MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmKZopdHM1O2U4mwzJdQx996ivp83xuglII7PNDi84w"
     "nB-BDkoBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHRD68BNt1uSNCrUCTJDt5aAE6x8wW1Kt9eRo4QPocSadnHX"
     "Fxnt8Is9UzpERV0ePPQdLuW3IS_de3xyIrDaLGdjluPxUAhb6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4uOZDnd6QZWJushZ41Axf"
     "_fcIe8u9ipH84ogoree7vjbU5y18kDquDg",
     2048},
    // RFC 7520 §4.2: PS384; PSS is randomized, so this exact published signature must verify.
    {"rfc7520_4_2_ps384", TOKENGATE_RFC7520_RSA_JWK,
     "eyJhbGciOiJQUzM4NCIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9." TOKENGATE_RFC7520_PAYLOAD
     ".cu22eBqkYDKgIlTpzDXGvaFfz6WGoz7fUDcfT0kkOy42miAh2qyBzk1xEsnk2IpN6-tPid6VrklHkqsGqDqHCdP6O8TTB5dDDItll"
     "Vo6_1OLPpcbUrhiUSMxbbXUvdvWXzg-UD8biiReQFlfz28zGWVsdiNAUf8ZnyPEgVFn442ZdNqiVJRmBqrYRXe8P_ijQ7p8Vdz0TTrx"
     "UeT3lm8d9shnr2lfJT8ImUjvAA2Xez2Mlp8cBE5awDzT0qI0n6uiP1aCN_2_jLAeQTlqRHtfa64QQSUmFAAjVKPbByi7xho0uTOcbH5"
     "10a6GYmJUAfmWjwZ6oD4ifKo8DYM-X72Eaw",
     2048},
    // RFC 7520 §4.3: ES512 with the P-521 key of §3.2 (Figure 2, public part).
    {"rfc7520_4_3_es512",
     R"({"kty":"EC","kid":"bilbo.baggins@hobbiton.example","use":"sig","crv":"P-521",)"
     R"("x":"AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyekWF-7ytDyRXYgCF5cj0Kt",)"
     R"("y":"AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJmbnX9cwlGfP-HqHZR1"})",
     "eyJhbGciOiJFUzUxMiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9." TOKENGATE_RFC7520_PAYLOAD
     ".AE_R_YZCChjn4791jSQCrdPZCNYqHXCTZH0-JZGYNlaAjP2kqaluUIIUnC9qvbu9Plon7KRTzoNEuT4Va2cmL1eJAQy3mtPBu_u_sD"
     "DyYjnAMDxXPn7XrT0lw-kvAD890jl8e2puQens_IEKBpHABlsbEPX6sFY8OcGDqoRuBomu9xQ2",
     521},
    // RFC 7520 §4.4: HS256 with the 32-byte key of §3.5 (Figure 5).
    {"rfc7520_4_4_hs256",
     R"({"kty":"oct","kid":"018c0ae5-4d9b-471b-bfd6-eef314bc7037","use":"sig","alg":"HS256",)"
     R"("k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"})",
     "eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2LWVlZjMxNGJjNzAzNyJ9." TOKENGATE_RFC7520_PAYLOAD
     ".s0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0",
     256},
};

#undef TOKENGATE_RFC7515_PAYLOAD
#undef TOKENGATE_RFC7520_PAYLOAD
#undef TOKENGATE_RFC7520_RSA_JWK

// The signed parts of a compact JWS, taken through tokengate's parser.
struct signed_parts {
    jose::alg algorithm = jose::alg::hs256;
    std::string signing_input;
    std::string signature;
};

// parse_compact gives the parts when the payload is a JSON object (a JWT). Most of these
// examples sign plain text, which tokengate refuses as a token (SPEC §3: the payload is
// a JSON object); their signature layer is then read with the same strict decoders.
std::optional<signed_parts> parts_of(const std::string& token) {
    const jose::compact_parse p = jose::parse_compact(token, jose::parse_limits{});
    if (p.jws) return signed_parts{p.jws->algorithm, p.jws->signing_input, p.jws->signature};
    EXPECT_EQ(to_string(p.error->code), "malformed_token");
    EXPECT_EQ(p.error->hint.rfind("payload is not JSON", 0), 0u) << p.error->hint;
    const auto first = token.find('.');
    const auto last = token.rfind('.');
    const jose::b64_decoded header = jose::base64url_decode(std::string_view(token).substr(0, first));
    const jose::b64_decoded sig = jose::base64url_decode(std::string_view(token).substr(last + 1));
    if (header.error != jose::b64_error::none || sig.error != jose::b64_error::none) return std::nullopt;
    const jose::json_parse h = jose::parse_json_object(header.bytes, 16);
    std::string_view alg_name;
    if (h.error != jose::json_error::none || jose::get_string(h.doc, "alg", alg_name) != jose::field::found)
        return std::nullopt;
    const auto a = jose::parse_alg(alg_name);
    if (!a) return std::nullopt;
    return signed_parts{*a, token.substr(0, last), sig.bytes};
}

result<crypto::key> key_of(const char* jwk_text) {
    rapidjson::Document doc;
    doc.Parse(jwk_text);
    if (doc.HasParseError()) return failure{"JWK constant is not JSON"};
    return keys::parse_jwk(doc);
}

void PrintTo(const rfc_vector& v, std::ostream* os) { *os << v.name; }

class RfcVectorsTest : public ::testing::TestWithParam<rfc_vector> {};

// The published signature verifies with the published key, which loads at its stated size.
TEST_P(RfcVectorsTest, PublishedSignatureVerifies) {
    const rfc_vector& v = GetParam();
    const auto k = key_of(v.jwk);
    ASSERT_TRUE(k) << k.error();
    EXPECT_EQ(k->bits, v.key_bits);
    const auto parts = parts_of(v.token);
    ASSERT_TRUE(parts);
    EXPECT_EQ(crypto::incompatibility(*k, parts->algorithm), "");
    const crypto::verify_result r = crypto::verify(parts->algorithm, *k, parts->signing_input, parts->signature);
    EXPECT_EQ(r.status, crypto::verify_status::valid) << r.detail;
}

// One flipped bit anywhere in the signature (first, middle, last byte) makes it fail.
TEST_P(RfcVectorsTest, FlippedSignatureBitFails) {
    const rfc_vector& v = GetParam();
    const auto k = key_of(v.jwk);
    ASSERT_TRUE(k) << k.error();
    const auto parts = parts_of(v.token);
    ASSERT_TRUE(parts);
    const std::size_t n = parts->signature.size();
    for (const std::size_t at : {std::size_t{0}, n / 2, n - 1}) {
        for (const int bit : {0, 7}) {
            std::string forged = parts->signature;
            forged[at] = static_cast<char>(forged[at] ^ (1 << bit));
            EXPECT_EQ(crypto::verify(parts->algorithm, *k, parts->signing_input, forged).status,
                      crypto::verify_status::invalid)
                << "byte " << at << " bit " << bit;
        }
    }
}

// The signing input is exactly what was sent: one changed payload byte fails verification.
TEST_P(RfcVectorsTest, AlteredSigningInputFails) {
    const rfc_vector& v = GetParam();
    const auto k = key_of(v.jwk);
    ASSERT_TRUE(k) << k.error();
    const auto parts = parts_of(v.token);
    ASSERT_TRUE(parts);
    std::string input = parts->signing_input;
    char& c = input[input.find('.') + 1];
    c = c == 'A' ? 'B' : 'A';
    EXPECT_EQ(crypto::verify(parts->algorithm, *k, input, parts->signature).status, crypto::verify_status::invalid);
}

INSTANTIATE_TEST_SUITE_P(Rfc, RfcVectorsTest, ::testing::ValuesIn(vectors),
                         [](const ::testing::TestParamInfo<rfc_vector>& p) { return std::string(p.param.name); });

// The RFC 7515 A.1-A.3 JWTs pass the whole validator before exp 1300819380 and expire at it.
TEST(RfcVectorsJwtTest, Rfc7515TokensPassTheValidatorUntilExp) {
    // Their header and payload JSON hold CRLFs: what is signed is the text as sent.
    for (const rfc_vector& v : vectors) {
        if (std::string_view(v.name).rfind("rfc7515_a", 0) != 0 || std::string_view(v.name) == "rfc7515_a4_es512")
            continue;
        SCOPED_TRACE(v.name);
        auto k = key_of(v.jwk);
        ASSERT_TRUE(k) << k.error();
        const auto parts = parts_of(v.token);
        ASSERT_TRUE(parts);
        validate::provider p;
        p.name = "rfc7515";
        p.issuer = "joe";
        p.check_audience = false;
        p.algorithms = {parts->algorithm};
        p.leeway = std::chrono::seconds(0);
        auto ks = std::make_shared<keys::key_set>();
        ks->source = "RFC 7515 Appendix A";
        ks->keys.push_back(std::make_shared<const crypto::key>(std::move(*k)));
        p.keys.keys = std::move(ks);
        validate::trust t;
        t.providers.push_back(std::move(p));

        using std::chrono::seconds;
        using std::chrono::system_clock;
        const validate::decision before = validate::validate(v.token, t, system_clock::time_point(seconds(1300819379)));
        EXPECT_TRUE(before.accepted()) << before.rejected->hint;
        const validate::decision after = validate::validate(v.token, t, system_clock::time_point(seconds(1300819380)));
        ASSERT_FALSE(after.accepted());
        EXPECT_EQ(to_string(after.rejected->code), "expired") << after.rejected->hint;
    }
}

}  // namespace
}  // namespace tokengate::test
