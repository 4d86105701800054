#include "tokengate/config/json_source.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tokengate::config {
namespace {

TEST(ConfigJsonSourceTest, LineIndexCountsCharactersNotBytes) {
    // Verifies 1-based lines and columns, with a two-byte character counted once.
    const std::string text = "ab\n\xC3\xA9x\n";
    const line_index lines(text);

    EXPECT_EQ(lines.at(0).line, 1);
    EXPECT_EQ(lines.at(0).column, 1);
    EXPECT_EQ(lines.at(3).line, 2);
    EXPECT_EQ(lines.at(3).column, 1);
    EXPECT_EQ(lines.at(5).column, 2);  // 'x' after 'é'
    EXPECT_EQ(lines.at(7).line, 3);
    EXPECT_EQ(lines.at(999).line, 3);  // clamped to the end
}

TEST(ConfigJsonSourceTest, ValuesAndKeysAreLocatedPastCommentsAndSeparators) {
    // Verifies the recorded offsets of values, member names and array elements.
    const std::string text = "{ /* c */ \"a\" : [ 1 , // x\n {\"b\": null} ] }";
    const line_index lines(text);

    const located_json src = parse_located(text, lines);

    ASSERT_FALSE(src.error);
    EXPECT_EQ(src.value_offsets.at("$"), 0U);
    EXPECT_EQ(src.key_offsets.at("$.a"), text.find("\"a\""));
    EXPECT_EQ(src.value_offsets.at("$.a"), text.find('['));
    EXPECT_EQ(src.value_offsets.at("$.a[0]"), text.find('1'));
    EXPECT_EQ(src.value_offsets.at("$.a[1]"), text.find("{\"b\""));
    EXPECT_EQ(src.value_offsets.at("$.a[1].b"), text.find("null"));
}

TEST(ConfigJsonSourceTest, PathsQuoteNamesThatAreNotIdentifiers) {
    // Verifies bracket notation for names such as namespaced claims.
    EXPECT_EQ(member_path("$", "leeway_s"), "$.leeway_s");
    EXPECT_EQ(member_path("$.identity_headers", "https://example.com/roles"),
              "$.identity_headers[\"https://example.com/roles\"]");
    EXPECT_EQ(member_path("$", "a\"b"), "$[\"a\\\"b\"]");
    EXPECT_EQ(member_path("$", "1st"), "$[\"1st\"]");
    EXPECT_EQ(element_path("$.providers", 3), "$.providers[3]");
}

TEST(ConfigJsonSourceTest, DuplicateNameNamesTheFirstLine) {
    // Verifies the duplicate refusal at the second name, pointing back at the first.
    const std::string text = "{\"x\": {\n\"k\": 1,\n\"k\": 2}}";
    const line_index lines(text);

    const located_json src = parse_located(text, lines);

    ASSERT_TRUE(src.error);
    EXPECT_EQ(src.error->path, "$.x.k");
    EXPECT_EQ(src.error->message, "duplicate key \"k\" (first at line 2)");
    EXPECT_EQ(src.error->line, 3);
    EXPECT_EQ(src.error->column, 1);
}

TEST(ConfigJsonSourceTest, DepthBoundAllowsExactlyTheMaximum) {
    // Verifies the nesting bound at max_config_depth and one past it.
    const auto nested = [](int depth) { return std::string(static_cast<std::size_t>(depth), '[') + std::string(static_cast<std::size_t>(depth), ']'); };
    const std::string ok = nested(max_config_depth);
    const std::string deep = nested(max_config_depth + 1);

    EXPECT_FALSE(parse_located(ok, line_index(ok)).error);
    const located_json refused = parse_located(deep, line_index(deep));
    ASSERT_TRUE(refused.error);
    EXPECT_EQ(refused.error->column, max_config_depth + 1);
}

}  // namespace
}  // namespace tokengate::config
