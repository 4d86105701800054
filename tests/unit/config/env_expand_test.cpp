#include "tokengate/config/env_expand.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace tokengate::config {
namespace {

class ConfigEnvExpandTest : public ::testing::Test {
protected:
    void SetUp() override {
        ::setenv("TG_EXPAND_A", "alpha", 1);
        ::setenv("TG_EXPAND_EMPTY", "", 1);
        ::unsetenv("TG_EXPAND_UNSET");
    }
    void TearDown() override {
        ::unsetenv("TG_EXPAND_A");
        ::unsetenv("TG_EXPAND_EMPTY");
    }
    std::string error_;
};

TEST_F(ConfigEnvExpandTest, ReferencesAreReplaced) {
    // Verifies replacement at the start, middle and end, and repeated references.
    EXPECT_EQ(expand_env("${TG_EXPAND_A}", error_), "alpha");
    EXPECT_EQ(expand_env("x-${TG_EXPAND_A}-${TG_EXPAND_A}", error_), "x-alpha-alpha");
    EXPECT_EQ(expand_env("[${TG_EXPAND_EMPTY}]", error_), "[]");
}

TEST_F(ConfigEnvExpandTest, DollarsWithoutBraceStayAndDoubleDollarEscapes) {
    // Verifies that only "${" is special and "$${" is a literal "${".
    EXPECT_EQ(expand_env("$5 $A $$ $", error_), "$5 $A $$ $");
    EXPECT_EQ(expand_env("$${TG_EXPAND_A}", error_), "${TG_EXPAND_A}");
    // Scanned left to right: a plain '$', then the escape "$${".
    EXPECT_EQ(expand_env("$$${TG_EXPAND_A}", error_), "$${TG_EXPAND_A}");
}

TEST_F(ConfigEnvExpandTest, FailuresNameTheProblem) {
    // Verifies the three failures and their messages.
    EXPECT_FALSE(expand_env("${TG_EXPAND_UNSET}", error_));
    EXPECT_EQ(error_, "environment variable TG_EXPAND_UNSET is not set");
    EXPECT_FALSE(expand_env("${TG_EXPAND_A", error_));
    EXPECT_EQ(error_, "unterminated \"${\"; write \"$${\" for a literal \"${\"");
    EXPECT_FALSE(expand_env("${9LIVES}", error_));
    EXPECT_EQ(error_.rfind("\"${9LIVES}\" is not an environment variable reference", 0), 0U);
}

TEST_F(ConfigEnvExpandTest, ExpandedValuesAreNotExpandedAgain) {
    // Verifies single-pass expansion: a value containing "${" stays literal.
    ::setenv("TG_EXPAND_A", "${TG_EXPAND_UNSET}", 1);

    EXPECT_EQ(expand_env("${TG_EXPAND_A}", error_), "${TG_EXPAND_UNSET}");
}

TEST(ConfigEnvNameTest, PosixNames) {
    // Verifies the variable name rule.
    EXPECT_TRUE(is_env_name("JWT_SECRET"));
    EXPECT_TRUE(is_env_name("_x1"));
    EXPECT_FALSE(is_env_name(""));
    EXPECT_FALSE(is_env_name("1X"));
    EXPECT_FALSE(is_env_name("JWT-SECRET"));
}

}  // namespace
}  // namespace tokengate::config
