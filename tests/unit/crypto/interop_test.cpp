// Tokens signed by an independent implementation (PyJWT on python3-cryptography), made
// by scripts/make-interop-fixtures.py into tests/data/interop/. tests/support signs with
// the same OpenSSL calls tokengate verifies with, so an encoding mistake shared by both
// (r||s padding, PSS salt length, base64url of a leading zero) would pass every
// self-made token; these fixtures catch it.
#include "tokengate/validate/validator.hpp"

#include "tokengate/keys/jwk.hpp"
#include "tokengate/keys/secret.hpp"
#include "tokengate/validate/policy.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace tokengate::test {
namespace {

using jose::alg;

const std::string interop_dir = std::string(TOKENGATE_TEST_DATA_DIR) + "/interop/";

// One fixture token and the outcome tokengate must reach.
struct interop_token {
    std::string name;
    std::string alg;
    std::string token;
    std::string expected;  // "accepted" or a reason code
};

// The fixture set: tokens.json plus the policy values the script signed with.
struct interop_fixtures {
    std::string issuer;
    std::string hmac_issuer;
    std::string audience;
    std::int64_t now = 0;
    std::vector<interop_token> tokens;
};

std::string read_fixture(const std::string& name) {
    auto text = keys::read_file(interop_dir + name, 1024 * 1024);
    if (!text) ADD_FAILURE() << text.error();
    return text ? *text : std::string();
}

std::string member(const rapidjson::Value& obj, const char* name) {
    const auto it = obj.FindMember(name);
    if (it == obj.MemberEnd() || !it->value.IsString()) {
        ADD_FAILURE() << "tokens.json: member " << name << " missing or not a string";
        return {};
    }
    return {it->value.GetString(), it->value.GetStringLength()};
}

interop_fixtures load_fixtures() {
    interop_fixtures f;
    const std::string text = read_fixture("tokens.json");
    rapidjson::Document doc;
    doc.Parse(text.data(), text.size());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("tokens") || !doc["tokens"].IsArray() ||
        !doc.HasMember("now") || !doc["now"].IsInt64()) {
        ADD_FAILURE() << "tokens.json is not the shape make-interop-fixtures.py writes";
        return f;
    }
    f.issuer = member(doc, "issuer");
    f.hmac_issuer = member(doc, "hmac_issuer");
    f.audience = member(doc, "audience");
    f.now = doc["now"].GetInt64();
    for (const auto& t : doc["tokens"].GetArray())
        f.tokens.push_back({member(t, "name"), member(t, "alg"), member(t, "token"), member(t, "expected")});
    return f;
}

validate::provider base_provider(std::string name, std::string issuer, std::string audience) {
    validate::provider p;
    p.name = std::move(name);
    p.issuer = std::move(issuer);
    p.audiences = {std::move(audience)};
    return p;
}

// Two providers, told apart by iss, so HS and asymmetric algorithms never share a
// whitelist (SPEC §5 warns about that mix: it is the algorithm-confusion setup).
validate::trust interop_trust(const interop_fixtures& f) {
    validate::trust t;

    validate::provider asym = base_provider("interop", f.issuer, f.audience);
    asym.algorithms = {alg::rs256, alg::rs384, alg::rs512, alg::ps256, alg::ps384,
                       alg::ps512, alg::es256, alg::es384, alg::es512, alg::eddsa};
    auto jwks = keys::parse_jwks(read_fixture("jwks.json"), "jwks file interop/jwks.json");
    if (jwks) {
        EXPECT_TRUE(jwks->skipped.empty()) << jwks->skipped.front();
        asym.keys.keys = std::make_shared<const keys::key_set>(std::move(jwks->set));
    } else {
        ADD_FAILURE() << "interop/jwks.json: " << jwks.error();
    }
    t.providers.push_back(std::move(asym));

    validate::provider hs = base_provider("interop-hmac", f.hmac_issuer, f.audience);
    hs.algorithms = {alg::hs256, alg::hs384, alg::hs512};
    auto secret = keys::read_secret_file(interop_dir + "hmac.secret");
    if (secret) {
        auto ks = std::make_shared<keys::key_set>();
        ks->source = "secret file interop/hmac.secret";
        ks->keys.push_back(std::make_shared<const crypto::key>(crypto::make_hmac_key(std::move(*secret))));
        hs.keys.keys = std::move(ks);
    } else {
        ADD_FAILURE() << secret.error();
    }
    t.providers.push_back(std::move(hs));
    return t;
}

// The hint tokengate owes each kind of rejection in the fixtures (SPEC §7).
std::string expected_hint(const interop_token& t) {
    if (t.expected == "alg_not_allowed")
        return "verifies with the provider's RSA-2048 public key \"rsa-2048\" used as the HMAC secret: an "
               "algorithm-confusion attack";
    if (t.alg.rfind("HS", 0) == 0) return "the issuer signed with a different secret";
    return "signed by a different key than the one with this kid";
}

class InteropTest : public ::testing::Test {
protected:
    interop_fixtures f_ = load_fixtures();
    validate::trust t_ = interop_trust(f_);
    std::chrono::system_clock::time_point now_{std::chrono::seconds(f_.now)};
};

// The key and secret files load completely: five public keys with the script's kids.
TEST_F(InteropTest, FixtureKeysLoadWithTheirKids) {
    ASSERT_EQ(t_.providers.size(), 2u);
    ASSERT_TRUE(t_.providers[0].keys.keys);
    EXPECT_EQ(t_.providers[0].keys.keys->kids(),
              (std::vector<std::string>{"rsa-2048", "ec-p256", "ec-p384", "ec-p521", "ed25519"}));
    ASSERT_TRUE(t_.providers[1].keys.keys);
    EXPECT_EQ(t_.providers[1].keys.keys->keys.front()->bits, 512);
    for (const auto& p : t_.providers) EXPECT_TRUE(validate::check_provider(p).errors.empty()) << p.name;
}

// Every algorithm tokengate supports appears among PyJWT's accepted tokens.
TEST_F(InteropTest, FixturesCoverEveryAlgorithm) {
    std::set<std::string> accepted_algs;
    for (const auto& t : f_.tokens)
        if (t.expected == "accepted") accepted_algs.insert(t.alg);
    for (alg a : {alg::hs256, alg::hs384, alg::hs512, alg::rs256, alg::rs384, alg::rs512, alg::ps256,
                  alg::ps384, alg::ps512, alg::es256, alg::es384, alg::es512, alg::eddsa})
        EXPECT_EQ(accepted_algs.count(std::string(jose::to_string(a))), 1u) << jose::to_string(a);
}

// Every PyJWT token reaches its recorded outcome, with the exact reason and its hint.
TEST_F(InteropTest, PyJwtTokensReachTheirExpectedOutcome) {
    ASSERT_GE(f_.tokens.size(), 14u);
    int accepted = 0;
    int rejected = 0;
    for (const auto& t : f_.tokens) {
        SCOPED_TRACE(t.name);
        const validate::decision d = validate::validate(t.token, t_, now_);
        if (t.expected == "accepted") {
            ASSERT_TRUE(d.accepted()) << to_string(d.rejected->code) << ": " << d.rejected->hint;
            EXPECT_TRUE(d.signature_checked);
            EXPECT_EQ(d.ev.alg, t.alg);
            EXPECT_EQ(d.ev.provider, t.alg.rfind("HS", 0) == 0 ? "interop-hmac" : "interop");
            ++accepted;
            continue;
        }
        ASSERT_TRUE(parse_reason(t.expected).has_value()) << "unknown reason in tokens.json: " << t.expected;
        ASSERT_FALSE(d.accepted());
        EXPECT_EQ(to_string(d.rejected->code), t.expected) << d.rejected->hint;
        EXPECT_NE(d.rejected->hint.find(expected_hint(t)), std::string::npos) << d.rejected->hint;
        ++rejected;
    }
    EXPECT_EQ(accepted + rejected, static_cast<int>(f_.tokens.size()));
    std::cout << "[ interop  ] " << f_.tokens.size() << " PyJWT tokens: " << accepted << " accepted, " << rejected
              << " rejected as expected\n";
}

// Each accepted PyJWT token fails once its first signature byte changes.
TEST_F(InteropTest, AcceptedTokensFailWithAnyAlteredSignatureByte) {
    // So the accepts above come from the signature, not from a check that was skipped.
    for (const auto& t : f_.tokens) {
        if (t.expected != "accepted") continue;
        SCOPED_TRACE(t.name);
        const auto dot = t.token.rfind('.');
        ASSERT_NE(dot, std::string::npos);
        // The first character of the segment is never its last, so any other digit keeps
        // the base64url canonical and changes only signature bytes.
        std::string forged = t.token;
        char& c = forged[dot + 1];
        c = c == 'A' ? 'Q' : 'A';
        const validate::decision d = validate::validate(forged, t_, now_);
        ASSERT_FALSE(d.accepted());
        EXPECT_EQ(to_string(d.rejected->code), "bad_signature") << d.rejected->hint;
    }
}

// A P-521 JWK as PyJWT 2.6 writes it (a 65-byte coordinate) is refused, naming the sizes.
TEST(InteropJwkTest, PyJwtShortEcCoordinateIsRefusedWithSizes) {
    // PyJWT 2.6 drops leading zero bytes of EC coordinates; RFC 7518 §6.2.1.2 requires the
    // full size and tokengate holds to it (see the report: an interop decision to make).
    const auto text = keys::read_file(interop_dir + "pyjwt-short-coordinate.jwks.json", 64 * 1024);
    ASSERT_TRUE(text) << text.error();
    const auto jwks = keys::parse_jwks(*text, "pyjwt-short-coordinate.jwks.json");
    ASSERT_FALSE(jwks);
    EXPECT_NE(jwks.error().find("kid \"pyjwt-short\""), std::string::npos) << jwks.error();
    EXPECT_NE(jwks.error().find("EC P-521 coordinates must be 66 bytes each"), std::string::npos) << jwks.error();
}

}  // namespace
}  // namespace tokengate::test
