#include "tokengate/fetch/cache_policy.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace tokengate::fetch {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(CachePolicyTest, MaxAgeIsRead) {
    EXPECT_EQ(max_age("max-age=300"), seconds(300));
    EXPECT_EQ(max_age("public, max-age=86400, must-revalidate"), seconds(86400));
    EXPECT_EQ(max_age("Max-Age = 60"), seconds(60));
    EXPECT_EQ(max_age("max-age=\"45\""), seconds(45));
}

TEST(CachePolicyTest, FirstMaxAgeWinsWhenRepeated) { EXPECT_EQ(max_age("max-age=10, max-age=999"), seconds(10)); }

TEST(CachePolicyTest, NoCacheAndNoStoreMeanZero) {
    EXPECT_EQ(max_age("no-cache"), seconds(0));
    EXPECT_EQ(max_age("max-age=600, no-store"), seconds(0));
}

TEST(CachePolicyTest, NothingUsableIsNullopt) {
    EXPECT_EQ(max_age(""), std::nullopt);
    EXPECT_EQ(max_age("public"), std::nullopt);
    EXPECT_EQ(max_age("max-age=-5"), std::nullopt);
    EXPECT_EQ(max_age("max-age=abc"), std::nullopt);
    EXPECT_EQ(max_age("max-age"), std::nullopt);
    EXPECT_EQ(max_age("s-maxage=30"), std::nullopt);
}

TEST(CachePolicyTest, HugeMaxAgeIsVeryLongNotInvalid) {
    const auto a = max_age("max-age=99999999999999999999999");
    ASSERT_TRUE(a);
    EXPECT_GT(*a, seconds(86400 * 365));
}

TEST(CachePolicyTest, OverflowingMaxAgeCountsOnlyWhenItIsDigits) {
    // Regression (fuzz_fetch): an overflow skipped the sign and trailing-text checks, so these
    // meant "very long" (the configured refresh_max) instead of nothing.
    EXPECT_EQ(max_age("max-age=-99999999999999999999"), std::nullopt);
    EXPECT_EQ(max_age("max-age=99999999999999999999x"), std::nullopt);
    EXPECT_EQ(max_age("max-age=99999999999999999999 5"), std::nullopt);
    EXPECT_EQ(max_age("max-age=-0"), std::nullopt);
    EXPECT_EQ(max_age("max-age=\"\""), std::nullopt);
    EXPECT_EQ(max_age("max-age=\"99999999999999999999\""), seconds(INT64_MAX / 2));
}

TEST(CachePolicyTest, LifetimeIsClampedToTheConfiguredBounds) {
    config::jwks_cache_config c;
    c.refresh_min = seconds(60);
    c.refresh_max = seconds(3600);
    c.refresh_default = seconds(600);
    EXPECT_EQ(lifetime(seconds(5), c), seconds(60));
    EXPECT_EQ(lifetime(seconds(0), c), seconds(60));
    EXPECT_EQ(lifetime(seconds(900), c), seconds(900));
    EXPECT_EQ(lifetime(seconds(86400), c), seconds(3600));
    EXPECT_EQ(lifetime(std::nullopt, c), seconds(600));
}

TEST(CachePolicyTest, RefreshHappensBetween75And90PercentOfTheLifetime) {
    EXPECT_EQ(refresh_delay(seconds(100), 0.0), milliseconds(75000));
    EXPECT_EQ(refresh_delay(seconds(100), 0.5), milliseconds(82500));
    EXPECT_EQ(refresh_delay(seconds(100), 0.999999), milliseconds(89999));
    EXPECT_EQ(refresh_delay(seconds(100), 7.0), milliseconds(90000));  // out-of-range input clamped
}

TEST(CachePolicyTest, RetriesDoubleUpToTheCapWithJitterBelow) {
    config::jwks_cache_config c;
    c.retry_min = milliseconds(1000);
    c.retry_max = milliseconds(10000);
    EXPECT_EQ(retry_delay(1, c, 0.0), milliseconds(1000));
    EXPECT_EQ(retry_delay(2, c, 0.0), milliseconds(2000));
    EXPECT_EQ(retry_delay(3, c, 0.0), milliseconds(4000));
    EXPECT_EQ(retry_delay(4, c, 0.0), milliseconds(8000));
    EXPECT_EQ(retry_delay(5, c, 0.0), milliseconds(10000));
    EXPECT_EQ(retry_delay(500, c, 0.0), milliseconds(10000));
    EXPECT_EQ(retry_delay(1, c, 1.0), milliseconds(800));
}

}  // namespace
}  // namespace tokengate::fetch
