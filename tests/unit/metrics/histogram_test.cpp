#include "tokengate/metrics/histogram.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace tokengate::metrics {
namespace {

constexpr std::array<double, 3> bounds = {0.1, 1, 10};

TEST(HistogramTest, ValueOnABoundCountsInThatBucket) {
    // Verifies Prometheus `le` semantics: a bucket counts values less than or equal to its bound.
    histogram h(bounds);

    h.observe(0.1);
    h.observe(1);
    h.observe(10);

    EXPECT_EQ(h.snapshot().counts, (std::vector<std::uint64_t>{1, 1, 1, 0}));
}

TEST(HistogramTest, ValuesAboveEveryBoundCountInInf) {
    // Verifies the implicit +Inf bucket and the sum.
    histogram h(bounds);

    h.observe(0.05);
    h.observe(11);
    h.observe(1e9);

    const histogram_snapshot s = h.snapshot();
    EXPECT_EQ(s.counts, (std::vector<std::uint64_t>{1, 0, 0, 2}));
    EXPECT_DOUBLE_EQ(s.sum, 0.05 + 11 + 1e9);
    EXPECT_EQ(s.count(), 3U);
}

TEST(HistogramTest, CumulativeCountsIncludeEveryBucketBelow) {
    // Verifies the cumulative view the text format needs: non-decreasing, last = count.
    histogram h(bounds);
    for (double v : {0.01, 0.5, 0.7, 5.0, 50.0}) h.observe(v);

    EXPECT_EQ(h.snapshot().cumulative(), (std::vector<std::uint64_t>{1, 3, 4, 5}));
}

TEST(HistogramTest, NanIsIgnored) {
    // Verifies a NaN observation changes neither counts nor sum.
    histogram h(bounds);

    h.observe(std::nan(""));

    EXPECT_EQ(h.snapshot().count(), 0U);
    EXPECT_EQ(h.snapshot().sum, 0);
}

TEST(HistogramTest, SnapshotsMergeBucketByBucket) {
    // Verifies merging the snapshots of two workers' histograms.
    histogram a(bounds);
    histogram b(bounds);
    a.observe(0.5);
    b.observe(0.5);
    b.observe(20);

    histogram_snapshot total = a.snapshot();
    total.merge(b.snapshot());

    EXPECT_EQ(total.counts, (std::vector<std::uint64_t>{0, 2, 0, 1}));
    EXPECT_DOUBLE_EQ(total.sum, 21);
}

TEST(HistogramTest, UnsortedOrTooManyBoundsRefused) {
    // Verifies the layout checks at construction.
    constexpr std::array<double, 2> unsorted = {1, 0.5};
    const std::vector<double> many(max_buckets + 1, 1.0);

    EXPECT_THROW(histogram{unsorted}, std::invalid_argument);
    EXPECT_THROW(histogram{many}, std::invalid_argument);
}

}  // namespace
}  // namespace tokengate::metrics
