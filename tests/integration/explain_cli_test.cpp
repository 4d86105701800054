// Runs the real `tokengate` binary: `explain` end to end (flags, stdin, key files, exit
// status, text and JSON output) plus the top-level commands. Every invocation is also
// checked for leaks: no token signature and no secret on stdout or stderr.
#include "support/process.hpp"
#include "support/test_keys.hpp"
#include "support/token_builder.hpp"

#include "tokengate/crypto/digest.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace tokengate::test {
namespace {

namespace fs = std::filesystem;

// Fixed instants, so every run renders the same human times.
constexpr std::int64_t issued_at = 1'700'000'000;      // 2023-11-14T22:13:20Z
constexpr std::int64_t expires_at = issued_at + 3600;  // 2023-11-14T23:13:20Z
const std::string during = std::to_string(issued_at + 60);
const std::string issuer = "https://issuer.example";

// 43 bytes: long enough for HS256 (32), too short for HS384, so HS256 is the only default.
const std::string hmac_secret = "explain-cli-secret-7f3a9c1e5b2d4f6a8c0e2b4d";

// {"alg":"RS256","kid":"k1","typ":"JWT"}
const std::string rs256_kid_header = R"({"alg":"RS256","kid":"k1","typ":"JWT"})";
// {"alg":"HS256","typ":"JWT"}
const std::string hs256_header = R"({"alg":"HS256","typ":"JWT"})";

// {"iss":"https://issuer.example","aud":"api","sub":"user-1","iat":1700000000,"exp":1700003600}
std::string good_claims() {
    return R"({"iss":")" + issuer + R"(","aud":"api","sub":"user-1","iat":)" + std::to_string(issued_at) +
           R"(,"exp":)" + std::to_string(expires_at) + "}";
}

std::string signature_segment(const std::string& token) { return token.substr(token.rfind('.') + 1); }

// The value printed after a label of the human output ("reason             expired").
std::string line_value(const std::string& out, std::string_view label) {
    std::size_t start = 0;
    while (start < out.size()) {
        const std::size_t end = std::min(out.find('\n', start), out.size());
        const std::string_view line(out.data() + start, end - start);
        if (line.size() > label.size() && line.substr(0, label.size()) == label && line[label.size()] == ' ') {
            const std::size_t value = line.find_first_not_of(' ', label.size());
            return value == std::string_view::npos ? "" : std::string(line.substr(value));
        }
        start = end + 1;
    }
    return "<no line " + std::string(label) + ">";
}

bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

// Per-test temp directory for key material, plus the leak check every invocation gets.
class ExplainCliTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "tokengate-explain-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr) << "mkdtemp failed";
        dir_ = pattern;
    }

    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    std::string write_file(const std::string& name, const std::string& content) const {
        const fs::path path = dir_ / name;
        std::ofstream f(path, std::ios::binary);
        f << content;
        return path.string();
    }

    std::string path_in_dir(const std::string& name) const { return (dir_ / name).string(); }

    // A token whose signature segment must never be printed.
    std::string remember(std::string token) {
        never_printed_.push_back(signature_segment(token));
        return token;
    }

    std::string rs256_token(const std::string& header, const std::string& claims, int key_index = 0) {
        return remember(make_token(header, claims, jose::alg::rs256, rsa_pair(key_index).priv.get()));
    }

    std::string hs256_token(const std::string& claims, const std::string& secret = hmac_secret) {
        return remember(make_hmac_token(hs256_header, claims, jose::alg::hs256, secret));
    }

    std::string jwks_file() const {
        return write_file("jwks.json", R"({"keys":[)" + jwk_json(rsa_pair(), "k1") + "]}");
    }

    std::string secret_file(const std::string& content = hmac_secret) const { return write_file("secret", content); }

    process_result tokengate(std::vector<std::string> args, process_options options = {}) {
        args.insert(args.begin(), TOKENGATE_BINARY);
        process_result r = run_process(args, options);
        expect_no_leak(r);
        return r;
    }

    process_result explain(std::vector<std::string> args, process_options options = {}) {
        args.insert(args.begin(), "explain");
        return tokengate(std::move(args), std::move(options));
    }

private:
    void expect_no_leak(const process_result& r) const {
        for (const auto& s : never_printed_) {
            if (s.empty()) continue;  // alg none: there is no signature to leak
            EXPECT_FALSE(contains(r.out, s)) << "stdout shows a token signature";
            EXPECT_FALSE(contains(r.err, s)) << "stderr shows a token signature";
        }
        // The secret with or without newline is a substring of itself; one check covers both.
        EXPECT_FALSE(contains(r.out, hmac_secret)) << "stdout shows the HMAC secret";
        EXPECT_FALSE(contains(r.err, hmac_secret)) << "stderr shows the HMAC secret";
    }

    fs::path dir_;
    std::vector<std::string> never_printed_;
};

TEST_F(ExplainCliTest, Rs256TokenWithJwksFileAccepted) {
    // Verifies an RS256 token checked against a JWKS file is accepted with exit 0.
    // Setup
    const std::string token = rs256_token(rs256_kid_header, good_claims());
    const std::string jwks = jwks_file();

    // Act
    const process_result r =
        explain({token, "--jwks", jwks, "--issuer", issuer, "--audience", "api", "--at", during});

    // Check
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(line_value(r.out, "verdict"), "ACCEPTED");
    EXPECT_EQ(line_value(r.out, "signature"), "verified");
    EXPECT_TRUE(contains(r.out, crypto::token_fingerprint(token))) << r.out;
    EXPECT_EQ(r.err, "");
}

TEST_F(ExplainCliTest, Rs256TokenWithPemFileAccepted) {
    // Verifies --jwks also takes a PEM public key file (no kid in the token, none in PEM).
    // Setup
    // {"alg":"RS256","typ":"JWT"}
    const std::string token = rs256_token(R"({"alg":"RS256","typ":"JWT"})", good_claims());
    const std::string pem = write_file("public.pem", public_pem(rsa_pair()));

    // Act
    const process_result r = explain({token, "--jwks", pem, "--issuer", issuer, "--audience", "api", "--at", during});

    // Check
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(line_value(r.out, "verdict"), "ACCEPTED");
}

TEST_F(ExplainCliTest, Hs256TokenWithSecretFileAccepted) {
    // Verifies an HS256 token checked with --secret-file is accepted.
    // Setup
    const std::string token = hs256_token(good_claims());
    const std::string secret = secret_file();

    // Act
    const process_result r = explain({token, "--secret-file", secret, "--audience", "api", "--at", during});

    // Check
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(line_value(r.out, "verdict"), "ACCEPTED");
    EXPECT_EQ(line_value(r.out, "signature"), "verified");
}

TEST_F(ExplainCliTest, Hs256TokenWithSecretEnvAccepted) {
    // Verifies an HS256 token checked with --secret-env NAME (secret in the child's environment).
    // Setup
    const std::string token = hs256_token(good_claims());
    process_options options;
    options.env = {{"TOKENGATE_TEST_JWT_SECRET", hmac_secret}};

    // Act
    const process_result r =
        explain({token, "--secret-env", "TOKENGATE_TEST_JWT_SECRET", "--audience", "api", "--at", during}, options);

    // Check
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(line_value(r.out, "verdict"), "ACCEPTED");
}

TEST_F(ExplainCliTest, SecretFileWithTrailingNewlineRejectedWithNewlineHint) {
    // Verifies the classic `echo secret > file` mistake is named: confirmed hint plus a warning.
    // Setup: the issuer signed with the bare secret; the file holds it plus "\n".
    const std::string token = hs256_token(good_claims());
    const std::string secret = secret_file(hmac_secret + "\n");

    // Act
    const process_result r = explain({token, "--secret-file", secret, "--audience", "api", "--at", during});

    // Check
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_EQ(line_value(r.out, "reason"), "bad_signature");
    EXPECT_EQ(line_value(r.out, "hint"), "verifies with the configured secret minus its trailing newline: fix the secret");
    EXPECT_TRUE(contains(r.err, "warning:")) << r.err;
    EXPECT_TRUE(contains(r.err, "ends with a newline")) << r.err;
}

TEST_F(ExplainCliTest, ExpiredTokenAcceptedWhenEvaluatedBeforeExp) {
    // Verifies --at moves the clock: one second before exp the token is still good.
    // Setup
    const std::string token = rs256_token(rs256_kid_header, good_claims());

    // Act
    const process_result r = explain({token, "--jwks", jwks_file(), "--issuer", issuer, "--audience", "api", "--at",
                                      std::to_string(expires_at - 1)});

    // Check
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(line_value(r.out, "verdict"), "ACCEPTED");
    EXPECT_EQ(line_value(r.out, "evaluated at"), "2023-11-14T23:13:19Z");
}

TEST_F(ExplainCliTest, ExpiredTokenRejectedWhenEvaluatedAfterExpWithHumanTimes) {
    // Verifies an evaluation 3m12s after exp is rejected as expired with UTC times and leeway.
    // Setup
    const std::string token = rs256_token(rs256_kid_header, good_claims());

    // Act
    const process_result r = explain({token, "--jwks", jwks_file(), "--issuer", issuer, "--audience", "api", "--at",
                                      std::to_string(expires_at + 192)});

    // Check
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_EQ(line_value(r.out, "verdict"), "REJECTED");
    EXPECT_EQ(line_value(r.out, "reason"), "expired");
    EXPECT_EQ(line_value(r.out, "hint"),
              "expired 3m12s ago (exp 2023-11-14T23:13:20Z, now 2023-11-14T23:16:32Z, leeway 30 s)");
}

TEST_F(ExplainCliTest, JsonOutputOfAcceptedTokenParses) {
    // Verifies --json prints one parsable object with verdict, reason, hint, header, claims.
    // Setup
    const std::string token = rs256_token(rs256_kid_header, good_claims());

    // Act
    const process_result r =
        explain({token, "--json", "--jwks", jwks_file(), "--issuer", issuer, "--audience", "api", "--at", during});

    // Check
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    rapidjson::Document doc;
    doc.Parse(r.out.c_str());
    ASSERT_FALSE(doc.HasParseError()) << r.out;
    ASSERT_TRUE(doc.IsObject());
    for (const char* m : {"verdict", "reason", "hint", "header", "claims", "token_fp"})
        ASSERT_TRUE(doc.HasMember(m)) << "no member " << m << " in " << r.out;
    EXPECT_STREQ(doc["verdict"].GetString(), "accepted");
    EXPECT_TRUE(doc["reason"].IsNull());
    EXPECT_TRUE(doc["hint"].IsNull());
    ASSERT_TRUE(doc["header"].IsObject());
    EXPECT_STREQ(doc["header"]["alg"].GetString(), "RS256");
    EXPECT_STREQ(doc["header"]["kid"].GetString(), "k1");
    ASSERT_TRUE(doc["claims"].IsObject());
    EXPECT_STREQ(doc["claims"]["sub"].GetString(), "user-1");
    EXPECT_EQ(doc["claims"]["exp"].GetInt64(), expires_at);
    EXPECT_EQ(doc["token_fp"].GetString(), crypto::token_fingerprint(token));
}

TEST_F(ExplainCliTest, JsonOutputOfRejectedTokenCarriesReasonAndHint) {
    // Verifies --json of a rejection carries the reason code and the same hint as the text output.
    // Setup
    const std::string token = rs256_token(rs256_kid_header, good_claims());

    // Act
    const process_result r = explain({token, "--json", "--jwks", jwks_file(), "--issuer", issuer, "--audience", "api",
                                      "--at", std::to_string(expires_at + 192)});

    // Check
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    rapidjson::Document doc;
    doc.Parse(r.out.c_str());
    ASSERT_FALSE(doc.HasParseError()) << r.out;
    ASSERT_TRUE(doc.IsObject());
    for (const char* m : {"verdict", "reason", "hint", "header", "claims"})
        ASSERT_TRUE(doc.HasMember(m)) << "no member " << m << " in " << r.out;
    EXPECT_STREQ(doc["verdict"].GetString(), "rejected");
    EXPECT_STREQ(doc["reason"].GetString(), "expired");
    EXPECT_STREQ(doc["hint"].GetString(),
                 "expired 3m12s ago (exp 2023-11-14T23:13:20Z, now 2023-11-14T23:16:32Z, leeway 30 s)");
    EXPECT_TRUE(doc["header"].IsObject());
    EXPECT_TRUE(doc["claims"].IsObject());
}

TEST_F(ExplainCliTest, StdinTokenWithOneNewlineSameAsArgument) {
    // Verifies `echo TOKEN | tokengate explain -` gives exactly what the argument form gives.
    // Setup
    const std::string token = rs256_token(rs256_kid_header, good_claims());
    const std::string jwks = jwks_file();
    const std::vector<std::string> flags = {"--jwks", jwks, "--issuer", issuer, "--audience", "api", "--at", during};
    std::vector<std::string> from_arg = {token};
    from_arg.insert(from_arg.end(), flags.begin(), flags.end());
    std::vector<std::string> from_stdin = {"-"};
    from_stdin.insert(from_stdin.end(), flags.begin(), flags.end());
    process_options options;
    options.stdin_data = token + "\n";

    // Act
    const process_result by_arg = explain(from_arg);
    const process_result by_stdin = explain(from_stdin, options);

    // Check
    EXPECT_EQ(by_stdin.exit_code, 0) << by_stdin.out << by_stdin.err;
    EXPECT_EQ(by_stdin.exit_code, by_arg.exit_code);
    EXPECT_EQ(by_stdin.out, by_arg.out);
    EXPECT_EQ(by_stdin.err, by_arg.err);
}

TEST_F(ExplainCliTest, StdinTokenWithTwoNewlinesMalformedWithWhitespaceHint) {
    // Verifies only one trailing newline is forgiven: a second one is diagnosed, not hidden.
    // Setup
    const std::string token = rs256_token(rs256_kid_header, good_claims());
    process_options options;
    options.stdin_data = token + "\n\n";

    // Act
    const process_result r = explain({"-", "--jwks", jwks_file(), "--at", during}, options);

    // Check
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_EQ(line_value(r.out, "reason"), "malformed_token");
    EXPECT_EQ(line_value(r.out, "hint"),
              "trailing whitespace (newline): leading/trailing whitespace around the token; strip it where the "
              "token is copied or read from a file");
}

TEST_F(ExplainCliTest, StdinTokenWithLeadingSpaceMalformedWithWhitespaceHint) {
    // Verifies a leading space on stdin is kept and diagnosed.
    // Setup
    const std::string token = rs256_token(rs256_kid_header, good_claims());
    process_options options;
    options.stdin_data = " " + token + "\n";

    // Act
    const process_result r = explain({"-", "--jwks", jwks_file(), "--at", during}, options);

    // Check
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_EQ(line_value(r.out, "reason"), "malformed_token");
    EXPECT_EQ(line_value(r.out, "hint"),
              "leading whitespace (space): leading/trailing whitespace around the token; strip it where the "
              "token is copied or read from a file");
}

TEST_F(ExplainCliTest, NoKeyDecodesAndSaysSignatureNotChecked) {
    // Verifies that without a key the token is decoded with human times, never reported as accepted.
    // Setup
    const std::string token = rs256_token(rs256_kid_header, good_claims());

    // Act
    const process_result r = explain({token, "--at", during});

    // Check
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_TRUE(contains(line_value(r.out, "signature"), "NOT CHECKED")) << r.out;
    EXPECT_FALSE(contains(r.out, "ACCEPTED")) << r.out;
    EXPECT_TRUE(contains(r.out, "header\n")) << r.out;
    EXPECT_EQ(line_value(r.out, "  alg"), "\"RS256\"");
    EXPECT_EQ(line_value(r.out, "  kid"), "\"k1\"");
    EXPECT_TRUE(contains(r.out, "claims\n")) << r.out;
    EXPECT_EQ(line_value(r.out, "  sub"), "\"user-1\"");
    EXPECT_EQ(line_value(r.out, "  exp"), "1700003600  2023-11-14T23:13:20Z (in 59m)");
    EXPECT_EQ(line_value(r.out, "  iat"), "1700000000  2023-11-14T22:13:20Z (1m ago)");
}

TEST_F(ExplainCliTest, IssuerWithTrailingSlashRejectedWithSlashHint) {
    // Verifies an iss that differs only by a trailing slash is bad_issuer with that exact diagnosis.
    // Setup
    // {"iss":"https://issuer.example/","aud":"api","iat":1700000000,"exp":1700003600}
    const std::string claims = R"({"iss":"https://issuer.example/","aud":"api","iat":1700000000,"exp":1700003600})";
    const std::string token = rs256_token(rs256_kid_header, claims);

    // Act
    const process_result r =
        explain({token, "--jwks", jwks_file(), "--issuer", issuer, "--audience", "api", "--at", during});

    // Check
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_EQ(line_value(r.out, "reason"), "bad_issuer");
    EXPECT_EQ(line_value(r.out, "hint"),
              "differs only by a trailing slash (token \"https://issuer.example/\", configured "
              "\"https://issuer.example\"): iss is compared exactly");
}

TEST_F(ExplainCliTest, WrongAudienceRejectedListingExpectedAndGot) {
    // Verifies bad_audience names both the configured audiences and the token's.
    // Setup
    // {"iss":"https://issuer.example","aud":"billing","iat":1700000000,"exp":1700003600}
    const std::string claims = R"({"iss":"https://issuer.example","aud":"billing","iat":1700000000,"exp":1700003600})";
    const std::string token = rs256_token(rs256_kid_header, claims);

    // Act
    const process_result r = explain({token, "--jwks", jwks_file(), "--issuer", issuer, "--audience", "api",
                                      "--audience", "api2", "--at", during});

    // Check
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_EQ(line_value(r.out, "reason"), "bad_audience");
    EXPECT_EQ(line_value(r.out, "hint"), R"(expected one of ["api", "api2"], got ["billing"])");
}

TEST_F(ExplainCliTest, RequiredClaimMissingRejected) {
    // Verifies --require names a claim the token lacks as missing_claim.
    // Setup
    const std::string token = rs256_token(rs256_kid_header, good_claims());

    // Act
    const process_result r = explain({token, "--jwks", jwks_file(), "--issuer", issuer, "--audience", "api",
                                      "--require", "tenant", "--at", during});

    // Check
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_EQ(line_value(r.out, "reason"), "missing_claim");
    EXPECT_EQ(line_value(r.out, "hint"), "claim tenant is required and absent");
}

TEST_F(ExplainCliTest, AlgNoneTokenRejected) {
    // Verifies an unsigned token is alg_not_allowed even with a key and every other check passing.
    // Setup
    // {"alg":"none","typ":"JWT"} . good claims . (empty signature)
    const std::string token = remember(make_raw_token(R"({"alg":"none","typ":"JWT"})", good_claims(), ""));

    // Act
    const process_result r =
        explain({token, "--jwks", jwks_file(), "--issuer", issuer, "--audience", "api", "--at", during});

    // Check
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_EQ(line_value(r.out, "reason"), "alg_not_allowed");
    EXPECT_EQ(line_value(r.out, "hint"), "alg none is never accepted");
}

TEST_F(ExplainCliTest, TokenSignedByAnotherKeyRejectedAsBadSignature) {
    // Verifies a token signed by another RSA key under the same kid is bad_signature, not accepted.
    // Setup
    const std::string token = rs256_token(rs256_kid_header, good_claims(), 1);

    // Act
    const process_result r =
        explain({token, "--jwks", jwks_file(), "--issuer", issuer, "--audience", "api", "--at", during});

    // Check
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_EQ(line_value(r.out, "reason"), "bad_signature");
    EXPECT_EQ(line_value(r.out, "hint"),
              "signed by a different key than the one with this kid: another tenant or stage, or the token was "
              "altered");
}

TEST_F(ExplainCliTest, HmacTokenSignedWithPublicKeyRejectedAsConfirmedConfusion) {
    // Verifies the algorithm-confusion hint is confirmed when HS256 verifies with the RSA public key.
    // Setup: the attacker uses the published PEM as the HMAC secret.
    const std::string pem = public_pem(rsa_pair());
    const std::string token = remember(make_hmac_token(hs256_header, good_claims(), jose::alg::hs256, pem));
    const std::string pem_path = write_file("public.pem", pem);

    // Act
    const process_result r =
        explain({token, "--jwks", pem_path, "--issuer", issuer, "--audience", "api", "--at", during});

    // Check
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_EQ(line_value(r.out, "reason"), "alg_not_allowed");
    EXPECT_TRUE(contains(line_value(r.out, "hint"), "confirmed: the HS256 signature verifies with the provider's"))
        << r.out;
    EXPECT_TRUE(contains(line_value(r.out, "hint"), "an algorithm-confusion attack")) << r.out;
}

TEST_F(ExplainCliTest, VersionExitsZero) {
    // Verifies `tokengate version` prints the version and succeeds.
    const process_result r = tokengate({"version"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("tokengate ", 0), 0U) << r.out;
}

TEST_F(ExplainCliTest, HelpExitsZero) {
    // Verifies `tokengate --help` prints usage and succeeds.
    const process_result r = tokengate({"--help"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "usage: tokengate")) << r.out;
}

TEST_F(ExplainCliTest, ExplainHelpExitsZero) {
    // Verifies `tokengate explain --help` lists the flags and succeeds.
    const process_result r = explain({"--help"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "--secret-file")) << r.out;
}

TEST_F(ExplainCliTest, UnknownCommandExitsTwo) {
    // Verifies an unknown command is a usage error naming the command.
    const process_result r = tokengate({"frobnicate"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(contains(r.err, "unknown command \"frobnicate\"")) << r.err;
}

// One usage or input error: arguments ({token}, {dir} substituted), an optional file to
// create first, and the text stderr must contain.
struct usage_case {
    const char* name;
    std::vector<std::string> args;
    std::string expected_err;
    std::string file_name = {};
    std::string file_content = {};
    std::optional<std::string> stdin_data = {};
};

// Keeps test names readable in ctest output instead of a byte dump of the case.
void PrintTo(const usage_case& c, std::ostream* os) { *os << c.name; }

class ExplainCliUsageTest : public ExplainCliTest, public ::testing::WithParamInterface<usage_case> {};

TEST_P(ExplainCliUsageTest, ExitsTwoNamingTheProblem) {
    // Verifies each usage or input error exits 2, prints no verdict, and names the problem on stderr.
    // Setup
    const usage_case& c = GetParam();
    const std::string token = rs256_token(rs256_kid_header, good_claims());
    if (!c.file_name.empty()) write_file(c.file_name, c.file_content);
    std::vector<std::string> args;
    for (std::string a : c.args) {
        if (a == "{token}") a = token;
        if (const auto p = a.find("{dir}/"); p != std::string::npos) a.replace(p, 6, path_in_dir(""));
        args.push_back(a);
    }
    process_options options;
    options.stdin_data = c.stdin_data;
    std::string expected = c.expected_err;
    if (const auto p = expected.find("{dir}/"); p != std::string::npos) expected.replace(p, 6, path_in_dir(""));

    // Act
    const process_result r = explain(args, options);

    // Check
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_TRUE(contains(r.err, expected)) << "stderr: " << r.err << "\nexpected to contain: " << expected;
}

INSTANTIATE_TEST_SUITE_P(
    UsageErrors, ExplainCliUsageTest,
    ::testing::Values(
        usage_case{"NoToken", {"--at", "1700000060"}, "give exactly one token"},
        usage_case{"TwoTokens", {"{token}", "{token}"}, "give exactly one token"},
        usage_case{"UnknownFlag", {"{token}", "--frobnicate"}, "unknown option --frobnicate"},
        usage_case{"FlagWithoutValue", {"{token}", "--jwks"}, "--jwks needs a value"},
        usage_case{"AtNotANumber", {"{token}", "--at", "yesterday"}, "--at needs UNIX seconds (an integer"},
        usage_case{"AtBeyondClockRange", {"{token}", "--at", "99999999999"},
                   "--at needs UNIX seconds (an integer within ±9223372036), got \"99999999999\""},
        usage_case{"AlgorithmsNone", {"{token}", "--algorithms", "none"}, "--algorithms: \"none\" is not a supported algorithm"},
        usage_case{"NegativeLeeway", {"{token}", "--leeway", "-5"}, "--leeway needs a non-negative integer, got \"-5\""},
        usage_case{"MissingSecretFile", {"{token}", "--secret-file", "{dir}/no-such-secret"},
                   "cannot open {dir}/no-such-secret"},
        usage_case{"UnsetSecretEnv", {"{token}", "--secret-env", "TOKENGATE_TEST_SURELY_UNSET_VARIABLE"},
                   "environment variable TOKENGATE_TEST_SURELY_UNSET_VARIABLE is not set"},
        usage_case{"ShortSecret", {"{token}", "--secret-file", "{dir}/short"}, "HMAC secret needs at least 32 bytes",
                   "short", "too-short-secret"},
        usage_case{"JwksNotJson", {"{token}", "--jwks", "{dir}/jwks.json"}, "{dir}/jwks.json: JWKS is not a JSON object",
                   "jwks.json", "this is not JSON"},
        usage_case{"MissingJwksFile", {"{token}", "--jwks", "{dir}/absent.json"}, "cannot open {dir}/absent.json"},
        usage_case{"EmptyStdin", {"-"}, "stdin is empty", {}, {}, std::string()}),
    [](const ::testing::TestParamInfo<usage_case>& p) { return std::string(p.param.name); });

// An asymmetric algorithm whose token verifies against the matching JWK.
class ExplainCliAlgTest : public ExplainCliTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(ExplainCliAlgTest, TokenVerifiedWithMatchingJwkAccepted) {
    // Verifies every asymmetric family loads from a JWKS file and verifies end to end.
    // Setup
    const jose::alg a = *jose::parse_alg(GetParam());
    const std::string header = R"({"alg":")" + std::string(jose::to_string(a)) + R"(","kid":"k1"})";
    const std::string token = remember(make_token(header, good_claims(), a, pair_for(a).priv.get()));
    const std::string jwks = write_file("jwks.json", R"({"keys":[)" + jwk_json(pair_for(a), "k1") + "]}");

    // Act
    const process_result r = explain({token, "--jwks", jwks, "--algorithms", std::string(jose::to_string(a)),
                                      "--issuer", issuer, "--audience", "api", "--at", during});

    // Check
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(line_value(r.out, "verdict"), "ACCEPTED");
}

INSTANTIATE_TEST_SUITE_P(Algorithms, ExplainCliAlgTest,
                         ::testing::Values("RS384", "PS256", "ES256", "ES384", "ES512", "EdDSA"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace tokengate::test
