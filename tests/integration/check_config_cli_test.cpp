// Runs the real `tokengate check-config` (and `serve` on the same files): every SPEC §5
// refusal and warning with its JSON path and line/column, the summary line, the exit
// statuses, and that serve refuses a config with exactly the errors check-config prints.
#include "support/process.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace tokengate::test {
namespace {

namespace fs = std::filesystem;

const std::string data_dir = std::string(TOKENGATE_TEST_DATA_DIR) + "/config";
// The 48-byte secret of secret.txt / secret_newline.txt: never to be printed.
const std::string secret_text = [] {
    std::ifstream f(data_dir + "/secret.txt", std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
}();

// A config whose one provider has `members` (one per line) besides name and issuer, laid
// out so findings have known lines:
//   line 1 {
//   line 2   "listen": "127.0.0.1:18080", "admin_listen": "127.0.0.1:18081",
//   line 3   "providers": [{
//   line 4     "name": "p", "issuer": "https://idp.example.com/",
//   line 5+    one member of `members` per line
std::string config_with(const std::vector<std::string>& members) {
    std::string text =
        "{\n  \"listen\": \"127.0.0.1:18080\", \"admin_listen\": \"127.0.0.1:18081\",\n  \"providers\": [{\n"
        "    \"name\": \"p\", \"issuer\": \"https://idp.example.com/\",\n";
    for (std::size_t i = 0; i < members.size(); ++i) text += "    " + members[i] + (i + 1 < members.size() ? ",\n" : "\n");
    return text + "  }]\n}\n";
}

const std::string audiences = R"("audiences": ["api"])";
const std::string rs256 = R"("algorithms": ["RS256"])";
const std::string jwks_file = R"("jwks_file": ")" + data_dir + R"(/jwks.json")";

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

class CheckConfigCliTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "tokengate-check-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr) << "mkdtemp failed";
        dir_ = pattern;
    }

    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    std::string write_config(const std::string& text, const std::string& name = "config.json") const {
        const fs::path path = dir_ / name;
        std::ofstream f(path, std::ios::binary);
        f << text;
        return path.string();
    }

    process_result tokengate(std::vector<std::string> args) const {
        args.insert(args.begin(), TOKENGATE_BINARY);
        process_result r = run_process(args);
        EXPECT_EQ(r.out.find(secret_text), std::string::npos) << "stdout shows the HMAC secret";
        EXPECT_EQ(r.err.find(secret_text), std::string::npos) << "stderr shows the HMAC secret";
        return r;
    }

    process_result check(const std::string& config_text) const {
        return tokengate({"check-config", write_config(config_text)});
    }

    const fs::path& dir() const { return dir_; }

private:
    fs::path dir_;
};

TEST_F(CheckConfigCliTest, ValidConfigExitsZeroWithOkSummary) {
    // Verifies a sound config: exit 0, "config OK" on stdout, nothing on stderr.
    const process_result r = check(config_with({audiences, rs256, jwks_file}));

    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "config OK\n");
    EXPECT_EQ(r.err, "");
}

TEST_F(CheckConfigCliTest, SyntaxErrorNamesLineAndColumn) {
    // Verifies a JSON syntax error is an error at its line and column, exit 1.
    // Setup: line 4 ends in a trailing comma before "}"
    const std::string text = "{\n  \"providers\": [\n    {\"name\": \"p\",}\n  ]\n}\n";

    const process_result r = check(text);

    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "error: $.providers[0].name: syntax error: missing a name for object member (line 3, column 18)\n");
    EXPECT_EQ(r.out, "1 error, 0 warnings\n");
}

TEST_F(CheckConfigCliTest, UnknownKeySuggestsNearestKnownKey) {
    // Verifies a misspelt key is refused with "did you mean" at the key's position.
    const process_result r = check(config_with({R"("audiance": ["api"])", rs256, jwks_file}));

    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err,
              "error: $.providers[0].audiance: unknown key \"audiance\" (did you mean \"audiences\"?) (line 5, column 5)\n");
    EXPECT_EQ(r.out, "1 error, 0 warnings\n");
}

TEST_F(CheckConfigCliTest, SecretFileWithTrailingNewlineWarnsWithoutShowingIt) {
    // Verifies an HMAC secret file ending in a newline is a warning at secret_file, and the
    // secret itself is printed nowhere (checked for every invocation).
    const process_result r =
        check(config_with({audiences, R"("algorithms": ["HS256"])",
                           R"("secret_file": ")" + data_dir + R"(/secret_newline.txt")"}));

    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "warning: $.providers[0].secret_file: provider p: the HMAC secret ends with a newline (often from "
                     "`echo` or a file editor); tokens signed without it will fail (line 7, column 20)\n");
    EXPECT_EQ(r.out, "config OK (1 warning)\n");
}

TEST_F(CheckConfigCliTest, SecretEnvWithLeadingSpaceWarns) {
    // Verifies a secret from the environment starting with whitespace is a warning too.
    process_options options;
    options.env = {{"TOKENGATE_TEST_SECRET", " " + secret_text}};
    const std::string path =
        write_config(config_with({audiences, R"("algorithms": ["HS256"])", R"("secret_env": "TOKENGATE_TEST_SECRET")"}));

    const process_result r = run_process({TOKENGATE_BINARY, "check-config", path}, options);

    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "warning: $.providers[0].secret_env: provider p: the HMAC secret starts with a space; tokens "
                     "signed without it will fail (line 7, column 19)\n");
    EXPECT_EQ(r.err.find(secret_text), std::string::npos);
}

TEST_F(CheckConfigCliTest, LeewayOver300SecondsWarns) {
    // Verifies leeway_s above 300 is a warning at leeway_s, exit 0.
    const process_result r = check(config_with({audiences, rs256, R"("leeway_s": 301)", jwks_file}));

    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "warning: $.providers[0].leeway_s: provider p: leeway 301 s is over 300 s; expired tokens stay "
                     "usable that long (line 7, column 17)\n");
    EXPECT_EQ(r.out, "config OK (1 warning)\n");
}

TEST_F(CheckConfigCliTest, MixedHmacAndRsaWhitelistWarns) {
    // Verifies HS256 next to RS256 in one whitelist warns of algorithm confusion (and that
    // the RSA key set cannot serve HS256).
    const process_result r = check(config_with({audiences, R"("algorithms": ["RS256", "HS256"])", jwks_file}));

    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto lines = lines_of(r.err);
    ASSERT_EQ(lines.size(), 2U) << r.err;
    EXPECT_EQ(lines[0], "warning: $.providers[0].algorithms: provider p: HS and asymmetric algorithms in one whitelist "
                        "invite algorithm confusion; split them into two providers (line 6, column 19)");
    EXPECT_EQ(lines[1].rfind("warning: $.providers[0].jwks_file: no key of JWKS file ", 0), 0U) << lines[1];
    EXPECT_NE(lines[1].find("can verify HS256; tokens using it will fail (line 7, column 18)"), std::string::npos)
        << lines[1];
    EXPECT_EQ(r.out, "config OK (2 warnings)\n");
}

TEST_F(CheckConfigCliTest, PlainHttpJwksAllowedExplicitlyWarns) {
    // Verifies an http:// jwks_url with allow_http_jwks is accepted with a warning (and not fetched).
    const process_result r = check(config_with(
        {audiences, rs256, R"("jwks_url": "http://idp.example.com/jwks.json")", R"("allow_http_jwks": true)"}));

    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "warning: $.providers[0].jwks_url: plain-HTTP JWKS: anyone on the network path can substitute "
                     "the keys (line 7, column 17)\n");
    EXPECT_EQ(r.out, "config OK (1 warning)\n");
}

TEST_F(CheckConfigCliTest, PlainHttpJwksWithoutAllowHttpRefused) {
    // Verifies an http:// jwks_url without allow_http_jwks is an error.
    const process_result r = check(config_with({audiences, rs256, R"("jwks_url": "http://idp.example.com/jwks.json")"}));

    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "error: $.providers[0].jwks_url: keys would be fetched over plain http; use https, or set "
                     "\"allow_http_jwks\": true (test setups only) (line 7, column 17)\n");
    EXPECT_EQ(r.out, "1 error, 0 warnings\n");
}

TEST_F(CheckConfigCliTest, MissingAudienceRefused) {
    // Verifies a provider without audiences (and without audience_check false) is refused.
    const process_result r = check(config_with({rs256, jwks_file}));

    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "error: $.providers[0]: provider p: no audience configured; set audiences, or disable audience "
                     "checking explicitly (line 3, column 17)\n");
}

TEST_F(CheckConfigCliTest, AudienceCheckDisabledWithoutClaimRuleWarns) {
    // Verifies "audience_check": false is accepted, with a warning unless a claim rule replaces it.
    const process_result r = check(config_with({R"("audience_check": false)", rs256, jwks_file}));

    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "warning: $.providers[0].audience_check: audience checking is off and no claim rule replaces "
                     "it: any token of this issuer is accepted, whichever client it was issued to; add a \"claims\" "
                     "rule on client_id or azp (line 5, column 23)\n");
    EXPECT_EQ(r.out, "config OK (1 warning)\n");
}

TEST_F(CheckConfigCliTest, AlgNoneRefused) {
    // Verifies "none" in a whitelist is refused at its array element.
    const process_result r = check(config_with({audiences, R"("algorithms": ["none"])", jwks_file}));

    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "error: $.providers[0].algorithms[0]: alg none can never be configured (line 6, column 20)\n");
}

TEST_F(CheckConfigCliTest, KeyFilesAreLoadedAndTheirErrorsReported) {
    // Verifies check-config loads key files as serve does: a missing JWKS file and an
    // RSA-1024 PEM are errors at their members.
    const std::string text =
        "{\n  \"providers\": [\n"
        "    {\"name\": \"a\", \"issuer\": \"https://a/\", \"audiences\": [\"api\"], \"algorithms\": [\"RS256\"],\n"
        "     \"jwks_file\": \"missing.json\"},\n"
        "    {\"name\": \"b\", \"issuer\": \"https://b/\", \"audiences\": [\"api\"], \"algorithms\": [\"RS256\"],\n"
        "     \"pem_file\": \"" + data_dir + "/rsa1024.pem\"}\n  ]\n}\n";

    const process_result r = check(text);

    EXPECT_EQ(r.exit_code, 1);
    const auto lines = lines_of(r.err);
    ASSERT_EQ(lines.size(), 2U) << r.err;
    EXPECT_EQ(lines[0], "error: $.providers[0].jwks_file: cannot open " + (dir() / "missing.json").string() +
                            ": No such file or directory (line 4, column 19)");
    EXPECT_EQ(lines[1].rfind("error: $.providers[1].pem_file: ", 0), 0U) << lines[1];
    EXPECT_NE(lines[1].find("1024"), std::string::npos) << lines[1];
    EXPECT_NE(lines[1].find("(line 6, column 18)"), std::string::npos) << lines[1];
    EXPECT_EQ(r.out, "2 errors, 0 warnings\n");
}

TEST_F(CheckConfigCliTest, ErrorsAndWarningsPrintedInTextOrder) {
    // Verifies findings of the loader and of key loading come out sorted by line, errors
    // and warnings mixed, with both counted in the summary.
    const std::string text =
        "{\n  \"providers\": [\n"
        "    {\"name\": \"a\", \"issuer\": \"https://a/\", \"audiences\": [\"api\"], \"algorithms\": [\"RS256\"],\n"
        "     \"leeway_s\": 900, \"jwks_file\": \"" + data_dir + "/jwks.json\"},\n"
        "    {\"name\": \"b\", \"issuer\": \"https://b/\", \"audiences\": [\"api\"], \"algorithms\": [\"RS256\"],\n"
        "     \"jwks_url\": \"http://b.example/jwks\"}\n  ]\n}\n";

    const process_result r = check(text);

    EXPECT_EQ(r.exit_code, 1);
    const auto lines = lines_of(r.err);
    ASSERT_EQ(lines.size(), 2U) << r.err;
    EXPECT_EQ(lines[0].rfind("warning: $.providers[0].leeway_s: ", 0), 0U) << lines[0];
    EXPECT_EQ(lines[1].rfind("error: $.providers[1].jwks_url: ", 0), 0U) << lines[1];
    EXPECT_EQ(r.out, "1 error, 1 warning\n");
}

TEST_F(CheckConfigCliTest, ServeRefusesTheSameErrorsWithTheSameMessages) {
    // Verifies `serve` refuses a config check-config rejects, printing each of the same
    // error messages, and exits 1 without listening.
    const std::string text =
        "{\n  \"listen\": \"127.0.0.1:18080\", \"admin_listen\": \"127.0.0.1:18081\",\n  \"providers\": [\n"
        "    {\"name\": \"a\", \"issuer\": \"https://a/\", \"algorithms\": [\"RS256\"],\n"
        "     \"jwks_file\": \"" + data_dir + "/jwks.json\"},\n"
        "    {\"name\": \"b\", \"issuer\": \"https://b/\", \"audiences\": [\"api\"], \"algorithms\": [\"RS256\"],\n"
        "     \"jwks_url\": \"http://b.example/jwks\"}\n  ]\n}\n";
    const std::string path = write_config(text);

    const process_result checked = tokengate({"check-config", path});
    const process_result served = tokengate({"serve", "--config", path});

    ASSERT_EQ(checked.exit_code, 1);
    const auto lines = lines_of(checked.err);
    ASSERT_EQ(lines.size(), 2U) << checked.err;
    EXPECT_EQ(served.exit_code, 1) << served.err;
    for (const auto& line : lines) {
        ASSERT_EQ(line.rfind("error: ", 0), 0U) << line;
        EXPECT_NE(served.err.find(line.substr(7)), std::string::npos) << "serve did not say: " << line << "\n"
                                                                      << served.err;
    }
    EXPECT_EQ(served.out.find("proxy.listen"), std::string::npos) << served.out;
}

TEST_F(CheckConfigCliTest, ServeRefusesAnUnknownKeyLikeCheckConfig) {
    // Verifies the loader's errors (before any key is loaded) stop serve the same way.
    const std::string path = write_config(config_with({R"("audiance": ["api"])", rs256, jwks_file}));

    const process_result checked = tokengate({"check-config", path});
    const process_result served = tokengate({"serve", "--config", path});

    ASSERT_EQ(checked.exit_code, 1);
    EXPECT_EQ(served.exit_code, 1);
    const std::string message = lines_of(checked.err).at(0).substr(7);
    EXPECT_NE(served.err.find(message), std::string::npos) << served.err;
}

TEST_F(CheckConfigCliTest, MissingArgumentIsUsageError) {
    // Verifies check-config without a file exits 2 with the usage.
    const process_result r = tokengate({"check-config"});

    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("usage: tokengate check-config FILE"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
}

TEST_F(CheckConfigCliTest, TwoFilesOrUnknownOptionAreUsageErrors) {
    // Verifies extra arguments and unknown options exit 2 without checking anything.
    const std::string path = write_config(config_with({audiences, rs256, jwks_file}));

    const process_result two = tokengate({"check-config", path, path});
    const process_result option = tokengate({"check-config", "--json", path});

    EXPECT_EQ(two.exit_code, 2);
    EXPECT_EQ(option.exit_code, 2);
    EXPECT_NE(option.err.find("unknown option --json"), std::string::npos) << option.err;
}

TEST_F(CheckConfigCliTest, UnopenableFileIsInputErrorNotConfigError) {
    // Verifies a file that cannot be opened (missing, a directory) exits 2: nothing was
    // checked, so 1 ("the config has errors") would be wrong.
    const process_result missing = tokengate({"check-config", (dir() / "absent.json").string()});
    const process_result directory = tokengate({"check-config", dir().string()});

    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_EQ(missing.err, "tokengate check-config: cannot open " + (dir() / "absent.json").string() +
                               ": No such file or directory\n");
    EXPECT_EQ(directory.exit_code, 2);
    EXPECT_EQ(directory.err, "tokengate check-config: " + dir().string() + " is a directory\n");
}

TEST_F(CheckConfigCliTest, HelpExitsZeroAndTopLevelHelpListsCommand) {
    // Verifies check-config --help and the top-level --help.
    const process_result own = tokengate({"check-config", "--help"});
    const process_result top = tokengate({"--help"});

    EXPECT_EQ(own.exit_code, 0);
    EXPECT_NE(own.out.find("Exit status: 0 no errors"), std::string::npos) << own.out;
    EXPECT_NE(top.out.find("check-config FILE"), std::string::npos) << top.out;
}

}  // namespace
}  // namespace tokengate::test
