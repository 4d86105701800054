#include "tokengate/reason.hpp"

#include <gtest/gtest.h>

#include <set>

namespace tokengate {
namespace {

// Every reason has a distinct code that parses back to itself.
TEST(ReasonTest, CodesRoundTripAndAreDistinct) {
    std::set<std::string_view> seen;
    for (reason r : all_reasons) {
        const auto code = to_string(r);
        EXPECT_TRUE(seen.insert(code).second) << code;
        EXPECT_EQ(parse_reason(code), r);
    }
    EXPECT_EQ(seen.size(), 18u);
    EXPECT_FALSE(parse_reason("Expired").has_value());
}

}  // namespace
}  // namespace tokengate
