#include "tokengate/log/event_log.hpp"

#include <gtest/gtest.h>

namespace tokengate::log {
namespace {

TEST(EventLogTest, AccessSamplingFollowsTheConfiguredRate) {
    // Verifies: no access lines when off or at 0, all at 1, and about the configured fraction in between.
    config::log_config off;
    config::log_config none;
    none.access_log = true;
    none.access_log_sample = 0.0;
    config::log_config all;
    all.access_log = true;
    config::log_config quarter = all;
    quarter.access_log_sample = 0.25;

    int sampled = 0;
    constexpr int trials = 20000;
    for (int i = 0; i < trials; ++i) {
        EXPECT_FALSE(access_sampled(off));
        EXPECT_FALSE(access_sampled(none));
        EXPECT_TRUE(access_sampled(all));
        sampled += access_sampled(quarter) ? 1 : 0;
    }

    // 20,000 draws at p = 0.25: the standard deviation is ~61, so ±1,000 never fails by chance.
    EXPECT_GT(sampled, trials / 4 - 1000);
    EXPECT_LT(sampled, trials / 4 + 1000);
}

}  // namespace
}  // namespace tokengate::log
