#include "tokengate/cli/args.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tokengate::cli {
namespace {

using strings = std::vector<std::string>;

// Shaped like `tokengate explain`: repeatable valued options and two switches.
const arg_spec spec{{"--jwks", "--alg", "--issuer"}, {"--json", "--verbose"}};

// `--name value` stores the value under the name.
TEST(ArgsTest, ValuedOptionTakesNextArgument) {
    const auto r = parse_args({"--jwks", "keys.json"}, spec);

    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->last("--jwks"), "keys.json");
    EXPECT_TRUE(r->positional.empty());
}

// A switch is recorded as present and takes no argument with it.
TEST(ArgsTest, SwitchRecordedWithoutConsumingNext) {
    const auto r = parse_args({"--json", "token"}, spec);

    ASSERT_TRUE(r) << r.error();
    EXPECT_TRUE(r->has("--json"));
    EXPECT_FALSE(r->has("--verbose"));
    EXPECT_EQ(r->positional, strings{"token"});
}

// `--name=value` splits at the first '=': the value may itself contain '=' or be empty.
TEST(ArgsTest, EqualsFormSplitsAtFirstEquals) {
    const auto r = parse_args({"--jwks=a.json", "--alg=RS256=x", "--issuer="}, spec);

    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->last("--jwks"), "a.json");
    EXPECT_EQ(r->last("--alg"), "RS256=x");
    EXPECT_EQ(r->last("--issuer"), "");
}

// A repeated option keeps every value in order; last() is the final one.
TEST(ArgsTest, RepeatedOptionKeepsAllValuesInOrder) {
    const auto r = parse_args({"--jwks", "a.json", "--jwks=b.json", "--jwks", "c.json"}, spec);

    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->all("--jwks"), (strings{"a.json", "b.json", "c.json"}));
    EXPECT_EQ(r->last("--jwks"), "c.json");
}

// An option never given: last() is nullopt and all() is empty.
TEST(ArgsTest, AbsentOptionHasNoValue) {
    const auto r = parse_args({}, spec);

    ASSERT_TRUE(r) << r.error();
    EXPECT_FALSE(r->last("--jwks").has_value());
    EXPECT_TRUE(r->all("--jwks").empty());
}

// An option not in the spec fails, naming it (without any "=value" part).
TEST(ArgsTest, UnknownOptionFailsNamingIt) {
    const auto plain = parse_args({"--jwsk", "keys.json"}, spec);
    const auto with_value = parse_args({"--secret=hunter2"}, spec);

    ASSERT_FALSE(plain);
    EXPECT_EQ(plain.error(), "unknown option --jwsk");
    ASSERT_FALSE(with_value);
    EXPECT_EQ(with_value.error(), "unknown option --secret");
}

// A valued option at the end of the line fails with "needs a value".
TEST(ArgsTest, MissingValueFails) {
    const auto r = parse_args({"token", "--jwks"}, spec);

    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), "--jwks needs a value");
}

// A switch given a value with '=' fails rather than silently ignoring the value.
TEST(ArgsTest, SwitchWithValueFails) {
    const auto r = parse_args({"--json=false"}, spec);

    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), "--json takes no value");
}

// A lone "-" (stdin) and other non-options are positionals, in order.
TEST(ArgsTest, DashAndPlainWordsArePositionals) {
    const auto r = parse_args({"explain", "-", "--json", "-x", "tail"}, spec);

    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->positional, (strings{"explain", "-", "-x", "tail"}));
    EXPECT_TRUE(r->has("--json"));
}

}  // namespace
}  // namespace tokengate::cli
