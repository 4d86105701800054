#include "tokengate/proxy/clock_drift.hpp"

#include <gtest/gtest.h>

namespace tokengate::proxy {
namespace {

using std::chrono::seconds;

validate::decision accepted_with_iat(std::optional<double> iat) {
    validate::decision d;
    d.ev.iat = iat;
    return d;
}

TEST(ClockDriftTest, IatAheadByMoreThanOneSecondIsDrift) {
    // Verifies the offset is reported when iat leads now by more than a second.
    const auto ahead = clock_drift_of(accepted_with_iat(1000), 980.5);

    ASSERT_TRUE(ahead.has_value());
    EXPECT_DOUBLE_EQ(*ahead, 19.5);
}

TEST(ClockDriftTest, RoundingLeadOfUpToOneSecondIsNotDrift) {
    // Verifies iat in whole seconds up to 1 s ahead (rounding), iat in the past and a
    // token without iat give nothing.
    EXPECT_FALSE(clock_drift_of(accepted_with_iat(1000), 999.0).has_value());
    EXPECT_FALSE(clock_drift_of(accepted_with_iat(1000), 999.5).has_value());
    EXPECT_FALSE(clock_drift_of(accepted_with_iat(1000), 1200).has_value());
    EXPECT_FALSE(clock_drift_of(accepted_with_iat(std::nullopt), 0).has_value());
    EXPECT_TRUE(clock_drift_of(accepted_with_iat(1000), 998.9).has_value());
}

TEST(ClockDriftTest, LimiterAllowsOneWarningPerProviderPerInterval) {
    // Verifies the first warning passes, repeats inside the interval do not, the next
    // interval opens at first + interval, and providers are limited independently.
    drift_limiter limiter(seconds(60));

    EXPECT_TRUE(limiter.allow(3, 1000));
    EXPECT_FALSE(limiter.allow(3, 1000));
    EXPECT_FALSE(limiter.allow(3, 1059));
    EXPECT_TRUE(limiter.allow(4, 1001));
    EXPECT_TRUE(limiter.allow(3, 1060));
    EXPECT_FALSE(limiter.allow(3, 1061));
}

TEST(ClockDriftTest, LimiterClampsUnknownProviderIds) {
    // Verifies ids beyond the label table share the overflow slot rather than index out of it.
    drift_limiter limiter(seconds(60));

    EXPECT_TRUE(limiter.allow(60000, 0));
    EXPECT_FALSE(limiter.allow(metrics::max_provider_labels - 1, 1));
}

}  // namespace
}  // namespace tokengate::proxy
