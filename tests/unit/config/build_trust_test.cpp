#include "tokengate/config/load.hpp"

#include "support/scoped_env.hpp"

#include "support/token_builder.hpp"
#include "tokengate/validate/validator.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace tokengate::config {
namespace {

using std::chrono::seconds;

const std::string data_dir = std::string(TOKENGATE_TEST_DATA_DIR) + "/config";

// A config whose one provider has these members, besides name, issuer and audiences;
// laid out one member per line so findings have predictable lines:
//   line 1 {"providers": [{
//   line 2   "name": "p", "issuer": "https://idp.example.com/",
//   line 3   "audiences": ["api://orders"],
//   line 4+  one member of `members` per line
std::string config_with(const std::vector<std::string>& members, bool with_audiences = true) {
    std::string text = "{\"providers\": [{\n  \"name\": \"p\", \"issuer\": \"https://idp.example.com/\",\n";
    text += with_audiences ? "  \"audiences\": [\"api://orders\"],\n" : "  \"require_exp\": true,\n";
    for (std::size_t i = 0; i < members.size(); ++i) text += "  " + members[i] + (i + 1 < members.size() ? ",\n" : "\n");
    return text + "}]}";
}

std::string file_member(const std::string& key, const std::string& file) {
    return "\"" + key + "\": \"" + data_dir + "/" + file + "\"";
}

std::string all_of(const std::vector<diagnostic>& ds) {
    std::string out;
    for (const auto& d : ds) out += to_string(d) + "\n";
    return out;
}

// Parses `text` (which must parse) and builds its trust.
trust_result build(const std::string& text) {
    const load_result loaded = parse_config(text);
    EXPECT_TRUE(loaded.cfg) << all_of(loaded.errors);
    if (!loaded.cfg) return {};
    return build_trust(*loaded.cfg);
}

// The one finding in `ds` at `path`, checked for position and a message fragment.
void expect_finding(const std::vector<diagnostic>& ds, const std::string& path, int line, const std::string& fragment) {
    for (const auto& d : ds) {
        if (d.path != path || d.message.find(fragment) == std::string::npos) continue;
        EXPECT_EQ(d.line, line) << to_string(d);
        EXPECT_GT(d.column, 0) << to_string(d);
        return;
    }
    ADD_FAILURE() << "nothing at " << path << " containing \"" << fragment << "\" in:\n" << all_of(ds);
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream os;
    os << in.rdbuf();
    return os.str();
}

using test::scoped_env;

// ---- local key sources ---------------------------------------------------------------

TEST(BuildTrustTest, JwksFileLoadsEveryKeyAndThePolicy) {
    // Verifies a JWKS file source and that the provider's policy is carried over.
    const trust_result r = build(config_with({R"("algorithms": ["RS256", "ES256"])", R"("leeway_s": 5)",
                                              R"("typ": "at+jwt")", R"("max_lifetime_s": 3600)",
                                              R"("required_scopes": ["read"])", file_member("jwks_file", "jwks.json")}));

    ASSERT_TRUE(r.trust) << all_of(r.errors);
    EXPECT_TRUE(r.warnings.empty()) << all_of(r.warnings);
    ASSERT_EQ(r.trust->providers.size(), 1U);
    const validate::provider& p = r.trust->providers[0];
    EXPECT_EQ(p.name, "p");
    EXPECT_EQ(p.issuer, "https://idp.example.com/");
    EXPECT_EQ(p.audiences, std::vector<std::string>{"api://orders"});
    EXPECT_TRUE(p.check_audience);
    EXPECT_EQ(p.leeway, seconds(5));
    EXPECT_EQ(p.typ, "at+jwt");
    EXPECT_EQ(p.max_lifetime, seconds(3600));
    EXPECT_EQ(p.required.scopes, std::vector<std::string>{"read"});
    ASSERT_TRUE(p.keys.keys);
    EXPECT_EQ(p.keys.keys->kids(), (std::vector<std::string>{"rsa-1", "ec-1"}));
    EXPECT_EQ(p.keys.keys->source, "JWKS file " + data_dir + "/jwks.json");
}

TEST(BuildTrustTest, SkippedJwksEntryBecomesAWarning) {
    // Verifies that a JWKS entry refused by the key loader is a warning, not an error.
    const trust_result r = build(config_with({R"("algorithms": ["RS256"])", file_member("jwks_file", "jwks_with_weak_key.json")}));

    ASSERT_TRUE(r.trust) << all_of(r.errors);
    EXPECT_EQ(r.trust->providers[0].keys.keys->kids(), std::vector<std::string>{"rsa-1"});
    expect_finding(r.warnings, "$.providers[0].jwks_file", 5, "key left out: key 0 (kid \"weak-1\")");
    expect_finding(r.warnings, "$.providers[0].jwks_file", 5, "1024");
}

TEST(BuildTrustTest, MissingJwksFileIsAnErrorAtItsMember) {
    // Verifies that an unreadable key file names the file, at the member naming it.
    const trust_result r = build(config_with({R"("algorithms": ["RS256"])", file_member("jwks_file", "absent.json")}));

    EXPECT_FALSE(r.trust);
    expect_finding(r.errors, "$.providers[0].jwks_file", 5, "cannot open " + data_dir + "/absent.json");
}

TEST(BuildTrustTest, InlineJwksLoads) {
    // Verifies an inline JWKS (the object is written back to text and parsed as a JWKS).
    const std::string jwks = read_text(data_dir + "/jwks.json");

    const trust_result r = build(config_with({R"("algorithms": ["ES256"])", "\"jwks\": " + jwks}));

    ASSERT_TRUE(r.trust) << all_of(r.errors);
    EXPECT_EQ(r.trust->providers[0].keys.keys->kids(), (std::vector<std::string>{"rsa-1", "ec-1"}));
    EXPECT_EQ(r.trust->providers[0].keys.keys->source, "inline JWKS of provider p");
    EXPECT_TRUE(r.warnings.empty()) << all_of(r.warnings);
}

TEST(BuildTrustTest, AlgorithmWithoutAnyKeyWarns) {
    // Verifies the warning for a whitelisted alg no key can serve (rsa-1's JWK alg is RS256).
    const trust_result r = build(config_with({R"("algorithms": ["RS256", "PS256"])", file_member("jwks_file", "jwks.json")}));

    ASSERT_TRUE(r.trust) << all_of(r.errors);
    expect_finding(r.warnings, "$.providers[0].jwks_file", 5,
                   "no key of JWKS file " + data_dir + "/jwks.json can verify PS256; tokens using it will fail");
}

TEST(BuildTrustTest, InlineJwksWithoutUsableKeyIsRefused) {
    // Verifies that a JWKS yielding no key at all is an error at the jwks member.
    const trust_result r = build(config_with({R"("algorithms": ["RS256"])", R"("jwks": {"keys": [{"kty": "RSA"}]})"}));

    EXPECT_FALSE(r.trust);
    expect_finding(r.errors, "$.providers[0].jwks", 5, "JWKS holds no usable key");
}

TEST(BuildTrustTest, PemFileLoads) {
    // Verifies a PEM public key source.
    const trust_result r = build(config_with({R"("algorithms": ["RS256"])", file_member("pem_file", "rsa2048.pem")}));

    ASSERT_TRUE(r.trust) << all_of(r.errors);
    ASSERT_EQ(r.trust->providers[0].keys.keys->keys.size(), 1U);
    EXPECT_EQ(r.trust->providers[0].keys.keys->keys[0]->bits, 2048);
}

TEST(BuildTrustTest, Rsa1024PemIsRefused) {
    // Verifies SPEC §3: RSA keys under 2048 bits are refused at load.
    const trust_result r = build(config_with({R"("algorithms": ["RS256"])", file_member("pem_file", "rsa1024.pem")}));

    EXPECT_FALSE(r.trust);
    expect_finding(r.errors, "$.providers[0].pem_file", 5, "1024");
}

TEST(BuildTrustTest, KeyThatFitsNoAlgorithmIsRefused) {
    // Verifies that an EC key under an RS-only whitelist is an error: nothing could verify.
    const trust_result r = build(config_with({R"("algorithms": ["RS256"])", file_member("pem_file", "ec256.pem")}));

    EXPECT_FALSE(r.trust);
    expect_finding(r.errors, "$.providers[0].pem_file", 5, "no key of PEM file " + data_dir + "/ec256.pem can verify RS256");
}

TEST(BuildTrustTest, SecretFileLoadsAndVerifiesTokens) {
    // Verifies the secret file source end to end: the built trust accepts a token signed with it.
    const trust_result r = build(config_with({R"("algorithms": ["HS256"])", file_member("secret_file", "secret.txt")}));
    const std::string secret = read_text(data_dir + "/secret.txt");
    const auto now = std::chrono::system_clock::time_point(seconds(1'800'000'000));
    // {"alg":"HS256","typ":"JWT"} . {"iss":"https://idp.example.com/","aud":"api://orders","exp":1800000600}
    const std::string token = test::make_hmac_token(
        R"({"alg":"HS256","typ":"JWT"})", R"({"iss":"https://idp.example.com/","aud":"api://orders","exp":1800000600})",
        jose::alg::hs256, secret);

    ASSERT_TRUE(r.trust) << all_of(r.errors);
    EXPECT_TRUE(r.warnings.empty()) << all_of(r.warnings);
    EXPECT_TRUE(validate::validate(token, *r.trust, now).accepted());
}

TEST(BuildTrustTest, SecretEnvLoads) {
    // Verifies the environment variable secret source.
    const scoped_env secret("TG_TEST_JWT_SECRET", "0123456789abcdef0123456789abcdef");

    const trust_result r = build(config_with({R"("algorithms": ["HS256"])", R"("secret_env": "TG_TEST_JWT_SECRET")"}));

    ASSERT_TRUE(r.trust) << all_of(r.errors);
    EXPECT_EQ(r.trust->providers[0].keys.keys->keys[0]->secret.size(), 32U);
    EXPECT_EQ(r.trust->providers[0].keys.keys->source, "secret from $TG_TEST_JWT_SECRET");
}

TEST(BuildTrustTest, UnsetSecretVariableIsAnError) {
    // Verifies that a missing secret variable is found at build time, at secret_env.
    const scoped_env unset("TG_TEST_UNSET_SECRET", nullptr);

    const trust_result r = build(config_with({R"("algorithms": ["HS256"])", R"("secret_env": "TG_TEST_UNSET_SECRET")"}));

    EXPECT_FALSE(r.trust);
    expect_finding(r.errors, "$.providers[0].secret_env", 5, "environment variable TG_TEST_UNSET_SECRET is not set");
}

TEST(BuildTrustTest, ShortSecretIsRefused) {
    // Verifies SPEC §3: an HMAC secret shorter than the hash output is refused.
    const trust_result r = build(config_with({R"("algorithms": ["HS256"])", file_member("secret_file", "secret_short.txt")}));

    EXPECT_FALSE(r.trust);
    expect_finding(r.errors, "$.providers[0].secret_file", 5, "is 9 bytes; HS256 needs at least 32");
}

TEST(BuildTrustTest, SecretWithTrailingNewlineWarns) {
    // Verifies the classic JWT_SECRET mistake is flagged without quoting the secret.
    const trust_result r = build(config_with({R"("algorithms": ["HS256"])", file_member("secret_file", "secret_newline.txt")}));

    ASSERT_TRUE(r.trust) << all_of(r.errors);
    expect_finding(r.warnings, "$.providers[0].secret_file", 5, "ends with a newline");
    EXPECT_EQ(all_of(r.warnings).find("dev-only-secret"), std::string::npos);
}

// ---- policy refusals and warnings ------------------------------------------------------

TEST(BuildTrustTest, MissingAudienceIsRefused) {
    // Verifies SPEC §5: no audience without an explicit opt-out is an error at the provider.
    const trust_result r = build(config_with({R"("algorithms": ["RS256"])", file_member("jwks_file", "jwks.json")}, false));

    EXPECT_FALSE(r.trust);
    expect_finding(r.errors, "$.providers[0]", 1, "no audience configured");
}

TEST(BuildTrustTest, ExplicitAudienceOptOutIsAccepted) {
    // Verifies that audience_check false builds, with the audience check off.
    const trust_result r = build(config_with({R"("algorithms": ["RS256"])", R"("audience_check": false)",
                                              R"("claims": [{"claim": "client_id", "equals": "abc"}])",
                                              file_member("jwks_file", "jwks.json")},
                                             false));

    ASSERT_TRUE(r.trust) << all_of(r.errors);
    EXPECT_FALSE(r.trust->providers[0].check_audience);
}

TEST(BuildTrustTest, LongLeewayWarnsAtTheLeeway) {
    // Verifies SPEC §5: leeway over 300 s is a warning located at leeway_s.
    const trust_result r = build(config_with({R"("algorithms": ["RS256"])", R"("leeway_s": 600)",
                                              file_member("jwks_file", "jwks.json")}));

    ASSERT_TRUE(r.trust) << all_of(r.errors);
    ASSERT_EQ(r.warnings.size(), 1U) << all_of(r.warnings);
    EXPECT_EQ(r.warnings[0].path, "$.providers[0].leeway_s");
    EXPECT_EQ(r.warnings[0].line, 5);
    EXPECT_EQ(r.warnings[0].column, 15);
    EXPECT_NE(r.warnings[0].message.find("leeway 600 s is over 300 s"), std::string::npos);
}

TEST(BuildTrustTest, MixedHmacAndRsaWhitelistWarns) {
    // Verifies SPEC §5: HS next to RS in one whitelist is flagged (algorithm confusion).
    const trust_result r = build(config_with({R"("algorithms": ["RS256", "HS256"])", file_member("jwks_file", "jwks.json")}));

    ASSERT_TRUE(r.trust) << all_of(r.errors);
    expect_finding(r.warnings, "$.providers[0].algorithms", 4, "invite algorithm confusion");
    expect_finding(r.warnings, "$.providers[0].jwks_file", 5, "can verify HS256; tokens using it will fail");
}

// ---- remote sources ---------------------------------------------------------------------

TEST(BuildTrustTest, RemoteSourceStartsWithoutKeys) {
    // Verifies that jwks_url and discovery providers build with empty keys and no finding.
    const trust_result r = build(config_with({R"("algorithms": ["RS256"])", R"("jwks_url": "https://idp.example.com/jwks")"}));

    ASSERT_TRUE(r.trust) << all_of(r.errors);
    EXPECT_TRUE(r.warnings.empty()) << all_of(r.warnings);
    EXPECT_EQ(r.trust->providers[0].keys.keys, nullptr);
}

TEST(BuildTrustTest, PlainHttpJwksNeedsOptInAndThenWarns) {
    // Verifies SPEC §4/§5: http JWKS is an error without allow_http_jwks and a warning with it.
    const std::string url = R"("jwks_url": "http://keys.internal/jwks")";

    const trust_result refused = build(config_with({R"("algorithms": ["RS256"])", url}));
    const trust_result allowed = build(config_with({R"("algorithms": ["RS256"])", url, R"("allow_http_jwks": true)"}));

    EXPECT_FALSE(refused.trust);
    expect_finding(refused.errors, "$.providers[0].jwks_url", 5, "set \"allow_http_jwks\": true");
    ASSERT_TRUE(allowed.trust) << all_of(allowed.errors);
    expect_finding(allowed.warnings, "$.providers[0].jwks_url", 5, "plain-HTTP JWKS");
}

TEST(BuildTrustTest, DiscoveryOverHttpNeedsOptIn) {
    // Verifies that discovery from an http issuer is plain-HTTP key fetching too.
    const std::string text = R"({"providers": [{"name": "p", "issuer": "http://idp.internal/", "audiences": ["a"],
        "algorithms": ["RS256"], "discovery": true}]})";

    const trust_result r = build(text);

    EXPECT_FALSE(r.trust);
    expect_finding(r.errors, "$.providers[0].discovery", 2, "keys would be fetched over plain http");
}

TEST(BuildTrustTest, HmacWithRemoteKeysWarns) {
    // Verifies the warning for HS algorithms that a published JWKS can never serve.
    const trust_result r = build(config_with({R"("algorithms": ["HS256"])", R"("jwks_url": "https://idp.example.com/jwks")"}));

    ASSERT_TRUE(r.trust) << all_of(r.errors);
    expect_finding(r.warnings, "$.providers[0].algorithms", 4, "identity providers publish only public keys");
}

TEST(BuildTrustTest, TokenLimitComesFromTheConfig) {
    // Verifies that limits.max_token_bytes reaches the validator's parse limits.
    const trust_result r = build(R"({"limits": {"max_token_bytes": 2048}, "providers": [{"name": "p", "issuer": "https://i/",
        "audiences": ["a"], "algorithms": ["RS256"], "jwks_url": "https://i/k"}]})");

    ASSERT_TRUE(r.trust) << all_of(r.errors);
    EXPECT_EQ(r.trust->limits.max_token_bytes, 2048U);
}

TEST(BuildTrustTest, ConfigBuiltInCodeHasNoPositions) {
    // Verifies that findings about a config without source positions carry line 0.
    config cfg;
    provider_config p;
    p.name = "code";
    p.issuer = "https://i/";
    p.algorithms = {jose::alg::rs256};
    p.keys.jwks_url = "https://i/k";
    cfg.providers.push_back(p);

    const trust_result r = build_trust(cfg);

    ASSERT_EQ(r.errors.size(), 1U) << all_of(r.errors);
    EXPECT_EQ(r.errors[0].path, "$.providers[0]");
    EXPECT_EQ(r.errors[0].line, 0);
}

// ---- the shipped examples -------------------------------------------------------------

class ConfigExampleFileTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ConfigExampleFileTest, ExampleLoadsAndBuildsWithoutFindings) {
    // Verifies that each example in config/examples/ loads and builds a trust, warning-free.
    const scoped_env tenant("ENTRA_TENANT_ID", "72f988bf-86f1-41af-91ab-2d7cd011db47");
    const scoped_env client("ENTRA_CLIENT_ID", "6e74172b-be56-4843-9ff4-e66a39bb12e3");
    const scoped_env realm("KEYCLOAK_REALM", "acme");
    const scoped_env secret("JWT_SECRET", "dev-only-secret-0123456789abcdef");
    const std::string path = std::string(TOKENGATE_TEST_DATA_DIR) + "/../../config/examples/" + GetParam();

    const load_result loaded = load_config_file(path);
    ASSERT_TRUE(loaded.cfg) << all_of(loaded.errors);
    const trust_result built = build_trust(*loaded.cfg);

    EXPECT_TRUE(loaded.warnings.empty()) << all_of(loaded.warnings);
    ASSERT_TRUE(built.trust) << all_of(built.errors);
    EXPECT_TRUE(built.warnings.empty()) << all_of(built.warnings);
}

INSTANTIATE_TEST_SUITE_P(Config, ConfigExampleFileTest,
                         ::testing::Values("auth0.json", "okta.json", "cognito.json", "keycloak.json", "entra-id.json",
                                           "dev-hs256.json"));

TEST(ConfigExamplesTest, EntraExampleExpandsTenantAndClient) {
    // Verifies the environment placeholders of the Entra ID example.
    const scoped_env tenant("ENTRA_TENANT_ID", "72f988bf-86f1-41af-91ab-2d7cd011db47");
    const scoped_env client("ENTRA_CLIENT_ID", "6e74172b-be56-4843-9ff4-e66a39bb12e3");

    const load_result r = load_config_file(std::string(TOKENGATE_TEST_DATA_DIR) + "/../../config/examples/entra-id.json");

    ASSERT_TRUE(r.cfg) << all_of(r.errors);
    EXPECT_EQ(r.cfg->providers[0].issuer, "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0");
    EXPECT_EQ(r.cfg->providers[0].audiences, std::vector<std::string>{"6e74172b-be56-4843-9ff4-e66a39bb12e3"});
}

TEST(ConfigExamplesTest, SchemaIsAJsonObjectOfDraft2020) {
    // Verifies that the schema file is valid JSON and declares draft 2020-12.
    const std::string text = read_text(std::string(TOKENGATE_TEST_DATA_DIR) + "/../../config/tokengate.schema.json");
    rapidjson::Document doc;
    doc.Parse(text.c_str(), text.size());

    ASSERT_FALSE(doc.HasParseError());
    ASSERT_TRUE(doc.IsObject());
    EXPECT_STREQ(doc["$schema"].GetString(), "https://json-schema.org/draft/2020-12/schema");
    EXPECT_FALSE(doc["additionalProperties"].GetBool());
}

}  // namespace
}  // namespace tokengate::config
