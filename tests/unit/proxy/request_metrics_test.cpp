#include "tokengate/proxy/request_metrics.hpp"

#include "tokengate/metrics/registry.hpp"

#include <gtest/gtest.h>

#include <map>

namespace tokengate::proxy {
namespace {

// The request counters of one worker: cell → count.
std::map<std::uint32_t, std::uint64_t> counts_of(const metrics::worker_metrics& m) {
    std::map<std::uint32_t, std::uint64_t> out;
    m.for_each_request([&](std::uint32_t cell, std::uint64_t n) { out[cell] += n; });
    return out;
}

class RequestTallyTest : public ::testing::Test {
protected:
    RequestTallyTest() {
        auto rt = std::make_shared<runtime>();
        validate::provider p;
        p.name = "tally-provider";
        rt->trust.providers.push_back(p);
        config::route_config r;
        r.path = "/tally/";
        r.prefix = true;
        rt->cfg.routes = {r};
        rt->cfg.threads = 1;
        rt->metric_labels = make_metric_labels(rt->trust, rt->cfg);
        rt_ = rt;
        worker_ = std::make_unique<worker>(shared_, rt_, 0);
    }

    std::uint32_t cell(metrics::outcome o, std::optional<reason> why, std::uint16_t provider, std::uint16_t route) const {
        return metrics::request_cell(metrics::request_slot(o, why), provider, route);
    }

    shared_state shared_;
    runtime_ptr rt_;
    std::unique_ptr<worker> worker_;
};

TEST_F(RequestTallyTest, FirstCountWinsWithLabelsFromTheAuthOutcome) {
    // Verifies a rejection is counted once with its reason, provider and route, whatever
    // is counted after it (the tally's end included).
    auth_outcome a;
    a.verdict = auth_outcome::kind::rejected;
    a.rejected = rejection{reason::expired, ""};
    auto d = std::make_shared<validate::decision>();
    d->provider_index = 0;
    a.decision = d;
    a.route = &rt_->cfg.routes[0];
    {
        request_tally t(*worker_, *rt_);
        t.set_auth(a);
        t.count_verdict();
        t.count(metrics::outcome::upstream_error);
    }

    const auto& l = rt_->metric_labels;
    const std::map<std::uint32_t, std::uint64_t> expected = {
        {cell(metrics::outcome::rejected, reason::expired, l.provider(0), l.route(0)), 1}};
    EXPECT_EQ(counts_of(worker_->metrics()), expected);
}

TEST_F(RequestTallyTest, UncountedTallyCountsClientClosed) {
    // Verifies a request dropped before any answer still counts, as client_closed, on the
    // default route with no provider when nothing else was known.
    auth_outcome a;
    a.verdict = auth_outcome::kind::anonymous;
    {
        request_tally t(*worker_, *rt_);
        t.set_auth(a);
    }

    const std::map<std::uint32_t, std::uint64_t> expected = {
        {cell(metrics::outcome::client_closed, std::nullopt, metrics::no_label, metrics::default_route_label), 1}};
    EXPECT_EQ(counts_of(worker_->metrics()), expected);
}

TEST_F(RequestTallyTest, MetricLabelsFollowTrustAndRouteOrder) {
    // Verifies the snapshot's label ids are those of its provider names and route paths.
    EXPECT_EQ(rt_->metric_labels.provider(0), metrics::global().provider_label("tally-provider"));
    EXPECT_EQ(rt_->metric_labels.route(0), metrics::global().route_label("/tally/"));
}

}  // namespace
}  // namespace tokengate::proxy
