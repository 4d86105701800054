#include "tokengate/config/check.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace tokengate::config {
namespace {

namespace fs = std::filesystem;

const std::string data_dir = std::string(TOKENGATE_TEST_DATA_DIR) + "/config";

std::string write_temp(const std::string& text) {
    std::string pattern = (fs::temp_directory_path() / "tokengate-check-unit-XXXXXX").string();
    const int fd = ::mkstemp(pattern.data());
    EXPECT_GE(fd, 0);
    ::close(fd);
    std::ofstream(pattern, std::ios::binary) << text;
    return pattern;
}

TEST(ConfigCheckTest, LoaderAndKeyFindingsMergedInTextOrder) {
    // Verifies the report holds the loader's and build_trust's findings, sorted by line,
    // with errors and warnings counted.
    // Setup: line 3 a leeway warning (from build_trust), line 5 a plain-http error (build_trust)
    // and, after it on the same line, a require_exp warning (from the loader)
    const std::string path = write_temp(
        "{\"providers\": [\n"
        "  {\"name\": \"a\", \"issuer\": \"https://a/\", \"audiences\": [\"api\"], \"algorithms\": [\"RS256\"],\n"
        "   \"leeway_s\": 900, \"jwks_file\": \"" + data_dir + "/jwks.json\"},\n"
        "  {\"name\": \"b\", \"issuer\": \"https://b/\", \"audiences\": [\"api\"], \"algorithms\": [\"RS256\"],\n"
        "   \"jwks_url\": \"http://b.example/jwks\", \"require_exp\": false}\n"
        "]}\n");

    const check_report r = check_config_file(path);
    fs::remove(path);

    ASSERT_EQ(r.findings.size(), 3U);
    EXPECT_EQ(r.errors, 1U);
    EXPECT_EQ(r.warnings, 2U);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.findings[0].where.path, "$.providers[0].leeway_s");
    EXPECT_FALSE(r.findings[0].error);
    EXPECT_EQ(r.findings[1].where.path, "$.providers[1].jwks_url");
    EXPECT_TRUE(r.findings[1].error);
    EXPECT_EQ(r.findings[2].where.path, "$.providers[1].require_exp");
    EXPECT_FALSE(r.findings[2].error);
}

TEST(ConfigCheckTest, LoaderErrorsStopBeforeKeysAreLoaded) {
    // Verifies a config that does not load is not built (as serve): a missing key file
    // next to a typo is not reported on top of it.
    const std::string path = write_temp(
        "{\"providers\": [{\"name\": \"a\", \"issuer\": \"https://a/\", \"audiance\": [\"api\"], "
        "\"algorithms\": [\"RS256\"], \"jwks_file\": \"/nonexistent/jwks.json\"}]}");

    const check_report r = check_config_file(path);
    fs::remove(path);

    ASSERT_EQ(r.findings.size(), 1U);
    EXPECT_EQ(r.findings[0].where.path, "$.providers[0].audiance");
    EXPECT_TRUE(r.findings[0].error);
}

}  // namespace
}  // namespace tokengate::config
