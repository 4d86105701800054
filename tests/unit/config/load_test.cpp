#include "tokengate/config/load.hpp"

#include "support/scoped_env.hpp"

#include "tokengate/jose/json.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cstdlib>
#include <string>

namespace tokengate::config {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// One provider with every required key, on one line; members in `patch` (JSON object
// members without braces) replace or add to them.
std::string provider_json(const std::string& patch = "") {
    rapidjson::Document base, extra;
    base.Parse(R"({"name": "main", "issuer": "https://idp.example.com/", "audiences": ["api://orders"],
                   "algorithms": ["RS256"], "jwks_url": "https://idp.example.com/jwks.json"})");
    extra.Parse(("{" + patch + "}").c_str());
    const rapidjson::Document& members = extra;  // const: clang flags C++20 comparisons of mutable iterators
    for (const auto& m : members.GetObject()) {
        base.RemoveMember(m.name);
        base.AddMember(rapidjson::Value(m.name, base.GetAllocator()), rapidjson::Value(m.value, base.GetAllocator()),
                       base.GetAllocator());
    }
    return jose::to_json(base);
}

// A one-line config with that provider plus top-level members `extra`.
std::string config_json(const std::string& extra = "", const std::string& provider_patch = "") {
    return R"({"providers": [)" + provider_json(provider_patch) + "]" + (extra.empty() ? "" : ", " + extra) + "}";
}

// 1-based column of `needle` in a one-line text (to locate values in generated configs).
int column_of(const std::string& text, const std::string& needle) {
    return static_cast<int>(text.find(needle)) + 1;
}

std::string all_errors(const load_result& r) {
    std::string out;
    for (const auto& d : r.errors) out += to_string(d) + "\n";
    return out;
}

// Asserts that exactly one error was found, with this path, position and message.
void expect_only_error(const load_result& r, const std::string& path, int line, int column, const std::string& message) {
    ASSERT_EQ(r.errors.size(), 1U) << all_errors(r);
    EXPECT_FALSE(r.cfg.has_value());
    EXPECT_EQ(r.errors[0].path, path);
    EXPECT_EQ(r.errors[0].message, message);
    EXPECT_EQ(r.errors[0].line, line) << to_string(r.errors[0]);
    EXPECT_EQ(r.errors[0].column, column) << to_string(r.errors[0]);
}

// Asserts that some error has this path and a message containing `fragment`.
void expect_error(const load_result& r, const std::string& path, const std::string& fragment) {
    for (const auto& d : r.errors) {
        if (d.path == path && d.message.find(fragment) != std::string::npos) return;
    }
    ADD_FAILURE() << "no error at " << path << " containing \"" << fragment << "\"; errors:\n" << all_errors(r);
}

void expect_warning(const load_result& r, const std::string& path, const std::string& fragment) {
    for (const auto& d : r.warnings) {
        if (d.path == path && d.message.find(fragment) != std::string::npos) return;
    }
    std::string all;
    for (const auto& d : r.warnings) all += to_string(d) + "\n";
    ADD_FAILURE() << "no warning at " << path << " containing \"" << fragment << "\"; warnings:\n" << all;
}

using test::scoped_env;

// ---- defaults and every key -------------------------------------------------------

TEST(LoadTest, MinimalConfigGetsEveryDefault) {
    // Verifies the documented default of every key a minimal config leaves out.
    const load_result r = parse_config(config_json());

    ASSERT_TRUE(r.cfg) << all_errors(r);
    EXPECT_TRUE(r.warnings.empty());
    const config& c = *r.cfg;
    EXPECT_EQ(c.listen.host, "0.0.0.0");
    EXPECT_EQ(c.listen.port, 8080);
    EXPECT_EQ(c.admin.host, "127.0.0.1");
    EXPECT_EQ(c.admin.port, 9901);
    EXPECT_EQ(c.upstream.host, "127.0.0.1");
    EXPECT_EQ(c.upstream.port, 3000);
    EXPECT_EQ(c.threads, 0);
    EXPECT_EQ(c.realm, "tokengate");
    ASSERT_EQ(c.token_sources.size(), 1U);
    EXPECT_EQ(c.token_sources[0].type, token_source::kind::authorization);
    EXPECT_TRUE(c.routes.empty());
    EXPECT_EQ(c.default_auth, auth_mode::required);
    EXPECT_TRUE(c.identity.claim_headers.empty());
    EXPECT_FALSE(c.identity.payload_header);
    EXPECT_EQ(c.identity.provider_header, "X-Auth-Provider");
    EXPECT_FALSE(c.strip_authorization);
    EXPECT_FALSE(c.forward_auth.enabled);
    EXPECT_EQ(c.forward_auth.path, "/auth");
    EXPECT_EQ(c.token_cache_entries, 10000U);
    EXPECT_EQ(c.limits.max_header_bytes, 16384U);
    EXPECT_FALSE(c.limits.max_body_bytes);
    EXPECT_EQ(c.limits.max_connections, 10000U);
    EXPECT_EQ(c.limits.max_token_bytes, 8192U);
    EXPECT_EQ(c.limits.header_timeout, milliseconds(10000));
    EXPECT_EQ(c.limits.idle_timeout, milliseconds(60000));
    EXPECT_EQ(c.limits.request_timeout, milliseconds(300000));
    EXPECT_EQ(c.limits.upstream_connect_timeout, milliseconds(2000));
    EXPECT_EQ(c.limits.upstream_response_timeout, milliseconds(30000));
    EXPECT_EQ(c.limits.upstream_pool_size, 64U);
    EXPECT_FALSE(c.expose_hints);
    EXPECT_EQ(c.logging.format, "json");
    ASSERT_EQ(c.providers.size(), 1U);
    const provider_config& p = c.providers[0];
    EXPECT_TRUE(p.audience_check);
    EXPECT_EQ(p.leeway, seconds(30));
    EXPECT_TRUE(p.require_exp);
    EXPECT_TRUE(p.required.claims.empty());
    EXPECT_TRUE(p.required.scopes.empty());
    EXPECT_TRUE(p.required.rules.empty());
    EXPECT_FALSE(p.max_lifetime);
    EXPECT_FALSE(p.typ);
    EXPECT_FALSE(p.keys.discovery);
    EXPECT_FALSE(p.keys.allow_http);
}

TEST(LoadTest, FullConfigReadsEveryKey) {
    // Verifies that each key of the format lands in its config member.
    const std::string text = R"({
      "$schema": "../tokengate.schema.json",
      "listen": "[::]:8443", "admin_listen": "127.0.0.1:9000", "upstream": "http://localhost:8081/",
      "threads": 4, "realm": "orders",
      "providers": [{
        "name": "auth0", "issuer": "https://acme.eu.auth0.com/", "audiences": ["https://api.example.com", "b"],
        "audience_check": true, "algorithms": ["RS256", "PS256"], "leeway_s": 10, "require_exp": true,
        "required_claims": ["sub", "tenant"], "required_scopes": ["read:orders"],
        "claims": [{"claim": "tenant", "equals": "acme"}, {"claim": "groups", "contains": "ops"},
                   {"claim": "email_verified", "equals": true}, {"claim": "level", "equals": 3}],
        "max_lifetime_s": 86400, "typ": "at+jwt",
        "jwks_url": "http://jwks.internal/keys", "allow_http_jwks": true, "ca_file": "/etc/ssl/idp.pem"
      }, {
        "name": "corp", "issuer": "https://login.example.com", "audiences": ["x"], "algorithms": ["ES256"],
        "discovery": true
      }],
      "token_sources": [{"type": "authorization"}, {"type": "cookie", "name": "access_token"},
                        {"type": "header", "name": "X-Token"}],
      "routes": [{"path": "/public/", "match": "prefix", "methods": ["GET", "HEAD"], "auth": "none"},
                 {"path": "/admin", "match": "exact", "auth": "required", "providers": ["auth0"],
                  "required_scopes": ["admin"], "required_claims": ["email"], "claims": [{"claim": "org", "equals": "a"}]},
                 {"path": "/maybe/", "match": "prefix", "auth": "optional"}],
      "default_auth": "none",
      "identity_headers": {"sub": "X-User-Id", "email": "X-User-Email"},
      "payload_header": "X-Jwt-Payload", "provider_header": "",
      "strip_authorization": true,
      "forward_auth": {"enabled": true, "path": "/_auth"},
      "token_cache_entries": 0,
      "limits": {"max_header_bytes": 32768, "max_body_bytes": 1048576, "max_connections": 500, "max_token_bytes": 4096,
                 "header_timeout_ms": 5000, "idle_timeout_ms": 30000, "request_timeout_ms": 60000,
                 "upstream_connect_timeout_ms": 1000, "upstream_response_timeout_ms": 15000, "upstream_pool_size": 8},
      "expose_hints": false, "log": {"format": "text"}
    })";

    const load_result r = parse_config(text);

    ASSERT_TRUE(r.cfg) << all_errors(r);
    const config& c = *r.cfg;
    EXPECT_EQ(c.listen.host, "::");
    EXPECT_EQ(c.listen.port, 8443);
    EXPECT_EQ(c.admin.port, 9000);
    EXPECT_EQ(c.upstream.host, "localhost");
    EXPECT_EQ(c.upstream.port, 8081);
    EXPECT_EQ(c.threads, 4);
    EXPECT_EQ(c.realm, "orders");
    ASSERT_EQ(c.providers.size(), 2U);
    const provider_config& p = c.providers[0];
    EXPECT_EQ(p.name, "auth0");
    EXPECT_EQ(p.issuer, "https://acme.eu.auth0.com/");
    EXPECT_EQ(p.audiences, (std::vector<std::string>{"https://api.example.com", "b"}));
    EXPECT_EQ(p.algorithms, (std::vector<jose::alg>{jose::alg::rs256, jose::alg::ps256}));
    EXPECT_EQ(p.leeway, seconds(10));
    EXPECT_EQ(p.required.claims, (std::vector<std::string>{"sub", "tenant"}));
    EXPECT_EQ(p.required.scopes, (std::vector<std::string>{"read:orders"}));
    ASSERT_EQ(p.required.rules.size(), 4U);
    EXPECT_EQ(p.required.rules[0].claim, "tenant");
    EXPECT_EQ(p.required.rules[0].value, "acme");
    EXPECT_FALSE(p.required.rules[0].contains);
    EXPECT_TRUE(p.required.rules[1].contains);
    EXPECT_EQ(p.required.rules[2].value, "true");
    EXPECT_EQ(p.required.rules[3].value, "3");
    EXPECT_EQ(p.max_lifetime, seconds(86400));
    EXPECT_EQ(p.typ, "at+jwt");
    EXPECT_EQ(p.keys.jwks_url, "http://jwks.internal/keys");
    EXPECT_TRUE(p.keys.allow_http);
    EXPECT_EQ(p.keys.ca_file, "/etc/ssl/idp.pem");
    EXPECT_TRUE(c.providers[1].keys.discovery);
    ASSERT_EQ(c.token_sources.size(), 3U);
    EXPECT_EQ(c.token_sources[1].type, token_source::kind::cookie);
    EXPECT_EQ(c.token_sources[1].name, "access_token");
    EXPECT_EQ(c.token_sources[2].type, token_source::kind::header);
    ASSERT_EQ(c.routes.size(), 3U);
    EXPECT_TRUE(c.routes[0].prefix);
    EXPECT_EQ(c.routes[0].methods, (std::vector<std::string>{"GET", "HEAD"}));
    EXPECT_EQ(c.routes[0].auth, auth_mode::none);
    EXPECT_FALSE(c.routes[1].prefix);
    EXPECT_EQ(c.routes[1].providers, std::vector<std::string>{"auth0"});
    EXPECT_EQ(c.routes[1].required.scopes, std::vector<std::string>{"admin"});
    EXPECT_EQ(c.routes[1].required.claims, std::vector<std::string>{"email"});
    ASSERT_EQ(c.routes[1].required.rules.size(), 1U);
    EXPECT_EQ(c.routes[2].auth, auth_mode::optional);
    EXPECT_EQ(c.default_auth, auth_mode::none);
    EXPECT_EQ(c.identity.claim_headers.at("sub"), "X-User-Id");
    EXPECT_EQ(c.identity.claim_headers.at("email"), "X-User-Email");
    EXPECT_EQ(c.identity.payload_header, "X-Jwt-Payload");
    EXPECT_EQ(c.identity.provider_header, "");
    EXPECT_TRUE(c.strip_authorization);
    EXPECT_TRUE(c.forward_auth.enabled);
    EXPECT_EQ(c.forward_auth.path, "/_auth");
    EXPECT_EQ(c.token_cache_entries, 0U);
    EXPECT_EQ(c.limits.max_header_bytes, 32768U);
    EXPECT_EQ(c.limits.max_body_bytes, 1048576U);
    EXPECT_EQ(c.limits.max_connections, 500U);
    EXPECT_EQ(c.limits.max_token_bytes, 4096U);
    EXPECT_EQ(c.limits.header_timeout, milliseconds(5000));
    EXPECT_EQ(c.limits.idle_timeout, milliseconds(30000));
    EXPECT_EQ(c.limits.request_timeout, milliseconds(60000));
    EXPECT_EQ(c.limits.upstream_connect_timeout, milliseconds(1000));
    EXPECT_EQ(c.limits.upstream_response_timeout, milliseconds(15000));
    EXPECT_EQ(c.limits.upstream_pool_size, 8U);
    EXPECT_EQ(c.logging.format, "text");
}

TEST(LoadTest, PositionsAreRecordedForLaterChecks) {
    // Verifies that parse_config keeps where each value sits, for build_trust's messages.
    const std::string text = "{\n  \"providers\": [\n    " + provider_json("\"leeway_s\": 45") + "\n  ]\n}";

    const load_result r = parse_config(text);

    ASSERT_TRUE(r.cfg) << all_errors(r);
    EXPECT_EQ(r.cfg->positions.at("$.providers").line, 2);
    EXPECT_EQ(r.cfg->positions.at("$.providers").column, 16);
    EXPECT_EQ(r.cfg->positions.at("$.providers[0]").line, 3);
    EXPECT_EQ(r.cfg->positions.at("$.providers[0]").column, 5);
    EXPECT_EQ(r.cfg->positions.at("$.providers[0].leeway_s").line, 3);
}

// ---- JSON syntax -------------------------------------------------------------------

TEST(LoadTest, MissingCommaReportsLineAndColumn) {
    // Verifies that a syntax error names the last member read and where the parser stopped.
    const std::string text = "{\n  \"listen\": \":8080\"\n  \"threads\": 2\n}";

    const load_result r = parse_config(text);

    expect_only_error(r, "$.listen", 3, 3, "syntax error: missing a comma or '}' after an object member");
}

TEST(LoadTest, TruncatedConfigPointsAtTheEnd) {
    // Verifies that a config cut short is reported at its last character.
    const std::string text = "{\n  \"providers\": [\n";

    const load_result r = parse_config(text);

    expect_only_error(r, "$.providers[0]", 3, 1, "syntax error: invalid value");
}

TEST(LoadTest, InvalidUtf8IsReportedWhereItStarts) {
    // Verifies UTF-8 validation with the column counted in characters, not bytes.
    const std::string text = "{\"realm\": \"\xC3\xA9t\xC3\xA9\xFF\"}";

    const load_result r = parse_config(text);

    ASSERT_EQ(r.errors.size(), 1U) << all_errors(r);
    EXPECT_EQ(r.errors[0].path, "$.realm");
    EXPECT_EQ(r.errors[0].message, "syntax error: invalid encoding in string");
    EXPECT_EQ(r.errors[0].line, 1);
}

TEST(LoadTest, DuplicateKeyIsAnErrorAtTheSecondOccurrence) {
    // Verifies that a repeated member name is refused (RapidJSON's DOM would keep both).
    const std::string text = "{\n  \"threads\": 1,\n  \"realm\": \"a\",\n  \"threads\": 2\n}";

    const load_result r = parse_config(text);

    expect_only_error(r, "$.threads", 4, 3, "duplicate key \"threads\" (first at line 2)");
}

TEST(LoadTest, DuplicateKeyInsideAProviderIsFound) {
    // Verifies duplicate detection at every nesting level.
    const std::string text = R"({"providers": [{"name": "a", "issuer": "https://i/", "audiences": ["x"],
        "algorithms": ["RS256"], "jwks_url": "https://i/k", "issuer": "https://j/"}]})";

    const load_result r = parse_config(text);

    ASSERT_EQ(r.errors.size(), 1U) << all_errors(r);
    EXPECT_EQ(r.errors[0].path, "$.providers[0].issuer");
    EXPECT_EQ(r.errors[0].message.rfind("duplicate key \"issuer\"", 0), 0U) << r.errors[0].message;
}

TEST(LoadTest, NestingIsBounded) {
    // Verifies that a deeply nested value is refused without recursing through it.
    const std::string text = R"({"log": )" + std::string(40, '[') + std::string(40, ']') + "}";

    const load_result r = parse_config(text);

    ASSERT_EQ(r.errors.size(), 1U) << all_errors(r);
    EXPECT_EQ(r.errors[0].message, "nested deeper than 32 levels");
    EXPECT_EQ(r.errors[0].line, 1);
    EXPECT_EQ(r.errors[0].column, 40);
}

TEST(LoadTest, CommentsAreAllowedAndPositionsSkipThem) {
    // Verifies // and /* */ comments, and that a value after a comment is located exactly.
    const std::string text =
        "// tokengate for the orders API\n"
        "{\n"
        "  /* one provider */ \"providers\": [" + provider_json() + "],\n"
        "  \"threads\": /* cores */ \"4\" // wrong type\n"
        "}\n";

    const load_result r = parse_config(text);

    expect_only_error(r, "$.threads", 4, 26, "expected an integer, got a string");
}

TEST(LoadTest, TrailingCommaIsASyntaxError) {
    // Verifies that only comments are an extension: the rest is strict JSON.
    const load_result r = parse_config("{\"threads\": 1,}");

    ASSERT_EQ(r.errors.size(), 1U);
    EXPECT_EQ(r.errors[0].message.rfind("syntax error: ", 0), 0U);
}

TEST(LoadTest, EmptyTextIsAnError) {
    // Verifies that an empty file is refused with RapidJSON's own words.
    const load_result r = parse_config("");

    expect_only_error(r, "$", 1, 1, "syntax error: the document is empty");
}

TEST(LoadTest, TopLevelMustBeAnObject) {
    // Verifies the type error for a config that is an array.
    const load_result r = parse_config("[]");

    expect_only_error(r, "$", 1, 1, "the config must be a JSON object, got an array");
}

TEST(LoadTest, NulByteIsRefused) {
    // Verifies that a NUL, which would end RapidJSON's parse early, is refused with its place.
    const load_result r = parse_config(std::string("{\n  \"threads\": 1\0}", 18));

    expect_only_error(r, "$", 2, 15, "config contains a NUL byte");
}

TEST(LoadTest, ByteOrderMarkIsSkipped) {
    // Verifies that a UTF-8 BOM (Windows editors) does not break parsing.
    const load_result r = parse_config("\xEF\xBB\xBF" + config_json());

    EXPECT_TRUE(r.cfg) << all_errors(r);
}

// ---- unknown keys, types and ranges --------------------------------------------------

TEST(LoadTest, UnknownKeySuggestsTheNearestKnownKey) {
    // Verifies the typo message, its path and the position of the misspelt name.
    const std::string text =
        "{\n"
        "  \"providers\": [{\n"
        "    \"name\": \"main\", \"issuer\": \"https://idp.example.com/\",\n"
        "    \"audiance\": [\"api\"],\n"
        "    \"algorithms\": [\"RS256\"], \"jwks_url\": \"https://idp.example.com/jwks\"\n"
        "  }]\n"
        "}";

    const load_result r = parse_config(text);

    ASSERT_GE(r.errors.size(), 1U);
    EXPECT_EQ(r.errors[0].path, "$.providers[0].audiance");
    EXPECT_EQ(r.errors[0].message, "unknown key \"audiance\" (did you mean \"audiences\"?)");
    EXPECT_EQ(r.errors[0].line, 4);
    EXPECT_EQ(r.errors[0].column, 5);
}

TEST(LoadTest, UnknownKeyFarFromEveryKnownKeyGetsNoSuggestion) {
    // Verifies that no far-fetched suggestion is made.
    const std::string text = config_json(R"("colour": "blue")");

    const load_result r = parse_config(text);

    expect_only_error(r, "$.colour", 1, column_of(text, "\"colour\""), "unknown key \"colour\"");
}

TEST(LoadTest, UnknownKeyDifferingInCaseSuggestsTheKey) {
    // Verifies that a capitalised key is suggested in its real spelling.
    const load_result r = parse_config(config_json(R"("Listen": ":8080")"));

    expect_error(r, "$.Listen", "unknown key \"Listen\" (did you mean \"listen\"?)");
}

TEST(LoadTest, WrongTypeNamesTheExpectedType) {
    // Verifies type errors for a scalar, an array and an object member.
    const std::string text = config_json(R"("threads": "4", "routes": {}, "limits": [], "strip_authorization": "yes")",
                                         R"("audiences": "api://orders")");

    const load_result r = parse_config(text);

    expect_error(r, "$.threads", "expected an integer, got a string");
    expect_error(r, "$.routes", "expected an array, got an object");
    expect_error(r, "$.limits", "expected an object, got an array");
    expect_error(r, "$.strip_authorization", "expected true or false, got a string");
    expect_error(r, "$.providers[0].audiences", "expected an array, got a string");
    EXPECT_EQ(r.errors.size(), 5U) << all_errors(r);
}

TEST(LoadTest, WrongElementTypeNamesTheElement) {
    // Verifies that an array element's error carries its index.
    const std::string text = "{\"providers\": [" + provider_json() + "],\n \"routes\": [{\"path\": \"/a\", \"match\": \"exact\", "
                                                                     "\"methods\": [\"GET\", 7]}]}";

    const load_result r = parse_config(text);

    ASSERT_EQ(r.errors.size(), 1U) << all_errors(r);
    EXPECT_EQ(r.errors[0].path, "$.routes[0].methods[1]");
    EXPECT_EQ(r.errors[0].message, "expected a string, got a number");
    EXPECT_EQ(r.errors[0].line, 2);
    EXPECT_EQ(r.errors[0].column, 65);
}

TEST(LoadTest, OutOfRangeValuesNameTheRange) {
    // Verifies the range checks of integers.
    const std::string text = config_json(
        R"("threads": 2000, "token_cache_entries": -1, "limits": {"max_token_bytes": 100, "idle_timeout_ms": 0, "max_connections": 18446744073709551615})",
        R"("leeway_s": 90000, "max_lifetime_s": 0)");

    const load_result r = parse_config(text);

    expect_error(r, "$.threads", "must be an integer from 0 to 1024, got 2000");
    expect_error(r, "$.token_cache_entries", "must be an integer from 0 to 10000000, got -1");
    expect_error(r, "$.limits.max_token_bytes", "must be an integer from 512 to 65536, got 100");
    expect_error(r, "$.limits.idle_timeout_ms", "must be an integer from 1 to 86400000, got 0");
    expect_error(r, "$.limits.max_connections", "got 18446744073709551615");
    expect_error(r, "$.providers[0].leeway_s", "must be an integer from 0 to 86400, got 90000");
    expect_error(r, "$.providers[0].max_lifetime_s", "must be an integer from 1 to 31536000, got 0");
    EXPECT_EQ(r.errors.size(), 7U) << all_errors(r);
}

TEST(LoadTest, FractionsAreNotIntegers) {
    // Verifies that 1.5 seconds of leeway is refused rather than truncated.
    const load_result r = parse_config(config_json("", R"("leeway_s": 1.5)"));

    expect_error(r, "$.providers[0].leeway_s", "got a fraction or exponent");
}

TEST(LoadTest, MissingRequiredKeyIsReportedAtItsObject) {
    // Verifies the path and position of a missing required member.
    const std::string text =
        "{\"providers\": [\n"
        "  {\"name\": \"main\", \"audiences\": [\"a\"], \"algorithms\": [\"RS256\"], \"jwks_url\": \"https://i/k\"}\n"
        "]}";

    const load_result r = parse_config(text);

    expect_only_error(r, "$.providers[0]", 2, 3, "missing required key \"issuer\"");
}

TEST(LoadTest, ProvidersAreRequiredAndNonEmpty) {
    // Verifies that a config without providers is refused either way.
    expect_only_error(parse_config("{}"), "$", 1, 1, "missing required key \"providers\"");
    expect_only_error(parse_config("{\"providers\": []}"), "$.providers", 1, 15, "configure at least one provider");
}

TEST(LoadTest, ChoiceListsTheAllowedValues) {
    // Verifies the error of an enumeration value, with a suggestion.
    const load_result r = parse_config(config_json(R"("default_auth": "requird")"));

    expect_error(r, "$.default_auth",
                 "\"requird\" is not one of \"required\", \"optional\", \"none\" (did you mean \"required\"?)");
}

TEST(LoadTest, ManyErrorsAreAllReportedInTextOrder) {
    // Verifies that loading goes on after an error and reports findings in text order.
    const std::string text = "{\"threads\": -1,\n \"realm\": 5,\n \"providers\": [" + provider_json() + "],\n \"log\": {\"fromat\": 1}}";

    const load_result r = parse_config(text);

    ASSERT_EQ(r.errors.size(), 3U) << all_errors(r);
    EXPECT_EQ(r.errors[0].path, "$.threads");
    EXPECT_EQ(r.errors[1].path, "$.realm");
    EXPECT_EQ(r.errors[2].path, "$.log.fromat");
    EXPECT_EQ(r.errors[2].message, "unknown key \"fromat\" (did you mean \"format\"?)");
}

// ---- providers -----------------------------------------------------------------------

TEST(LoadTest, AlgNoneIsRefusedInAnyCase) {
    // Verifies that none, None and NONE are each refused with the same sentence.
    const load_result r = parse_config(config_json("", R"("algorithms": ["none", "None", "NONE"])"));

    expect_error(r, "$.providers[0].algorithms[0]", "alg none can never be configured");
    expect_error(r, "$.providers[0].algorithms[1]", "alg none can never be configured");
    expect_error(r, "$.providers[0].algorithms[2]", "alg none can never be configured");
}

TEST(LoadTest, AlgorithmInWrongCaseSuggestsTheRealName) {
    // Verifies that alg names are case-sensitive (RFC 7515 §4.1.1) and the fix is named.
    const load_result r = parse_config(config_json("", R"("algorithms": ["rs256"])"));

    expect_error(r, "$.providers[0].algorithms[0]", "unknown algorithm \"rs256\" (did you mean \"RS256\"?); supported: HS256");
}

TEST(LoadTest, AlgorithmsMustBeNonEmptyAndDistinct) {
    // Verifies the empty and repeated whitelist errors.
    expect_error(parse_config(config_json("", R"("algorithms": [])")), "$.providers[0].algorithms",
                 "list at least one algorithm");
    expect_error(parse_config(config_json("", R"("algorithms": ["RS256", "RS256"])")), "$.providers[0].algorithms[1]",
                 "\"RS256\" is listed twice");
}

TEST(LoadTest, ProviderNeedsAKeySource) {
    // Verifies that a provider without keys is refused, and discovery false is no source.
    const std::string text = R"({"providers": [{"name": "a", "issuer": "https://i/", "audiences": ["x"],
                                 "algorithms": ["RS256"], "discovery": false}]})";

    const load_result r = parse_config(text);

    expect_error(r, "$.providers[0]", "no key source: set one of jwks_url, discovery, jwks_file, jwks, pem_file, "
                                      "secret_env or secret_file");
}

TEST(LoadTest, ProviderTakesExactlyOneKeySource) {
    // Verifies that a second key source is reported at its own key.
    const load_result r = parse_config(config_json("", R"("secret_env": "JWT_SECRET")"));

    expect_error(r, "$.providers[0].secret_env",
                 "\"jwks_url\" and \"secret_env\" are both set; a provider takes exactly one key source");
}

TEST(LoadTest, RemoteOptionsNeedARemoteSource) {
    // Verifies that allow_http_jwks and ca_file are refused next to local keys.
    const std::string text = R"({"providers": [{"name": "a", "issuer": "https://i/", "audiences": ["x"],
        "algorithms": ["RS256"], "pem_file": "k.pem", "allow_http_jwks": true, "ca_file": "ca.pem"}]})";

    const load_result r = parse_config(text);

    expect_error(r, "$.providers[0].allow_http_jwks", "applies only to jwks_url or discovery");
    expect_error(r, "$.providers[0].ca_file", "applies only to jwks_url or discovery");
}

TEST(LoadTest, JwksUrlMustBeAnHttpUrl) {
    // Verifies the URL shape check of jwks_url (the http policy is build_trust's).
    const std::string text = R"({"providers": [{"name": "a", "issuer": "https://i/", "audiences": ["x"],
        "algorithms": ["RS256"], "jwks_url": "ftp://idp/jwks"}]})";

    const load_result r = parse_config(text);

    expect_error(r, "$.providers[0].jwks_url", "must be an https:// URL, got \"ftp://idp/jwks\"");
}

TEST(LoadTest, DiscoveryNeedsAnIssuerUrl) {
    // Verifies that discovery, which fetches from the issuer, needs the issuer to be a URL.
    const std::string text = R"({"providers": [{"name": "a", "issuer": "my-issuer", "audiences": ["x"],
        "algorithms": ["RS256"], "discovery": true}]})";

    expect_error(parse_config(text), "$.providers[0].issuer", "discovery fetches {issuer}/.well-known/openid-configuration");
}

TEST(LoadTest, SecretEnvMustNameAVariable) {
    // Verifies the variable-name check, and that "${X}" is refused before it can expand.
    const std::string base = R"({"providers": [{"name": "a", "issuer": "https://i/", "audiences": ["x"],
        "algorithms": ["HS256"], "secret_env": )";
    const scoped_env secret("TG_TEST_SECRET", "do-not-print-me-0123456789abcdef");

    const load_result bad_name = parse_config(base + "\"JWT-SECRET\"}]}");
    const load_result reference = parse_config(base + "\"${TG_TEST_SECRET}\"}]}");

    expect_error(bad_name, "$.providers[0].secret_env", "must be the name of an environment variable");
    expect_only_error(reference, "$.providers[0].secret_env", 2, 48,
                      "secret_env takes the variable's name (\"JWT_SECRET\"), not a \"${...}\" reference");
    EXPECT_EQ(to_string(reference.errors[0]).find("do-not-print-me"), std::string::npos);
}

TEST(LoadTest, ProviderNamesAndIssuersAreUnique) {
    // Verifies that the second provider with a used name or issuer is refused.
    const std::string text = "{\"providers\": [" + provider_json() + ", " + provider_json() + "]}";

    const load_result r = parse_config(text);

    expect_error(r, "$.providers[1].name", "provider name \"main\" is already used by $.providers[0]");
    expect_error(r, "$.providers[1].issuer", "issuer is already configured by $.providers[0]");
}

TEST(LoadTest, ProviderNameIsRestricted) {
    // Verifies the character set of provider names (they end up in metrics labels).
    const std::string text = R"({"providers": [{"name": "a b", "issuer": "https://i/", "audiences": ["x"],
        "algorithms": ["RS256"], "jwks_url": "https://i/k"}]})";

    const load_result r = parse_config(text);

    expect_error(r, "$.providers[0].name", "use at most 64 letters, digits");
}

TEST(LoadTest, ClaimRulesNeedExactlyOneComparison) {
    // Verifies the claim rule shapes: both, neither, a bad value type, a missing claim.
    const load_result r = parse_config(config_json("", R"("claims": [
        {"claim": "a", "equals": "x", "contains": "y"}, {"claim": "b"}, {"claim": "c", "equals": 1.5},
        {"equals": "x"}, "tenant"])"));

    expect_error(r, "$.providers[0].claims[0]", "set exactly one of \"equals\" and \"contains\"");
    expect_error(r, "$.providers[0].claims[1]", "set exactly one of \"equals\" and \"contains\"");
    expect_error(r, "$.providers[0].claims[2].equals", "expected a string, true, false or an integer, got a number");
    expect_error(r, "$.providers[0].claims[3]", "missing required key \"claim\"");
    expect_error(r, "$.providers[0].claims[4]", "expected an object like {\"claim\": \"tenant\", \"equals\": \"acme\"}");
}

TEST(LoadTest, ScopesAreOnePerEntry) {
    // Verifies that "read write" as one scope is refused: it could never be granted.
    const load_result r = parse_config(config_json("", R"("required_scopes": ["read write"])"));

    expect_error(r, "$.providers[0].required_scopes[0]", "one scope per entry");
}

TEST(LoadTest, AudienceCheckOffWithAudiencesIsContradictory) {
    // Verifies that audiences that would be ignored are refused.
    const load_result r = parse_config(config_json("", R"("audience_check": false)"));

    expect_error(r, "$.providers[0].audience_check", "audiences are ignored when audience_check is false");
}

TEST(LoadTest, AudienceCheckOffWarnsUnlessAClaimRuleReplacesIt) {
    // Verifies the warning for an explicit opt-out, and its absence with a client-id rule.
    const std::string base = R"({"providers": [{"name": "a", "issuer": "https://i/", "audience_check": false,
        "algorithms": ["RS256"], "jwks_url": "https://i/k")";

    const load_result bare = parse_config(base + "}]}");
    const load_result ruled = parse_config(base + R"(, "claims": [{"claim": "client_id", "equals": "abc"}]}]})");

    ASSERT_TRUE(bare.cfg) << all_errors(bare);
    expect_warning(bare, "$.providers[0].audience_check", "audience checking is off");
    ASSERT_TRUE(ruled.cfg) << all_errors(ruled);
    EXPECT_TRUE(ruled.warnings.empty());
}

TEST(LoadTest, RequireExpFalseWarns) {
    // Verifies the warning for tokens that would never expire.
    const load_result r = parse_config(config_json("", R"("require_exp": false)"));

    ASSERT_TRUE(r.cfg);
    expect_warning(r, "$.providers[0].require_exp", "never expire");
}

// ---- environment expansion -------------------------------------------------------------

TEST(LoadTest, EnvironmentVariablesAreExpandedInStrings) {
    // Verifies ${NAME} substitution anywhere in a string value, including inside a URL.
    const scoped_env tenant("TG_TEST_TENANT", "acme");
    const scoped_env port("TG_TEST_PORT", "8181");
    const std::string text = R"({"listen": ":${TG_TEST_PORT}", "providers": [{"name": "a",
        "issuer": "https://${TG_TEST_TENANT}.eu.auth0.com/", "audiences": ["api://${TG_TEST_TENANT}"],
        "algorithms": ["RS256"], "jwks_url": "https://${TG_TEST_TENANT}.eu.auth0.com/.well-known/jwks.json"}]})";

    const load_result r = parse_config(text);

    ASSERT_TRUE(r.cfg) << all_errors(r);
    EXPECT_EQ(r.cfg->listen.port, 8181);
    EXPECT_EQ(r.cfg->providers[0].issuer, "https://acme.eu.auth0.com/");
    EXPECT_EQ(r.cfg->providers[0].audiences[0], "api://acme");
    EXPECT_EQ(r.cfg->providers[0].keys.jwks_url, "https://acme.eu.auth0.com/.well-known/jwks.json");
}

TEST(LoadTest, UnsetVariableNamesTheVariableAndThePath) {
    // Verifies the error for an unset variable, at the string that references it.
    const scoped_env unset("TG_TEST_UNSET", nullptr);
    const std::string text = "{\n  \"realm\": \"${TG_TEST_UNSET}\",\n  \"providers\": [" + provider_json() + "]\n}";

    const load_result r = parse_config(text);

    expect_only_error(r, "$.realm", 2, 12, "environment variable TG_TEST_UNSET is not set");
}

TEST(LoadTest, DoubleDollarEscapesALiteralReference) {
    // Verifies that "$${" yields a literal "${" and a lone '$' stays as written.
    const load_result r = parse_config(config_json(R"("realm": "cost $5 $${NOT_EXPANDED}")"));

    ASSERT_TRUE(r.cfg) << all_errors(r);
    EXPECT_EQ(r.cfg->realm, "cost $5 ${NOT_EXPANDED}");
}

TEST(LoadTest, MalformedReferencesAreErrors) {
    // Verifies unterminated and invalid references.
    expect_error(parse_config(config_json(R"("realm": "a ${HOME")")), "$.realm", "unterminated \"${\"");
    expect_error(parse_config(config_json(R"("realm": "${A-B}")")), "$.realm",
                 "\"${A-B}\" is not an environment variable reference");
    expect_error(parse_config(config_json(R"("realm": "${}")")), "$.realm", "is not an environment variable reference");
}

TEST(LoadTest, EmptyVariableExpandsToEmptyString) {
    // Verifies that a set but empty variable expands, and the result is then validated.
    const scoped_env empty("TG_TEST_EMPTY", "");

    const load_result r = parse_config(config_json(R"("realm": "${TG_TEST_EMPTY}")"));

    expect_error(r, "$.realm", "must not be empty");
}

// ---- listeners and upstream ------------------------------------------------------------

TEST(LoadTest, ListenAddressForms) {
    // Verifies host:port, [v6]:port and :port, and the refusals of other forms.
    const auto listen = [](const std::string& v) { return parse_config(config_json(R"("listen": ")" + v + "\"")); };

    EXPECT_EQ(listen("[::1]:8080").cfg->listen.host, "::1");
    EXPECT_EQ(listen(":9000").cfg->listen.host, "0.0.0.0");
    EXPECT_EQ(listen("127.0.0.1:1").cfg->listen.port, 1);
    expect_error(listen("localhost:8080"), "$.listen", "listen host must be an IP address");
    expect_error(listen("::1:8080"), "$.listen", "write an IPv6 address in brackets: \"[::1]:8080\"");
    expect_error(listen("0.0.0.0:0"), "$.listen", "port must be a number from 1 to 65535, got \"0\"");
    expect_error(listen("0.0.0.0:65536"), "$.listen", "port must be a number from 1 to 65535");
    expect_error(listen("8080"), "$.listen", "expected \"host:port\"");
}

TEST(LoadTest, ListenAndAdminMustNotShareAPort) {
    // Verifies that a wildcard listener and the admin listener cannot collide.
    const load_result r = parse_config(config_json(R"("listen": ":9901")"));

    expect_error(r, "$.listen", "listen and admin_listen both use port 9901");
}

TEST(LoadTest, UpstreamIsPlainHttpOnly) {
    // Verifies that https and anything beyond scheme://host:port are refused.
    const auto upstream = [](const std::string& v) { return parse_config(config_json(R"("upstream": ")" + v + "\"")); };

    expect_error(upstream("https://127.0.0.1:3000"), "$.upstream", "https upstreams are not supported");
    expect_error(upstream("http://127.0.0.1:3000/api"), "$.upstream", "scheme, host and port only");
    expect_error(upstream("http://user:pw@api:80"), "$.upstream", "must not carry credentials");
    expect_error(upstream("127.0.0.1:3000"), "$.upstream", "upstream must be an http:// URL");
    EXPECT_EQ(upstream("http://api").cfg->upstream.port, 80);
    EXPECT_EQ(upstream("http://[::1]:3000").cfg->upstream.host, "::1");
}

TEST(LoadTest, RealmMustFitAQuotedString) {
    // Verifies that the realm cannot break the WWW-Authenticate header.
    expect_error(parse_config(config_json(R"("realm": "a\"b")")), "$.realm", "must not contain quotes");
}

// ---- token sources, routes, identity ---------------------------------------------------

TEST(LoadTest, TokenSourceShapes) {
    // Verifies name rules per type, duplicates and the query warning.
    const load_result r = parse_config(config_json(R"("token_sources": [
        {"type": "authorization", "name": "X"}, {"type": "cookie"}, {"type": "header", "name": "X Token"},
        {"type": "query", "name": "access_token"}, {"type": "query", "name": "access_token"}, {"type": "body"}])"));

    expect_error(r, "$.token_sources[0].name", "takes no name");
    expect_error(r, "$.token_sources[1]", "missing required key \"name\"");
    expect_error(r, "$.token_sources[2].name", "\"X Token\" is not a valid header name");
    expect_error(r, "$.token_sources[4]", "this token source is listed twice");
    expect_error(r, "$.token_sources[5].type", "\"body\" is not one of");
    expect_warning(r, "$.token_sources[3]", "tokens in query strings end up in access logs");
}

TEST(LoadTest, EmptyTokenSourcesAreRefused) {
    // Verifies that tokens must be looked for somewhere.
    expect_error(parse_config(config_json(R"("token_sources": [])")), "$.token_sources", "list at least one token source");
}

TEST(LoadTest, RouteProvidersMustExist) {
    // Verifies that a route naming an unknown provider is refused with a suggestion.
    const std::string text = config_json(R"("routes": [{"path": "/a", "match": "prefix", "providers": ["main", "mian"]}])");

    const load_result r = parse_config(text);

    expect_only_error(r, "$.routes[0].providers[1]", 1, column_of(text, "\"mian\""),
                      "no provider is named \"mian\" (did you mean \"main\"?)");
}

TEST(LoadTest, RoutePathsMustBeNormalised) {
    // Verifies that route paths that could never match a normalised request are refused.
    const load_result r = parse_config(config_json(R"("routes": [
        {"path": "admin", "match": "exact"}, {"path": "/a/../b", "match": "exact"},
        {"path": "/a//b", "match": "exact"}, {"path": "/a?x=1", "match": "exact"}])"));

    expect_error(r, "$.routes[0].path", "must start with \"/\"");
    expect_error(r, "$.routes[1].path", "contains a dot segment");
    expect_error(r, "$.routes[2].path", "contains \"//\"");
    expect_error(r, "$.routes[3].path", "must not contain a query or fragment");
}

TEST(LoadTest, RouteMatchIsRequiredAndMethodsAreUpperCase) {
    // Verifies that match must be explicit and methods are case-sensitive tokens.
    const load_result r = parse_config(config_json(R"("routes": [
        {"path": "/a"}, {"path": "/b", "match": "regex"}, {"path": "/c", "match": "exact", "methods": ["get", "GET", "GET"]}])"));

    expect_error(r, "$.routes[0]", "missing required key \"match\"");
    expect_error(r, "$.routes[1].match", "\"regex\" is not one of \"exact\", \"prefix\"");
    expect_error(r, "$.routes[2].methods[0]", "\"get\" is not an upper-case method name");
    expect_error(r, "$.routes[2].methods[2]", "\"GET\" is listed twice");
}

TEST(LoadTest, UnauthenticatedRouteCannotDemandClaims) {
    // Verifies that requirements on an auth "none" route are refused as having no effect.
    const load_result r = parse_config(config_json(
        R"("routes": [{"path": "/p/", "match": "prefix", "auth": "none", "required_scopes": ["x"], "providers": ["main"]}])"));

    expect_error(r, "$.routes[0].required_scopes", "has no effect on a route with \"auth\": \"none\"");
    expect_error(r, "$.routes[0].providers", "has no effect on a route with \"auth\": \"none\"");
}

TEST(LoadTest, ShadowedRouteWarns) {
    // Verifies the warning for a route an earlier route always matches first, using the
    // proxy's segment-boundary prefix rule and method sets.
    const load_result r = parse_config(config_json(R"("routes": [
        {"path": "/api", "match": "prefix", "auth": "none"},
        {"path": "/api/admin", "match": "exact", "methods": ["POST"]},
        {"path": "/apis", "match": "exact"},
        {"path": "/other", "match": "exact", "methods": ["GET"]},
        {"path": "/other", "match": "exact"},
        {"path": "/x", "match": "exact"},
        {"path": "/x", "match": "exact", "methods": ["GET"]}])"));

    ASSERT_TRUE(r.cfg) << all_errors(r);
    ASSERT_EQ(r.warnings.size(), 2U);
    expect_warning(r, "$.routes[1]", "never matches: $.routes[0] comes first and matches the same requests");
    expect_warning(r, "$.routes[6]", "never matches: $.routes[5] comes first");
}

TEST(LoadTest, RouteWithoutPathIsAnErrorAndShadowCheckSurvivesIt) {
    // Verifies (fuzz_config found it): a prefix route missing "path" before another route is reported as missing
    // "path", and the shadowed-route check that still runs on the broken config no longer reads before the empty
    // path (std::string::back() of ""; the ASan+UBSan build reports it as pointer overflow).
    const load_result r = parse_config(config_json(R"("routes": [
        {"pth": "/orders/", "match": "prefix"},
        {"path": "/admin/", "match": "prefix"}])"));

    EXPECT_FALSE(r.cfg.has_value());
    expect_error(r, "$.routes[0]", "missing required key \"path\"");
    expect_error(r, "$.routes[0].pth", "unknown key \"pth\" (did you mean \"path\"?)");
}

TEST(LoadTest, IdentityHeadersAreValidatedAndDistinct) {
    // Verifies header name checks and that two values cannot write the same header.
    const load_result r = parse_config(config_json(R"("identity_headers": {"sub": "X-User", "email": "host", "name": 3,
        "https://example.com/roles": "X-Roles"}, "payload_header": "x-user")"));

    expect_error(r, "$.identity_headers.email", "\"host\" is a header tokengate must not set");
    expect_error(r, "$.identity_headers.name", "expected a header name (string), got a number");
    expect_error(r, "$.payload_header", "header \"x-user\" is already set by $.identity_headers.sub");
    EXPECT_EQ(r.errors.size(), 3U) << all_errors(r);
}

TEST(LoadTest, NullDisablesOptionalHeaders) {
    // Verifies that null turns the payload and provider headers off.
    const load_result r = parse_config(config_json(R"("payload_header": null, "provider_header": null)"));

    ASSERT_TRUE(r.cfg) << all_errors(r);
    EXPECT_FALSE(r.cfg->identity.payload_header);
    EXPECT_EQ(r.cfg->identity.provider_header, "");
}

TEST(LoadTest, ExposeHintsWarns) {
    // Verifies that the debug-only option is flagged.
    const load_result r = parse_config(config_json(R"("expose_hints": true)"));

    ASSERT_TRUE(r.cfg);
    expect_warning(r, "$.expose_hints", "rejection hints are sent to clients");
}

TEST(LoadTest, MaxTokenLargerThanHeaderLimitWarns) {
    // Verifies the warning for a token limit the header limit makes unreachable.
    const load_result r = parse_config(config_json(R"("limits": {"max_header_bytes": 4096, "max_token_bytes": 8192})"));

    ASSERT_TRUE(r.cfg);
    expect_warning(r, "$.limits.max_token_bytes", "larger than max_header_bytes (4096)");
}

// ---- files and printing ----------------------------------------------------------------

TEST(LoadTest, MissingFileIsAnError) {
    // Verifies that an unreadable config names the file.
    const load_result r = load_config_file("/nonexistent/tokengate.json");

    ASSERT_EQ(r.errors.size(), 1U);
    EXPECT_EQ(r.errors[0].path, "$");
    EXPECT_NE(r.errors[0].message.find("/nonexistent/tokengate.json"), std::string::npos);
}

TEST(LoadTest, RelativeKeyPathsResolveAgainstTheConfigDirectory) {
    // Verifies that key files named relatively are found beside the config file.
    const std::string dir = std::string(TOKENGATE_TEST_DATA_DIR) + "/config";

    const load_result r = load_config_file(dir + "/local.json");

    ASSERT_TRUE(r.cfg) << all_errors(r);
    EXPECT_EQ(r.cfg->providers[0].keys.jwks_file, dir + "/jwks.json");
    EXPECT_EQ(r.cfg->providers[1].keys.secret_file, dir + "/secret.txt");
}

TEST(LoadTest, DiagnosticPrintsPathMessageAndPosition) {
    // Verifies the printed form of a finding, with and without a position.
    EXPECT_EQ(to_string(diagnostic{"$.a[0]", 3, 7, "bad"}), "$.a[0]: bad (line 3, column 7)");
    EXPECT_EQ(to_string(diagnostic{"$", 0, 0, "cannot open x"}), "$: cannot open x");
}

}  // namespace
}  // namespace tokengate::config
