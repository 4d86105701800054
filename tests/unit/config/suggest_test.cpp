#include "tokengate/config/suggest.hpp"

#include <gtest/gtest.h>

namespace tokengate::config {
namespace {

TEST(ConfigSuggestTest, EditDistanceCountsSingleEdits) {
    // Verifies Levenshtein distances of typical typos.
    EXPECT_EQ(edit_distance("", ""), 0U);
    EXPECT_EQ(edit_distance("abc", ""), 3U);
    EXPECT_EQ(edit_distance("audiance", "audiences"), 2U);
    EXPECT_EQ(edit_distance("leway_s", "leeway_s"), 1U);
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3U);
}

TEST(ConfigSuggestTest, NearestPrefersCaseInsensitiveMatches) {
    // Verifies that a case-only difference wins over a closer-looking candidate.
    EXPECT_EQ(nearest("RS256", {"rs256x", "rs256"}), "rs256");
    EXPECT_EQ(nearest("jwks_uri", {"jwks_url", "jwks_file", "jwks"}), "jwks_url");
}

TEST(ConfigSuggestTest, NearestGivesUpWhenNothingIsClose) {
    // Verifies that unrelated names get no suggestion.
    EXPECT_FALSE(nearest("colour", {"listen", "threads", "realm"}));
    EXPECT_FALSE(nearest("x", {}));
    EXPECT_EQ(did_you_mean("colour", {"listen"}), "");
    EXPECT_EQ(did_you_mean("listne", {"listen"}), " (did you mean \"listen\"?)");
}

}  // namespace
}  // namespace tokengate::config
