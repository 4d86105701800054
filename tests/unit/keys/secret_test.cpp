#include "tokengate/keys/secret.hpp"

#include "support/scoped_env.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

namespace tokengate::keys {
namespace {

using namespace std::string_view_literals;

namespace fs = std::filesystem;

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

// Gives each test its own fresh directory (mkdtemp), removed afterwards.
class SecretTest : public testing::Test {
protected:
    void SetUp() override {
        std::string templ = (fs::temp_directory_path() / "tokengate-secret-XXXXXX").string();
        ASSERT_NE(mkdtemp(templ.data()), nullptr);
        dir_ = templ;
    }

    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    // Writes `bytes` exactly (binary mode: no newline translation) and returns the path.
    std::string write(const std::string& name, std::string_view bytes) const {
        const fs::path p = dir_ / name;
        std::ofstream out(p, std::ios::binary);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        return p.string();
    }

    fs::path dir_;
};

using test::scoped_env;

constexpr const char* env_name = "TOKENGATE_UNIT_TEST_SECRET";

// The file is taken byte for byte: a trailing newline stays, because the issuer may have
// signed with it (the hint code tries both ways).
TEST_F(SecretTest, FileKeepsTrailingNewline) {
    const std::string path = write("jwt.secret", "s3cr3t-value\n");

    const auto s = read_secret_file(path);

    ASSERT_TRUE(s) << s.error();
    EXPECT_EQ(*s, "s3cr3t-value\n");
}

// CR LF, NUL and high bytes survive unchanged.
TEST_F(SecretTest, FileKeepsBinaryBytes) {
    const std::string_view bytes = "\x00\xff key\r\n\x80"sv;
    const std::string path = write("binary.secret", bytes);

    const auto s = read_secret_file(path);

    ASSERT_TRUE(s) << s.error();
    EXPECT_EQ(*s, bytes);
}

// A missing file fails with a message naming the path and the OS reason.
TEST_F(SecretTest, MissingFileNamesPath) {
    const std::string path = (dir_ / "absent.secret").string();

    const auto s = read_secret_file(path);

    ASSERT_FALSE(s);
    EXPECT_EQ(s.error(), "cannot open " + path + ": No such file or directory");
}

// An empty file is refused: an empty HMAC secret would accept anyone who knows that.
TEST_F(SecretTest, EmptyFileRefused) {
    const std::string path = write("empty.secret", "");

    const auto s = read_secret_file(path);

    ASSERT_FALSE(s);
    EXPECT_EQ(s.error(), "secret file " + path + " is empty");
}

// A file over 64 KiB is not a secret (probably the wrong path) and is refused.
TEST_F(SecretTest, OversizedFileRefused) {
    const std::string path = write("huge.secret", std::string(64 * 1024 + 1, 'x'));
    const std::string at_limit = write("limit.secret", std::string(64 * 1024, 'x'));

    const auto big = read_secret_file(path);
    const auto ok = read_secret_file(at_limit);

    ASSERT_FALSE(big);
    EXPECT_EQ(big.error(), path + " is larger than 65536 bytes");
    ASSERT_TRUE(ok) << ok.error();
    EXPECT_EQ(ok->size(), 64u * 1024u);
}

// read_file honours its own limit and names the path.
TEST_F(SecretTest, ReadFileRespectsLimit) {
    const std::string path = write("ten.bytes", "0123456789");

    const auto ok = read_file(path, 10);
    const auto over = read_file(path, 9);

    ASSERT_TRUE(ok) << ok.error();
    EXPECT_EQ(*ok, "0123456789");
    ASSERT_FALSE(over);
    EXPECT_EQ(over.error(), path + " is larger than 9 bytes");
}

// The environment variable's value is taken byte for byte, trailing newline included.
TEST_F(SecretTest, EnvValueTakenAsIs) {
    const scoped_env env(env_name, "env-secret\n");

    const auto s = read_secret_env(env_name);

    ASSERT_TRUE(s) << s.error();
    EXPECT_EQ(*s, "env-secret\n");
}

// An unset or empty variable fails with a message naming the variable.
TEST_F(SecretTest, EnvUnsetOrEmptyRefused) {
    {
        const scoped_env env(env_name, nullptr);
        const auto s = read_secret_env(env_name);
        ASSERT_FALSE(s);
        EXPECT_EQ(s.error(), std::string("environment variable ") + env_name + " is not set");
    }
    {
        const scoped_env env(env_name, "");
        const auto s = read_secret_env(env_name);
        ASSERT_FALSE(s);
        EXPECT_EQ(s.error(), std::string("environment variable ") + env_name + " is empty");
    }
}

// A trailing newline gets the classic `echo` warning; the secret itself is never quoted.
TEST_F(SecretTest, WarningForTrailingNewlineOmitsSecret) {
    const std::string secret = "hunter2-do-not-log\n";

    const std::string w = secret_whitespace_warning(secret);

    EXPECT_EQ(w, "the HMAC secret ends with a newline (often from `echo` or a file editor); "
                 "tokens signed without it will fail");
    EXPECT_FALSE(contains(w, "hunter2"));
}

// Leading whitespace and other trailing whitespace are named by kind, without the secret.
TEST_F(SecretTest, WarningForLeadingSpaceAndOtherWhitespace) {
    const std::string leading = secret_whitespace_warning(" hunter2");
    const std::string crlf = secret_whitespace_warning("hunter2\r");
    const std::string tab = secret_whitespace_warning("hunter2\t");

    EXPECT_EQ(leading, "the HMAC secret starts with a space; tokens signed without it will fail");
    EXPECT_TRUE(crlf.starts_with("the HMAC secret ends with a carriage return")) << crlf;
    EXPECT_TRUE(tab.starts_with("the HMAC secret ends with a tab")) << tab;
    for (const std::string& w : {leading, crlf, tab}) EXPECT_FALSE(contains(w, "hunter2")) << w;
}

// A clean secret, and an empty one, get no warning.
TEST_F(SecretTest, NoWarningForCleanSecret) {
    EXPECT_EQ(secret_whitespace_warning("hunter2 with inner spaces"), "");
    EXPECT_EQ(secret_whitespace_warning(""), "");
}

}  // namespace
}  // namespace tokengate::keys
