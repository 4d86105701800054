#include "tokengate/keys/jwk.hpp"

#include "support/test_keys.hpp"
#include "tokengate/jose/base64url.hpp"
#include "tokengate/jose/json.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace tokengate::keys {
namespace {

using jose::curve;
using jose::key_family;

// Parses one JWK from JSON text (the test's own JSON is trusted, so RapidJSON directly).
result<crypto::key> jwk_of(const std::string& json) {
    rapidjson::Document doc;
    doc.Parse(json.c_str(), json.size());
    EXPECT_FALSE(doc.HasParseError()) << json;
    return parse_jwk(doc);
}

// The JWK text with one string member replaced (or added).
std::string with_member(const std::string& json, const char* name, const std::string& value) {
    rapidjson::Document doc;
    doc.Parse(json.c_str(), json.size());
    rapidjson::Value v(value.c_str(), static_cast<rapidjson::SizeType>(value.size()), doc.GetAllocator());
    if (doc.HasMember(name)) {
        doc[name] = v;
    } else {
        doc.AddMember(rapidjson::Value(name, doc.GetAllocator()), v, doc.GetAllocator());
    }
    return jose::to_json(doc);
}

// The decoded bytes of a base64url member of a JWK text.
std::string decoded_member(const std::string& json, const char* name) {
    rapidjson::Document doc;
    doc.Parse(json.c_str(), json.size());
    return jose::base64url_decode(doc[name].GetString()).bytes;
}

std::string oct_jwk(std::size_t secret_bytes, const std::string& extra = "") {
    return R"({"kty":"oct","kid":"h1","k":")" + jose::base64url_encode(std::string(secret_bytes, '\x5a')) + "\"" +
           (extra.empty() ? "" : "," + extra) + "}";
}

std::string jwks_of(std::initializer_list<std::string> jwks) {
    std::string out = R"({"keys":[)";
    for (const auto& j : jwks) out += (out.back() == '[' ? "" : ",") + j;
    return out + "]}";
}

// An RSA JWK becomes the same public key, with its kid.
TEST(JwkTest, RsaJwkParses) {
    const test::key_pair& pair = test::rsa_pair();

    const auto k = jwk_of(test::jwk_json(pair, "rsa-1"));

    ASSERT_TRUE(k) << k.error();
    EXPECT_EQ(k->family, key_family::rsa);
    EXPECT_EQ(k->bits, 2048);
    EXPECT_EQ(k->kid, "rsa-1");
    EXPECT_FALSE(k->alg.has_value());
    EXPECT_EQ(crypto::public_key_der(*k), crypto::public_key_der(*pair.pub));
}

// EC JWKs on P-256, P-384 and P-521 parse with their curve.
TEST(JwkTest, EcJwkParsesOnEachCurve) {
    for (curve crv : {curve::p256, curve::p384, curve::p521}) {
        const test::key_pair& pair = test::ec_pair(crv);

        const auto k = jwk_of(test::jwk_json(pair, "ec"));

        ASSERT_TRUE(k) << jose::to_string(crv) << ": " << k.error();
        EXPECT_EQ(k->family, key_family::ec);
        EXPECT_EQ(k->crv, crv);
        EXPECT_EQ(crypto::public_key_der(*k), crypto::public_key_der(*pair.pub)) << jose::to_string(crv);
    }
}

// OKP JWKs for Ed25519 and Ed448 parse with their curve.
TEST(JwkTest, OkpJwkParsesEd25519AndEd448) {
    for (curve crv : {curve::ed25519, curve::ed448}) {
        const test::key_pair& pair = test::okp_pair(crv);

        const auto k = jwk_of(test::jwk_json(pair, "ed"));

        ASSERT_TRUE(k) << jose::to_string(crv) << ": " << k.error();
        EXPECT_EQ(k->family, key_family::okp);
        EXPECT_EQ(k->crv, crv);
        EXPECT_EQ(crypto::public_key_der(*k), crypto::public_key_der(*pair.pub)) << jose::to_string(crv);
    }
}

// An oct JWK holds its secret bytes; an HS alg member of sufficient length restricts it.
TEST(JwkTest, OctJwkParsesWithSecretAndAlg) {
    const auto plain = jwk_of(oct_jwk(32));
    const auto hs512 = jwk_of(oct_jwk(64, R"("alg":"HS512")"));

    ASSERT_TRUE(plain) << plain.error();
    EXPECT_EQ(plain->family, key_family::oct);
    EXPECT_EQ(plain->secret, std::string(32, '\x5a'));
    EXPECT_EQ(plain->bits, 256);
    EXPECT_EQ(plain->kid, "h1");
    ASSERT_TRUE(hs512) << hs512.error();
    EXPECT_EQ(hs512->alg, jose::alg::hs512);
}

// A matching alg, use "sig" and key_ops containing "verify" are all accepted.
TEST(JwkTest, MatchingAlgUseAndKeyOpsAccepted) {
    const auto k = jwk_of(test::jwk_json(test::ec_pair(curve::p256), "ec",
                                         R"("alg":"ES256","use":"sig","key_ops":["verify"])"));
    ASSERT_TRUE(k) << k.error();
    EXPECT_EQ(k->alg, jose::alg::es256);
}

// RSA keys under 2048 bits are refused at load (SPEC §3).
TEST(JwkTest, Rsa1024Refused) {
    const auto k = jwk_of(test::jwk_json(test::rsa_pair(0, 1024), "weak"));
    ASSERT_FALSE(k);
    EXPECT_EQ(k.error(), "RSA key is 1024 bits; at least 2048 are required");
}

// A point off the curve is refused: invalid-curve attacks need one.
TEST(JwkTest, EcPointNotOnCurveRefused) {
    // Setup: flip one byte of y.
    const std::string good = test::jwk_json(test::ec_pair(curve::p256), "ec");
    std::string y = decoded_member(good, "y");
    y[5] = static_cast<char>(y[5] ^ 0x01);

    // Act
    const auto k = jwk_of(with_member(good, "y", jose::base64url_encode(y)));

    // Check
    ASSERT_FALSE(k);
    EXPECT_TRUE(k.error().starts_with("EC point is not on curve P-256")) << k.error();
}

// Coordinates must be exactly the field size: a short x (leading zero dropped) is refused.
TEST(JwkTest, EcWrongCoordinateLengthRefused) {
    const std::string good = test::jwk_json(test::ec_pair(curve::p384), "ec");
    const std::string x = decoded_member(good, "x");

    const auto k = jwk_of(with_member(good, "x", jose::base64url_encode(x.substr(1))));

    ASSERT_FALSE(k);
    EXPECT_EQ(k.error(), "EC P-384 coordinates must be 48 bytes each, got 47 and 48");
}

// An EC key must name an ECDSA curve; OKP must name an Edwards curve.
TEST(JwkTest, CurveOfWrongKindRefused) {
    const std::string ec = test::jwk_json(test::ec_pair(curve::p256), "ec");
    const std::string ed = test::jwk_json(test::okp_pair(curve::ed25519), "ed");

    const auto ec_on_ed = jwk_of(with_member(ec, "crv", "Ed25519"));
    const auto ed_on_p256 = jwk_of(with_member(ed, "crv", "P-256"));
    const auto secp256k1 = jwk_of(with_member(ec, "crv", "secp256k1"));

    ASSERT_FALSE(ec_on_ed);
    EXPECT_EQ(ec_on_ed.error(), "curve Ed25519 is not an EC curve");
    ASSERT_FALSE(ed_on_p256);
    EXPECT_EQ(ed_on_p256.error(), "OKP curve must be Ed25519 or Ed448");
    ASSERT_FALSE(secp256k1);
    EXPECT_EQ(secp256k1.error(), "unsupported curve \"secp256k1\"");
}

// A missing or non-base64url key member is named.
TEST(JwkTest, MissingOrBadKeyMemberNamed) {
    const auto no_e = jwk_of(R"({"kty":"RSA","n":"AQAB"})");
    const auto padded_n = jwk_of(R"({"kty":"RSA","n":"AQAB==","e":"AQAB"})");

    ASSERT_FALSE(no_e);
    EXPECT_EQ(no_e.error(), "member \"e\" is missing");
    ASSERT_FALSE(padded_n);
    EXPECT_EQ(padded_n.error(), "member \"n\" is not base64url: padding '=' at byte 4");
}

// use "enc" alone is refused (RFC 7517 §4.2): the key was published for encryption.
TEST(JwkTest, UseEncRefusedAlone) {
    const auto k = jwk_of(test::jwk_json(test::rsa_pair(), "enc-key", R"("use":"enc")"));
    ASSERT_FALSE(k);
    EXPECT_EQ(k.error(), "use is \"enc\", not \"sig\"");
}

// key_ops without "verify" is refused (RFC 7517 §4.3); a non-array key_ops too.
TEST(JwkTest, KeyOpsWithoutVerifyRefused) {
    const auto encrypt_only = jwk_of(test::jwk_json(test::rsa_pair(), "k", R"("key_ops":["encrypt","wrapKey"])"));
    const auto not_array = jwk_of(test::jwk_json(test::rsa_pair(), "k", R"("key_ops":"verify")"));

    ASSERT_FALSE(encrypt_only);
    EXPECT_EQ(encrypt_only.error(), "key_ops does not include \"verify\"");
    ASSERT_FALSE(not_array);
    EXPECT_EQ(not_array.error(), "member \"key_ops\" must be an array");
}

// An alg member that does not fit the key type or curve is refused.
TEST(JwkTest, AlgNotFittingKeyRefused) {
    const std::string ec = test::jwk_json(test::ec_pair(curve::p256), "ec");

    const auto rs256_on_ec = jwk_of(with_member(ec, "alg", "RS256"));
    const auto es384_on_p256 = jwk_of(with_member(ec, "alg", "ES384"));
    const auto unknown = jwk_of(with_member(ec, "alg", "ES256K"));

    ASSERT_FALSE(rs256_on_ec);
    EXPECT_EQ(rs256_on_ec.error(), "alg RS256 does not fit: key is EC P-256, RS256 needs an RSA key");
    ASSERT_FALSE(es384_on_p256);
    EXPECT_EQ(es384_on_p256.error(), "alg ES384 does not fit: key is EC P-256, ES384 needs curve P-384");
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error(), "alg \"ES256K\" is not a supported signature algorithm");
}

// An HS alg with a secret shorter than its hash output is refused (SPEC §3).
TEST(JwkTest, ShortHmacSecretForAlgRefused) {
    const auto hs256_16 = jwk_of(oct_jwk(16, R"("alg":"HS256")"));
    const auto hs512_32 = jwk_of(oct_jwk(32, R"("alg":"HS512")"));
    const auto hs256_32 = jwk_of(oct_jwk(32, R"("alg":"HS256")"));

    ASSERT_FALSE(hs256_16);
    EXPECT_EQ(hs256_16.error(), "secret is 16 bytes; HS256 needs at least 32");
    ASSERT_FALSE(hs512_32);
    EXPECT_EQ(hs512_32.error(), "secret is 32 bytes; HS512 needs at least 64");
    EXPECT_TRUE(hs256_32) << hs256_32.error();
}

// An empty k is refused: HMAC with no secret proves nothing.
TEST(JwkTest, EmptyOctSecretRefused) {
    const auto k = jwk_of(R"({"kty":"oct","k":""})");
    ASSERT_FALSE(k);
    EXPECT_EQ(k.error(), "member \"k\" is empty");
}

// An unknown or missing kty, a non-object and a non-string kid are refused.
TEST(JwkTest, UnsupportedKtyAndShapeErrorsRefused) {
    // Setup: jwk_json writes kid as a string; rewrite it as a number.
    rapidjson::Document kid_number;
    const std::string text = test::jwk_json(test::okp_pair(curve::ed25519), "a");
    kid_number.Parse(text.c_str(), text.size());
    kid_number["kid"].SetInt(7);
    rapidjson::Document array;
    array.Parse("[1]");

    // Act
    const auto unknown = jwk_of(R"({"kty":"XYZ","kid":"a"})");
    const auto missing = jwk_of(R"({"kid":"a"})");

    // Check
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error(), "unsupported kty \"XYZ\"");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error(), "member \"kty\" is missing or not a string");
    EXPECT_EQ(parse_jwk(array).error(), "a JWK must be a JSON object");
    EXPECT_EQ(parse_jwk(kid_number).error(), "member \"kid\" must be a string");
}

// A set keeps its good keys and lists each skipped one by index and kid.
TEST(JwkTest, SetWithBadAndGoodKeyKeepsGoodAndListsSkipped) {
    // Setup: key 0 is RSA-1024 ("weak"), key 1 is an encryption key, key 2 is fine.
    const std::string jwks = jwks_of({test::jwk_json(test::rsa_pair(0, 1024), "weak"),
                                      test::jwk_json(test::rsa_pair(), "enc", R"("use":"enc")"),
                                      test::jwk_json(test::ec_pair(curve::p256), "good")});

    // Act
    const auto r = parse_jwks(jwks, "jwks file test.json");

    // Check
    ASSERT_TRUE(r) << r.error();
    ASSERT_EQ(r->set.keys.size(), 1u);
    EXPECT_EQ(r->set.keys[0]->kid, "good");
    EXPECT_EQ(r->set.keys[0]->origin, "jwks file test.json");
    EXPECT_EQ(r->set.source, "jwks file test.json");
    ASSERT_EQ(r->skipped.size(), 2u);
    EXPECT_EQ(r->skipped[0], "key 0 (kid \"weak\"): RSA key is 1024 bits; at least 2048 are required");
    EXPECT_EQ(r->skipped[1], "key 1 (kid \"enc\"): use is \"enc\", not \"sig\"");
    EXPECT_NE(r->set.find("good"), nullptr);
    EXPECT_EQ(r->set.find("weak"), nullptr);
}

// Two keys with one kid: the first is kept, the second listed as a duplicate.
TEST(JwkTest, DuplicateKidKeepsFirst) {
    const std::string jwks = jwks_of({test::jwk_json(test::rsa_pair(), "same"),
                                      test::jwk_json(test::ec_pair(curve::p256), "same")});

    const auto r = parse_jwks(jwks, "test");

    ASSERT_TRUE(r) << r.error();
    ASSERT_EQ(r->set.keys.size(), 1u);
    EXPECT_EQ(r->set.keys[0]->family, key_family::rsa);
    EXPECT_EQ(r->skipped, std::vector<std::string>{"key 1 (kid \"same\"): duplicate kid, first one kept"});
}

// Keys without kid are all kept (there is nothing to be ambiguous about).
TEST(JwkTest, KeysWithoutKidAllKept) {
    const std::string first = jose::base64url_encode(std::string(32, 'a'));
    const std::string second = jose::base64url_encode(std::string(32, 'b'));
    const std::string jwks = jwks_of({R"({"kty":"oct","k":")" + first + "\"}", R"({"kty":"oct","k":")" + second + "\"}"});

    const auto r = parse_jwks(jwks, "test");

    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->set.keys.size(), 2u);
    EXPECT_EQ(r->set.kids(), (std::vector<std::string>{"(no kid)", "(no kid)"}));
}

// An empty set, or one whose keys are all bad, fails with "no usable key" and the reasons.
TEST(JwkTest, NoUsableKeyFails) {
    const auto empty = parse_jwks(R"({"keys":[]})", "test");
    const auto all_bad = parse_jwks(jwks_of({R"({"kty":"XYZ","kid":"x"})"}), "test");

    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error(), "JWKS holds no usable key");
    ASSERT_FALSE(all_bad);
    EXPECT_EQ(all_bad.error(), "JWKS holds no usable key; key 0 (kid \"x\"): unsupported kty \"XYZ\"");
}

// A document that is not JSON fails with the parser's reason and byte.
TEST(JwkTest, NotJsonFails) {
    const auto html = parse_jwks("<html>502 Bad Gateway</html>", "https://idp.example/jwks");
    const auto cut = parse_jwks(R"({"keys":[{"kty":"RSA")", "test");

    ASSERT_FALSE(html);
    EXPECT_EQ(html.error(), "JWKS is not a JSON object: not JSON at byte 0 (Invalid value.)");
    ASSERT_FALSE(cut);
    EXPECT_EQ(cut.error(), "JWKS is not a JSON object: truncated JSON at byte 21 (ends mid-way)");
}

// "keys" must be an array; an object with neither keys nor kty is not a JWKS.
TEST(JwkTest, KeysNotArrayFails) {
    const auto object = parse_jwks(R"({"keys":{"kty":"oct","k":"AAAA"}})", "test");
    const auto neither = parse_jwks(R"({"issuer":"https://idp.example"})", "test");

    ASSERT_FALSE(object);
    EXPECT_EQ(object.error(), "JWKS member \"keys\" must be an array");
    ASSERT_FALSE(neither);
    EXPECT_EQ(neither.error(), "JWKS has no \"keys\" array");
}

// A single JWK object (not wrapped in a set) is accepted as a one-key set.
TEST(JwkTest, SingleJwkObjectAccepted) {
    const auto r = parse_jwks(test::jwk_json(test::okp_pair(curve::ed25519), "solo"), "test");

    ASSERT_TRUE(r) << r.error();
    ASSERT_EQ(r->set.keys.size(), 1u);
    EXPECT_EQ(r->set.keys[0]->kid, "solo");
    EXPECT_TRUE(r->skipped.empty());
}

// A document over 1 MiB is refused before parsing; exactly 1 MiB is parsed.
TEST(JwkTest, DocumentOverOneMebibyteRefused) {
    // Setup: a valid set padded with JSON whitespace to the exact sizes.
    const std::string body = jwks_of({test::jwk_json(test::okp_pair(curve::ed25519), "a")});
    const std::string at_limit = body + std::string(max_jwks_bytes - body.size(), ' ');
    const std::string over = at_limit + " ";

    // Act
    const auto ok = parse_jwks(at_limit, "test");
    const auto big = parse_jwks(over, "test");

    // Check
    EXPECT_TRUE(ok) << ok.error();
    ASSERT_FALSE(big);
    EXPECT_EQ(big.error(), "JWKS is 1048577 bytes; the limit is 1048576");
}

// Duplicate member names in a JWKS are refused like in a token header.
TEST(JwkTest, DuplicateMemberInJwksRefused) {
    const auto r = parse_jwks(R"({"keys":[{"kty":"oct","k":"AAAA","k":"BBBB"}]})", "test");
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().starts_with("JWKS is not a JSON object: duplicate member name")) << r.error();
    EXPECT_TRUE(r.error().ends_with("(k)")) << r.error();
}

}  // namespace
}  // namespace tokengate::keys
