#include "tokengate/metrics/labels.hpp"

#include "tokengate/metrics/registry.hpp"

#include <gtest/gtest.h>

#include <set>

namespace tokengate::metrics {
namespace {

TEST(MetricLabelsTest, SlotsAreDistinctAndRoundTrip) {
    // Verifies every (outcome, reason) pair the proxy counts has its own slot within
    // request_slots, and slot_labels gives the pair back.
    std::set<std::size_t> seen;
    for (outcome o : all_outcomes) {
        if (o == outcome::rejected) continue;
        const std::size_t s = request_slot(o, std::nullopt);
        EXPECT_TRUE(seen.insert(s).second);
        EXPECT_EQ(slot_labels(s), std::pair(o, std::optional<reason>()));
    }
    for (reason r : all_reasons) {
        const std::size_t s = request_slot(outcome::rejected, r);
        EXPECT_TRUE(seen.insert(s).second);
        EXPECT_EQ(slot_labels(s), std::pair(outcome::rejected, std::optional<reason>(r)));
    }
    EXPECT_LT(*seen.rbegin(), request_slots);
}

TEST(MetricLabelsTest, OutcomeNames) {
    // Verifies the stable outcome label values.
    EXPECT_EQ(to_string(outcome::accepted), "accepted");
    EXPECT_EQ(to_string(outcome::anonymous), "anonymous");
    EXPECT_EQ(to_string(outcome::rejected), "rejected");
    EXPECT_EQ(to_string(outcome::upstream_error), "upstream_error");
    EXPECT_EQ(to_string(outcome::bad_request), "bad_request");
    EXPECT_EQ(to_string(outcome::client_closed), "client_closed");
}

TEST(MetricLabelsTest, SnapshotLabelsByIndex) {
    // Verifies provider and route ids by index: unknown provider → no label, no route →
    // "default", shared route paths → one id.
    registry r;

    const request_labels l = make_request_labels(r, {"rsa", "hmac"}, {"/a", "/b", "/a"});

    EXPECT_EQ(l.provider(0), r.provider_label("rsa"));
    EXPECT_EQ(l.provider(1), r.provider_label("hmac"));
    EXPECT_EQ(l.provider(std::nullopt), no_label);
    EXPECT_EQ(l.provider(7), no_label);
    EXPECT_EQ(l.route(std::nullopt), default_route_label);
    EXPECT_EQ(l.route(0), l.route(2));
    EXPECT_NE(l.route(0), l.route(1));
}

}  // namespace
}  // namespace tokengate::metrics
