#include "tokengate/log/rate_limit.hpp"

#include <gtest/gtest.h>

namespace tokengate::log {
namespace {

int allowed_of(rejection_limiter& l, reason r, std::int64_t second, int attempts) {
    int n = 0;
    for (int i = 0; i < attempts; ++i) n += l.allow(r, second) ? 1 : 0;
    return n;
}

TEST(RateLimitTest, BudgetPerReasonPerSecond) {
    // Verifies: 3 lines per second pass per reason; a different reason has its own budget.
    rejection_limiter l(3);

    EXPECT_EQ(allowed_of(l, reason::expired, 100, 10), 3);
    EXPECT_EQ(allowed_of(l, reason::bad_signature, 100, 10), 3);
    EXPECT_EQ(allowed_of(l, reason::expired, 101, 2), 2);
}

TEST(RateLimitTest, ClosedWindowReportedOnceWithItsCount) {
    // Verifies: the suppressed count of a second is reported once that second has passed, then forgotten.
    rejection_limiter l(3);
    (void)allowed_of(l, reason::expired, 100, 10);

    EXPECT_TRUE(l.take_reports(100).empty()) << "the window is still open";
    const auto reports = l.take_reports(101);
    ASSERT_EQ(reports.size(), 1U);
    EXPECT_EQ(reports[0].code, reason::expired);
    EXPECT_EQ(reports[0].suppressed, 7U);
    EXPECT_EQ(reports[0].second, 100);
    EXPECT_TRUE(l.take_reports(102).empty());
}

TEST(RateLimitTest, ReportsWithoutFurtherRejections) {
    // Verifies: a flood that stops is still reported: take_reports alone (the timer) yields it, per reason.
    rejection_limiter l(1);
    (void)allowed_of(l, reason::expired, 50, 4);
    (void)allowed_of(l, reason::unknown_kid, 50, 2);
    (void)allowed_of(l, reason::bad_audience, 50, 1);

    const auto reports = l.take_reports(60);

    ASSERT_EQ(reports.size(), 2U);
    EXPECT_EQ(reports[0].code, reason::unknown_kid);
    EXPECT_EQ(reports[0].suppressed, 1U);
    EXPECT_EQ(reports[1].code, reason::expired);
    EXPECT_EQ(reports[1].suppressed, 3U);
}

TEST(RateLimitTest, UnreportedCountCarriesIntoTheNextWindow) {
    // Verifies: suppressions never reported before a new window opens are carried over, not lost.
    rejection_limiter l(2);
    (void)allowed_of(l, reason::expired, 10, 5);  // 3 suppressed, not taken

    EXPECT_EQ(allowed_of(l, reason::expired, 11, 3), 2);
    const auto reports = l.take_reports(12);

    ASSERT_EQ(reports.size(), 1U);
    EXPECT_EQ(reports[0].suppressed, 4U);
}

TEST(RateLimitTest, EveryAttemptIsEitherAllowedOrReported) {
    // Verifies: over many windows, lines written plus lines reported equal the attempts, exactly.
    rejection_limiter l(20);
    std::uint64_t written = 0;
    std::uint64_t reported = 0;
    for (std::int64_t s = 0; s < 50; ++s) {
        for (const auto& r : l.take_reports(s)) reported += r.suppressed;
        written += static_cast<std::uint64_t>(allowed_of(l, reason::malformed_token, s, static_cast<int>(s * 3)));
    }
    for (const auto& r : l.take_reports(1000)) reported += r.suppressed;

    std::uint64_t attempts = 0;
    for (std::int64_t s = 0; s < 50; ++s) attempts += static_cast<std::uint64_t>(s * 3);
    EXPECT_EQ(written + reported, attempts);
    EXPECT_GT(reported, 0U);
}

}  // namespace
}  // namespace tokengate::log
