#include "tokengate/validate/validator.hpp"

#include "support/test_keys.hpp"
#include "support/token_builder.hpp"
#include "tokengate/jose/base64url.hpp"
#include "tokengate/jose/json.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <string>
#include <utility>

namespace tokengate::validate {
namespace {

using jose::alg;
using std::chrono::seconds;
using std::chrono::system_clock;

constexpr std::int64_t now_s = 1'800'000'000;  // 2027-01-15T08:00:00Z
const system_clock::time_point now{seconds(now_s)};
const std::string issuer = "https://idp.example.com/";
const std::string audience = "api://orders";
const std::string rs256_header = R"({"alg":"RS256","typ":"JWT","kid":"k1"})";

// A JSON object with `patch`'s members set over `base`'s; a member patched to the
// string "<delete>" is removed. Keeps each test's token readable as a one-line diff.
std::string patched(const std::string& base, const std::string& patch) {
    rapidjson::Document b, p;
    b.Parse(base.c_str());
    p.Parse(patch.c_str());
    for (const auto& m : std::as_const(p).GetObject()) {
        b.RemoveMember(m.name);
        if (m.value.IsString() && std::string(m.value.GetString()) == "<delete>") continue;
        b.AddMember(rapidjson::Value(m.name, b.GetAllocator()), rapidjson::Value(m.value, b.GetAllocator()),
                    b.GetAllocator());
    }
    return jose::to_json(b);
}

// {"iss":issuer,"aud":audience,"sub":"user-1","iat":now-60,"exp":now+600} with a patch.
std::string claims(const std::string& patch = "{}") {
    const std::string base = R"({"iss":")" + issuer + R"(","aud":")" + audience + R"(","sub":"user-1","iat":)" +
                             std::to_string(now_s - 60) + R"(,"exp":)" + std::to_string(now_s + 600) + "}";
    return patched(base, patch);
}

std::string rs256(const std::string& payload, const std::string& header = rs256_header, int key_index = 0) {
    return test::make_token(header, payload, alg::rs256, test::rsa_pair(key_index).priv.get());
}

provider rsa_provider() {
    provider p;
    p.name = "main";
    p.issuer = issuer;
    p.audiences = {audience};
    p.algorithms = {alg::rs256};
    p.keys.keys = test::key_set_of({test::with_kid(*test::rsa_pair(0).pub, "k1"),
                                    test::with_kid(*test::rsa_pair(2).pub, "k2")});
    return p;
}

trust trust_of(provider p) {
    trust t;
    t.providers.push_back(std::move(p));
    return t;
}

// Asserts the exact reason and that the hint contains `fragment`.
void expect_rejected(const decision& d, reason r, const std::string& fragment) {
    ASSERT_FALSE(d.accepted()) << "expected " << to_string(r);
    EXPECT_EQ(to_string(d.rejected->code), to_string(r)) << "hint: " << d.rejected->hint;
    EXPECT_NE(d.rejected->hint.find(fragment), std::string::npos)
        << "hint \"" << d.rejected->hint << "\" lacks \"" << fragment << "\"";
}

class ValidatorTest : public ::testing::Test {
protected:
    trust t_ = trust_of(rsa_provider());

    decision check(const std::string& token, const route_policy* route = nullptr) {
        return validate(token, t_, now, route);
    }
};

// A well-formed RS256 token from the configured issuer is accepted with its evidence.
TEST_F(ValidatorTest, ValidRs256TokenAccepted) {
    const decision d = check(rs256(claims()));
    ASSERT_TRUE(d.accepted()) << d.rejected->hint;
    EXPECT_TRUE(d.signature_checked);
    EXPECT_EQ(d.ev.provider, "main");
    EXPECT_EQ(d.ev.kid, "k1");
    EXPECT_EQ(d.ev.sub, "user-1");
    EXPECT_EQ(d.ev.token_fp.size(), 12u);
    EXPECT_EQ(d.ev.leeway_s, 30);
}

// --- time claims: exp/nbf/iat at the leeway boundary, with an injected clock -------

// exp is accepted until now < exp + leeway and rejected from exp + leeway on.
TEST_F(ValidatorTest, ExpAtLeewayBoundary) {
    EXPECT_TRUE(check(rs256(claims(R"({"exp":)" + std::to_string(now_s - 29) + "}"))).accepted());
    expect_rejected(check(rs256(claims(R"({"exp":)" + std::to_string(now_s - 30) + "}"))), reason::expired,
                    "expired 30s ago");
    expect_rejected(check(rs256(claims(R"({"exp":)" + std::to_string(now_s - 31) + "}"))), reason::expired,
                    "leeway 30 s");
}

// An expiry minutes ago names the age, exp, now and leeway in the hint.
TEST_F(ValidatorTest, ExpiredMinutesAgoNamesTimes) {
    const decision d = check(rs256(claims(R"({"exp":)" + std::to_string(now_s - 192) + "}")));
    expect_rejected(d, reason::expired, "expired 3m12s ago (exp 2027-01-15T07:56:48Z, now 2027-01-15T08:00:00Z, leeway 30 s)");
    EXPECT_EQ(d.rejected->hint.find("clock skew"), std::string::npos);
}

// Expiring just past the leeway suggests clock skew; long past does not.
TEST_F(ValidatorTest, ExpiredJustPastLeewaySuggestsClockSkew) {
    expect_rejected(check(rs256(claims(R"({"exp":)" + std::to_string(now_s - 40) + "}"))), reason::expired,
                    "expired only 10 s past the leeway: clock skew between issuer and this host?");
}

// nbf inside the leeway is fine; beyond it is not_yet_valid with the NTP hint.
TEST_F(ValidatorTest, NbfInFutureBeyondLeeway) {
    EXPECT_TRUE(check(rs256(claims(R"({"nbf":)" + std::to_string(now_s + 30) + "}"))).accepted());
    expect_rejected(check(rs256(claims(R"({"nbf":)" + std::to_string(now_s + 31) + "}"))), reason::not_yet_valid,
                    "nbf 31s in the future");
    expect_rejected(check(rs256(claims(R"({"nbf":)" + std::to_string(now_s + 90) + "}"))), reason::not_yet_valid,
                    "issuer's clock ahead? check NTP or raise leeway");
}

// iat in the future beyond the leeway is issued_in_future with the NTP hint.
TEST_F(ValidatorTest, IatInFutureBeyondLeeway) {
    EXPECT_TRUE(check(rs256(claims(R"({"iat":)" + std::to_string(now_s + 30) + "}"))).accepted());
    expect_rejected(check(rs256(claims(R"({"iat":)" + std::to_string(now_s + 31) + "}"))), reason::issued_in_future,
                    "iat 31s in the future");
    expect_rejected(check(rs256(claims(R"({"iat":)" + std::to_string(now_s + 120) + "}"))),
                    reason::issued_in_future, "issuer's clock ahead? check NTP or raise leeway");
}

// A date days ahead is reported without blaming the clock.
TEST_F(ValidatorTest, NbfDaysAheadDoesNotBlameClock) {
    const decision d = check(rs256(claims(R"({"nbf":)" + std::to_string(now_s + 3 * 86400) + "}")));
    expect_rejected(d, reason::not_yet_valid, "nbf 3d in the future");
    EXPECT_EQ(d.rejected->hint.find("NTP"), std::string::npos);
}

// exp in milliseconds is a mistake, not a token that never expires.
TEST_F(ValidatorTest, ExpInMillisecondsIsInvalidClaim) {
    expect_rejected(check(rs256(claims(R"({"exp":1800000600000})"))), reason::invalid_claim,
                    "exp is in milliseconds (value ≈ 1.80e+12): use seconds");
    expect_rejected(check(rs256(claims(R"({"iat":1799999940000})"))), reason::invalid_claim, "iat is in milliseconds");
}

// Non-numeric time claims are invalid_claim naming the type.
TEST_F(ValidatorTest, ExpAsStringIsInvalidClaim) {
    expect_rejected(check(rs256(claims(R"({"exp":"1800000600"})"))), reason::invalid_claim,
                    "exp is a string, must be a number");
    expect_rejected(check(rs256(claims(R"({"nbf":true})"))), reason::invalid_claim, "nbf is a boolean, must be a number");
}

// Fractional NumericDates are numbers in seconds and compare as such.
TEST_F(ValidatorTest, FractionalExpAccepted) {
    EXPECT_TRUE(check(rs256(claims(R"({"exp":)" + std::to_string(now_s + 10) + ".5}"))).accepted());
}

// exp is required by default and may be made optional per provider.
TEST_F(ValidatorTest, MissingExpIsMissingClaimUnlessOptional) {
    expect_rejected(check(rs256(claims(R"({"exp":"<delete>"})"))), reason::missing_claim, "exp is required");
    t_.providers[0].require_exp = false;
    EXPECT_TRUE(check(rs256(claims(R"({"exp":"<delete>"})"))).accepted());
}

// Leeway is per provider.
TEST_F(ValidatorTest, LeewayIsPerProvider) {
    t_.providers[0].leeway = seconds(0);
    expect_rejected(check(rs256(claims(R"({"exp":)" + std::to_string(now_s) + "}"))), reason::expired, "leeway 0 s");
}

// --- issuer ------------------------------------------------------------------------

// An issuer differing by a trailing slash is named as such.
TEST_F(ValidatorTest, IssuerTrailingSlash) {
    expect_rejected(check(rs256(claims(R"({"iss":"https://idp.example.com"})"))), reason::bad_issuer,
                    "differs only by a trailing slash");
}

// Scheme or case differences are named as such.
TEST_F(ValidatorTest, IssuerSchemeOrCase) {
    expect_rejected(check(rs256(claims(R"({"iss":"http://idp.example.com/"})"))), reason::bad_issuer,
                    "differs only in scheme/case");
    expect_rejected(check(rs256(claims(R"({"iss":"https://IDP.example.com/"})"))), reason::bad_issuer,
                    "differs only in scheme/case");
}

// An issuer of another stage is recognised.
TEST_F(ValidatorTest, IssuerOfAnotherStage) {
    t_.providers[0].issuer = "https://prod-acme.eu.auth0.com/";
    expect_rejected(check(rs256(claims(R"({"iss":"https://dev-acme.eu.auth0.com/"})"))), reason::bad_issuer,
                    "matches the configured issuer of another stage: token from \"dev\"");
}

// An unrelated issuer gets the nearest configured one.
TEST_F(ValidatorTest, IssuerUnknownNamesNearest) {
    provider second = rsa_provider();
    second.name = "partner";
    second.issuer = "https://login.partner.org";
    t_.providers.push_back(second);
    expect_rejected(check(rs256(claims(R"({"iss":"https://login.partner.com"})"))), reason::bad_issuer,
                    "nearest configured issuer: \"https://login.partner.org\"");
}

// A token without iss is bad_issuer naming the expected one.
TEST_F(ValidatorTest, IssuerMissing) {
    expect_rejected(check(rs256(claims(R"({"iss":"<delete>"})"))), reason::bad_issuer,
                    "token has no iss; expected \"https://idp.example.com/\"");
}

// iss of the wrong type is invalid_claim.
TEST_F(ValidatorTest, IssuerWrongType) {
    expect_rejected(check(rs256(claims(R"({"iss":42})"))), reason::invalid_claim, "iss is a number, must be a string");
}

// iss selects among several providers, each with its own keys.
TEST_F(ValidatorTest, IssuerSelectsProvider) {
    provider partner = rsa_provider();
    partner.name = "partner";
    partner.issuer = "https://partner.example.org/";
    partner.keys.keys = test::key_set_of({test::with_kid(*test::rsa_pair(1).pub, "p1")});
    t_.providers.push_back(partner);
    const std::string header = R"({"alg":"RS256","kid":"p1"})";
    const decision d = check(rs256(claims(R"({"iss":"https://partner.example.org/"})"), header, 1));
    ASSERT_TRUE(d.accepted()) << d.rejected->hint;
    EXPECT_EQ(d.ev.provider, "partner");
    // The same kid under the main issuer is unknown there, and the hint says whose it is.
    expect_rejected(check(rs256(claims(), header, 1)), reason::unknown_kid, "that kid belongs to provider partner");
}

// A route that does not accept the token's provider rejects it as bad_issuer.
TEST_F(ValidatorTest, RouteRestrictsProviders) {
    route_policy route;
    route.providers = {"someone-else"};
    expect_rejected(check(rs256(claims()), &route), reason::bad_issuer,
                    "iss belongs to provider main, which this route does not accept");
}

// --- audience ----------------------------------------------------------------------

// aud equal to the token's azp is confirmed as a client id mix-up.
TEST_F(ValidatorTest, AudienceIsClientIdConfirmed) {
    const decision d = check(rs256(claims(R"({"aud":"0oa1b2c3d4e5f6g7h8i9","azp":"0oa1b2c3d4e5f6g7h8i9"})")));
    expect_rejected(d, reason::bad_audience, "aud is set to the OAuth client id (confirmed); request the token with audience=api://orders");
    EXPECT_NE(d.rejected->hint.find(R"(got ["0oa1b2c3d4e5f6g7h8i9"])"), std::string::npos);
}

// A client-id shaped aud (GUID) is named as a likely client id.
TEST_F(ValidatorTest, AudienceLooksLikeClientId) {
    expect_rejected(check(rs256(claims(R"({"aud":"6f1c2a9e-3b7d-4c1e-9f2a-8d7e6c5b4a39"})"))), reason::bad_audience,
                    "aud looks like an OAuth client id; request the token with audience=api://orders");
}

// Another audience lists expected and got, and does not guess.
TEST_F(ValidatorTest, AudienceMismatchListsBoth) {
    const decision d = check(rs256(claims(R"({"aud":["api://billing","api://users"]})")));
    expect_rejected(d, reason::bad_audience, R"(expected one of ["api://orders"], got ["api://billing", "api://users"])");
    EXPECT_EQ(d.rejected->hint.find("client id"), std::string::npos);
}

// Any of several aud values matching is enough.
TEST_F(ValidatorTest, AudienceArrayAnyMatch) {
    EXPECT_TRUE(check(rs256(claims(R"({"aud":["other","api://orders"]})"))).accepted());
}

// A missing aud is rejected when audiences are configured.
TEST_F(ValidatorTest, AudienceMissing) {
    expect_rejected(check(rs256(claims(R"({"aud":"<delete>"})"))), reason::bad_audience,
                    "token has no aud; expected one of api://orders");
}

// aud differing by a trailing slash is named.
TEST_F(ValidatorTest, AudienceTrailingSlash) {
    t_.providers[0].audiences = {"https://api.example.com/"};
    expect_rejected(check(rs256(claims(R"({"aud":"https://api.example.com"})"))), reason::bad_audience,
                    "differs only by a trailing slash");
}

// aud of the wrong type is invalid_claim.
TEST_F(ValidatorTest, AudienceWrongType) {
    expect_rejected(check(rs256(claims(R"({"aud":[1,2]})"))), reason::invalid_claim,
                    "aud is an array, must be a string or an array of strings");
}

// Audience checking can be disabled explicitly.
TEST_F(ValidatorTest, AudienceCheckDisabled) {
    t_.providers[0].check_audience = false;
    EXPECT_TRUE(check(rs256(claims(R"({"aud":"whatever"})"))).accepted());
}

// --- algorithm ---------------------------------------------------------------------

// An HS256 token at an RS256 provider is flagged as possible algorithm confusion.
TEST_F(ValidatorTest, HsTokenAtRsProviderIsConfusion) {
    const std::string token = test::make_hmac_token(R"({"alg":"HS256","kid":"k1"})", claims(), alg::hs256,
                                                    std::string(32, 'x'));
    expect_rejected(check(token), reason::alg_not_allowed,
                    "token alg HS256 but provider expects RS256: possible algorithm-confusion attack");
}

// The classic RS→HS attack (HMAC keyed with the public key PEM) is confirmed.
TEST_F(ValidatorTest, AlgorithmConfusionWithPublicKeyConfirmed) {
    const std::string pem = test::public_pem(test::rsa_pair(0));
    const std::string token = test::make_hmac_token(R"({"alg":"HS256","kid":"k1"})", claims(), alg::hs256, pem);
    expect_rejected(check(token), reason::alg_not_allowed,
                    "confirmed: the HS256 signature verifies with the provider's RSA-2048 public key \"k1\" used as "
                    "the HMAC secret: an algorithm-confusion attack");
}

// Same attack with the PEM's trailing newline removed is also confirmed.
TEST_F(ValidatorTest, AlgorithmConfusionTrimmedPemConfirmed) {
    std::string pem = test::public_pem(test::rsa_pair(0));
    while (pem.back() == '\n') pem.pop_back();
    const std::string token = test::make_hmac_token(R"({"alg":"HS512"})", claims(), alg::hs512, pem);
    expect_rejected(check(token), reason::alg_not_allowed, "confirmed");
}

// An asymmetric alg outside the whitelist names the whitelist.
TEST_F(ValidatorTest, AlgOutsideWhitelist) {
    const std::string token = test::make_token(R"({"alg":"PS256","kid":"k1"})", claims(), alg::ps256,
                                               test::rsa_pair(0).priv.get());
    expect_rejected(check(token), reason::alg_not_allowed, R"(token alg PS256 is not in provider main's whitelist ["RS256"])");
}

// alg none is refused whatever its case, before the issuer is looked at.
TEST_F(ValidatorTest, AlgNoneNeverAccepted) {
    for (const char* a : {"none", "None", "NONE", "nOnE"}) {
        const std::string token = test::signing_input(std::string(R"({"alg":")") + a + "\"}", claims()) + ".";
        expect_rejected(check(token), reason::alg_not_allowed, "alg none is never accepted");
        const std::string bad_iss = test::signing_input(std::string(R"({"alg":")") + a + "\"}",
                                                        claims(R"({"iss":"https://evil/"})")) + ".";
        expect_rejected(check(bad_iss), reason::alg_not_allowed, "alg none is never accepted");
    }
}

// --- keys --------------------------------------------------------------------------

// An unknown kid lists the set's kids.
TEST_F(ValidatorTest, UnknownKidListsKeys) {
    expect_rejected(check(rs256(claims(), R"({"alg":"RS256","kid":"rotated-9"})")), reason::unknown_kid,
                    R"(token kid "rotated-9"; keys have ["k1", "k2"])");
}

// For a fetched set the hint says when it was refetched and suggests rotation.
TEST_F(ValidatorTest, UnknownKidAfterRefetchSuggestsRotation) {
    auto ks = std::make_shared<keys::key_set>(*t_.providers[0].keys.keys);
    ks->fetched_at = now - seconds(12);
    t_.providers[0].keys.keys = ks;
    expect_rejected(check(rs256(claims(), R"({"alg":"RS256","kid":"new"})")), reason::unknown_kid,
                    R"(token kid "new"; JWKS has ["k1", "k2"]; refetched 12 s ago: key rotation at the issuer?)");
}

// Without kid, compatible keys are tried in turn.
TEST_F(ValidatorTest, NoKidTriesCompatibleKeys) {
    const decision d = check(test::make_token(R"({"alg":"RS256"})", claims(), alg::rs256, test::rsa_pair(2).priv.get()));
    EXPECT_TRUE(d.accepted()) << d.rejected->hint;
}

// Without kid and without any key fitting the alg: unknown_kid naming the keys.
TEST_F(ValidatorTest, NoKidNoCompatibleKey) {
    t_.providers[0].algorithms = {alg::rs256, alg::es256};
    const auto& ec = test::ec_pair(jose::curve::p256);
    const std::string token = test::make_token(R"({"alg":"ES256"})", claims(), alg::es256, ec.priv.get());
    expect_rejected(check(token), reason::unknown_kid, "token has no kid and no key of test key set fits ES256");
}

// A kid pointing at a key of another type is refused, never used across families.
TEST_F(ValidatorTest, KidOfWrongKeyType) {
    t_.providers[0].algorithms = {alg::rs256, alg::es256};
    const auto& ec = test::ec_pair(jose::curve::p256);
    const std::string token = test::make_token(R"({"alg":"ES256","kid":"k1"})", claims(), alg::es256, ec.priv.get());
    expect_rejected(check(token), reason::bad_signature, "key \"k1\" cannot verify ES256: key is RSA-2048, ES256 needs an EC P-256 key");
}

// A provider without keys yet answers keys_unavailable with the fetch error.
TEST_F(ValidatorTest, KeysUnavailableNamesFetchError) {
    t_.providers[0].keys.keys = nullptr;
    t_.providers[0].keys.failing_error = "connect: connection refused";
    t_.providers[0].keys.failing_since = now - seconds(300);
    expect_rejected(check(rs256(claims())), reason::keys_unavailable,
                    "JWKS fetch failing since 2027-01-15T07:55:00Z: connect: connection refused");
}

// --- signature ---------------------------------------------------------------------

// A token signed by another key under the same kid names the likely causes.
TEST_F(ValidatorTest, SignedByDifferentKey) {
    expect_rejected(check(rs256(claims(), rs256_header, 1)), reason::bad_signature,
                    "signed by a different key than the one with this kid: another tenant or stage, or the token was altered");
}

// An altered payload fails the signature, and is never reported as expired.
TEST_F(ValidatorTest, TamperedExpiredTokenIsBadSignatureNotExpired) {
    const std::string good = rs256(claims(R"({"exp":)" + std::to_string(now_s - 3600) + "}"));
    const std::string forged_payload = jose::base64url_encode(claims(R"({"exp":)" + std::to_string(now_s - 3600) +
                                                                      R"(,"sub":"admin"})"));
    const auto first = good.find('.'), last = good.rfind('.');
    const std::string forged = good.substr(0, first + 1) + forged_payload + good.substr(last);
    expect_rejected(check(forged), reason::bad_signature, "signed by a different key");
    expect_rejected(check(good), reason::expired, "expired 1h ago");
}

// A header-embedded jwk is never used; the hint says so.
TEST_F(ValidatorTest, EmbeddedJwkNeverUsed) {
    const auto& attacker = test::rsa_pair(1);
    const std::string header = R"({"alg":"RS256","kid":"k1","jwk":)" + test::jwk_json(attacker, "k1") + "}";
    expect_rejected(check(rs256(claims(), header, 1)), reason::bad_signature,
                    "the header carries jwk, which is never used (keys never come from the token)");
}

// jku/x5u pointing elsewhere do not fetch anything and do not change the key.
TEST_F(ValidatorTest, JkuAndX5uIgnored) {
    const std::string header = R"({"alg":"RS256","kid":"k1","jku":"https://evil.example/jwks","x5u":"https://evil.example/c"})";
    const decision d = check(rs256(claims(), header, 0));
    ASSERT_TRUE(d.accepted()) << d.rejected->hint;  // signed by the real key: the URLs are simply not used
    expect_rejected(check(rs256(claims(), header, 1)), reason::bad_signature, "jku, x5u");
}

// --- HMAC secrets ------------------------------------------------------------------

class HmacValidatorTest : public ::testing::Test {
protected:
    const std::string secret_ = "correct-horse-battery-staple-0123456789";
    trust t_;

    void configure(const std::string& configured_secret) {
        provider p;
        p.name = "dev";
        p.issuer = issuer;
        p.audiences = {audience};
        p.algorithms = {alg::hs256};
        p.keys.keys = test::key_set_of({test::hmac_key(configured_secret)});
        t_ = trust_of(p);
    }
    decision check_signed_with(const std::string& signing_secret) {
        return validate(test::make_hmac_token(R"({"alg":"HS256","typ":"JWT"})", claims(), alg::hs256, signing_secret),
                        t_, now);
    }
};

// The configured secret verifies its own tokens.
TEST_F(HmacValidatorTest, MatchingSecretAccepted) {
    configure(secret_);
    EXPECT_TRUE(check_signed_with(secret_).accepted());
}

// The trailing newline in the configured secret is confirmed as the cause.
TEST_F(HmacValidatorTest, TrailingNewlineInConfiguredSecret) {
    configure(secret_ + "\n");
    expect_rejected(check_signed_with(secret_), reason::bad_signature,
                    "verifies with the configured secret minus its trailing newline: fix the secret");
}

// Surrounding spaces are confirmed too.
TEST_F(HmacValidatorTest, SurroundingWhitespaceInConfiguredSecret) {
    configure("  " + secret_ + " ");
    expect_rejected(check_signed_with(secret_), reason::bad_signature,
                    "minus its surrounding whitespace: fix the secret");
}

// The issuer's secret having the newline is recognised from the other side.
TEST_F(HmacValidatorTest, TrailingNewlineAtIssuer) {
    configure(secret_);
    expect_rejected(check_signed_with(secret_ + "\n"), reason::bad_signature,
                    "verifies with the configured secret plus a trailing newline");
}

// A secret the issuer base64-decodes before use is recognised.
TEST_F(HmacValidatorTest, Base64EncodedSecret) {
    const std::string raw = "0123456789abcdef0123456789abcdef-raw-bytes";
    configure(jose::base64url_encode(raw));
    expect_rejected(check_signed_with(raw), reason::bad_signature, "verifies with the base64-decoded secret");
}

// Any other secret is "a different secret", after the checks it made.
TEST_F(HmacValidatorTest, DifferentSecret) {
    configure(secret_);
    expect_rejected(check_signed_with("another-secret-entirely-0123456789abcdef"), reason::bad_signature,
                    "the issuer signed with a different secret");
}

// A wrong-length MAC is bad_signature with the lengths.
TEST_F(HmacValidatorTest, TruncatedMac) {
    configure(secret_);
    const std::string token = test::make_raw_token(R"({"alg":"HS256"})", claims(), std::string(16, 'x'));
    expect_rejected(validate(token, t_, now), reason::bad_signature, "HS256 signature is 16 bytes, expected 32");
}

// --- required claims, lifetime, typ, scopes ----------------------------------------

// Required claims from provider and route must be present.
TEST_F(ValidatorTest, RequiredClaimMissing) {
    t_.providers[0].required.claims = {"tenant"};
    expect_rejected(check(rs256(claims())), reason::missing_claim, "claim tenant is required and absent");
    EXPECT_TRUE(check(rs256(claims(R"({"tenant":"acme"})"))).accepted());
    route_policy route;
    route.required.claims = {"email"};
    expect_rejected(check(rs256(claims(R"({"tenant":"acme"})")), &route), reason::missing_claim, "claim email");
}

// exp - iat over the maximum lifetime is lifetime_too_long.
TEST_F(ValidatorTest, LifetimeTooLong) {
    t_.providers[0].max_lifetime = seconds(3600);
    expect_rejected(check(rs256(claims(R"({"iat":)" + std::to_string(now_s - 60) + R"(,"exp":)" +
                                       std::to_string(now_s + 86400) + "}"))),
                    reason::lifetime_too_long, "exp - iat = 86460 s (1d), the maximum is 3600 s");
    expect_rejected(check(rs256(claims(R"({"iat":"<delete>"})"))), reason::missing_claim,
                    "iat is required to check the maximum token lifetime");
    EXPECT_TRUE(check(rs256(claims())).accepted());
}

// typ is compared as a media type; absence or another type is bad_type.
TEST_F(ValidatorTest, TypChecked) {
    t_.providers[0].typ = "at+jwt";
    expect_rejected(check(rs256(claims())), reason::bad_type, "typ is \"JWT\", expected \"at+jwt\"");
    EXPECT_TRUE(check(rs256(claims(), R"({"alg":"RS256","kid":"k1","typ":"application/AT+JWT"})")).accepted());
    expect_rejected(check(rs256(claims(), R"({"alg":"RS256","kid":"k1"})")), reason::bad_type, "no typ header");
}

// Scopes come from `scope` (space-delimited) or `scp` (array).
TEST_F(ValidatorTest, ScopesRequired) {
    route_policy route;
    route.required.scopes = {"orders:write"};
    expect_rejected(check(rs256(claims(R"({"scope":"orders:read profile"})")), &route), reason::insufficient_scope,
                    "missing scope orders:write; required: orders:write; token has: orders:read profile");
    EXPECT_TRUE(check(rs256(claims(R"({"scope":"orders:read orders:write"})")), &route).accepted());
    EXPECT_TRUE(check(rs256(claims(R"({"scp":["orders:write"]})")), &route).accepted());
    expect_rejected(check(rs256(claims()), &route), reason::insufficient_scope, "token has no scope or scp claim");
}

// Claim rules: equals and contains.
TEST_F(ValidatorTest, ClaimRules) {
    route_policy route;
    route.required.rules = {{"role", "admin", false}, {"groups", "ops", true}};
    expect_rejected(check(rs256(claims(R"({"role":"user","groups":["ops"]})")), &route), reason::insufficient_scope,
                    "claim role must equal \"admin\", token has \"user\"");
    expect_rejected(check(rs256(claims(R"({"role":"admin","groups":["dev"]})")), &route), reason::insufficient_scope,
                    "claim groups must contain \"ops\"");
    expect_rejected(check(rs256(claims(R"({"groups":["ops"]})")), &route), reason::missing_claim, "claim role");
    EXPECT_TRUE(check(rs256(claims(R"({"role":"admin","groups":["dev","ops"]})")), &route).accepted());
}

// --- order of checks (SPEC §7) -------------------------------------------------------

// When several checks fail, the earliest in SPEC order decides.
TEST_F(ValidatorTest, FirstFailingCheckDecides) {
    // Wrong issuer and expired: issuer first.
    expect_rejected(check(rs256(claims(R"({"iss":"https://other/","exp":1})"))), reason::bad_issuer, "");
    // Expired and wrong audience: exp first.
    expect_rejected(check(rs256(claims(R"({"aud":"x","exp":1})"))), reason::expired, "");
    // Wrong audience and missing scope: audience first.
    route_policy route;
    route.required.scopes = {"a"};
    expect_rejected(check(rs256(claims(R"({"aud":"x"})")), &route), reason::bad_audience, "");
    // Too large beats everything.
    t_.limits.max_token_bytes = 64;
    expect_rejected(check(rs256(claims())), reason::token_too_large, "the limit is 64");
}

// Options: without signature verification the claims are still checked.
TEST_F(ValidatorTest, UnverifiedModeChecksClaims) {
    validate_options opts;
    opts.verify_signature = false;
    t_.providers[0].keys.keys = nullptr;
    const decision d = validate(rs256(claims()), t_, now, nullptr, opts);
    EXPECT_TRUE(d.accepted());
    EXPECT_FALSE(d.signature_checked);
}

}  // namespace
}  // namespace tokengate::validate
