#include "tokengate/metrics/registry.hpp"

#include "tokengate/metrics/labels.hpp"
#include "tokengate/metrics/worker_metrics.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace tokengate::metrics {
namespace {

std::string rendered(const registry& r) {
    text_writer w;
    r.render(w);
    return w.text();
}

bool has_line(const std::string& text, const std::string& line) {
    return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

TEST(MetricsRegistryTest, WorkersCountsAddUpPerSeries) {
    // Verifies two workers' counts of one series are summed, and series stay apart.
    registry r;
    worker_metrics a(r);
    worker_metrics b(r);
    const auto p = r.provider_label("okta");
    const auto route = r.route_label("/orders/");

    a.count_request(outcome::accepted, std::nullopt, p, route);
    a.count_request(outcome::accepted, std::nullopt, p, route);
    b.count_request(outcome::accepted, std::nullopt, p, route);
    b.count_request(outcome::rejected, reason::expired, p, default_route_label);

    const std::string text = rendered(r);
    EXPECT_TRUE(has_line(text, R"(tokengate_requests_total{outcome="accepted",reason="",provider="okta",route="/orders/"} 3)"))
        << text;
    EXPECT_TRUE(has_line(text, R"(tokengate_requests_total{outcome="rejected",reason="expired",provider="okta",route="default"} 1)"))
        << text;
}

TEST(MetricsRegistryTest, ReasonCountsOnlyForRejections) {
    // Verifies a reason passed with a non-rejected outcome is not a label.
    registry r;
    worker_metrics w(r);

    w.count_request(outcome::upstream_error, reason::expired, no_label, default_route_label);

    EXPECT_TRUE(has_line(rendered(r), R"(tokengate_requests_total{outcome="upstream_error",reason="",provider="",route="default"} 1)"));
}

TEST(MetricsRegistryTest, EndedWorkerKeepsItsCountsButNotItsCacheGauge) {
    // Verifies counters never go back when a worker ends; the cache gauge it mirrored does.
    registry r;
    auto w = std::make_unique<worker_metrics>(r);
    w->count_request(outcome::anonymous, std::nullopt, no_label, default_route_label);
    w->observe_auth_duration(0.001);
    w->set_token_cache(4, 6, 3);

    w.reset();

    const std::string text = rendered(r);
    EXPECT_TRUE(has_line(text, R"(tokengate_requests_total{outcome="anonymous",reason="",provider="",route="default"} 1)"))
        << text;
    EXPECT_TRUE(has_line(text, "tokengate_auth_duration_seconds_count 1")) << text;
    EXPECT_TRUE(has_line(text, "tokengate_token_cache_hits_total 4")) << text;
    EXPECT_TRUE(has_line(text, "tokengate_token_cache_misses_total 6")) << text;
    EXPECT_TRUE(has_line(text, "tokengate_token_cache_entries 0")) << text;
}

TEST(MetricsRegistryTest, HistogramsMergedAcrossWorkersAndCumulative) {
    // Verifies the rendered auth histogram adds both workers and its buckets accumulate.
    registry r;
    worker_metrics a(r);
    worker_metrics b(r);

    a.observe_auth_duration(0.00002);   // le 0.000025
    b.observe_auth_duration(0.0003);    // le 0.0005
    b.observe_auth_duration(5);         // +Inf

    const std::string text = rendered(r);
    EXPECT_TRUE(has_line(text, R"(tokengate_auth_duration_seconds_bucket{le="0.00001"} 0)")) << text;
    EXPECT_TRUE(has_line(text, R"(tokengate_auth_duration_seconds_bucket{le="0.000025"} 1)")) << text;
    EXPECT_TRUE(has_line(text, R"(tokengate_auth_duration_seconds_bucket{le="0.00025"} 1)")) << text;
    EXPECT_TRUE(has_line(text, R"(tokengate_auth_duration_seconds_bucket{le="0.0005"} 2)")) << text;
    EXPECT_TRUE(has_line(text, R"(tokengate_auth_duration_seconds_bucket{le="0.25"} 2)")) << text;
    EXPECT_TRUE(has_line(text, R"(tokengate_auth_duration_seconds_bucket{le="+Inf"} 3)")) << text;
    EXPECT_TRUE(has_line(text, "tokengate_auth_duration_seconds_count 3")) << text;
}

TEST(MetricsRegistryTest, LabelsInternedOncePerNameWithOverflow) {
    // Verifies ids are stable per name, start after the reserved ones, and names past the
    // limit share the overflow id rendered as "_other".
    registry r;
    worker_metrics w(r);

    const auto first = r.provider_label("a");
    EXPECT_EQ(r.provider_label("a"), first);
    EXPECT_EQ(first, 1);
    EXPECT_EQ(r.route_label("/x"), 2);  // 0 "" and 1 "default" are reserved
    EXPECT_EQ(r.route_label("default"), default_route_label);
    for (int i = 0; i < max_provider_labels; ++i) r.provider_label("p" + std::to_string(i));
    const auto late = r.provider_label("late");
    w.count_request(outcome::accepted, std::nullopt, late, default_route_label);

    EXPECT_EQ(late, max_provider_labels - 1);
    EXPECT_TRUE(has_line(rendered(r), R"(tokengate_requests_total{outcome="accepted",reason="",provider="_other",route="default"} 1)"));
}

TEST(MetricsRegistryTest, RouteLabelValuesEscaped) {
    // Verifies a route path with a quote and a backslash is escaped in the label value.
    registry r;
    worker_metrics w(r);

    w.count_request(outcome::anonymous, std::nullopt, no_label, r.route_label(R"(/a"b\c)"));

    EXPECT_TRUE(has_line(rendered(r), R"(tokengate_requests_total{outcome="anonymous",reason="",provider="",route="/a\"b\\c"} 1)"));
}

TEST(MetricsRegistryTest, JwksFetchesByProviderAndResultWithAnyText) {
    // Verifies the fetcher's results are counted per (provider, result), any text escaped.
    registry r;

    r.record_jwks_fetch("okta", "success");
    r.record_jwks_fetch("okta", "success");
    r.record_jwks_fetch("okta", "http_error\n503");

    const std::string text = rendered(r);
    EXPECT_TRUE(has_line(text, R"(tokengate_jwks_fetches_total{provider="okta",result="success"} 2)")) << text;
    EXPECT_TRUE(has_line(text, R"(tokengate_jwks_fetches_total{provider="okta",result="http_error\n503"} 1)")) << text;
}

TEST(MetricsRegistryTest, ReloadsRenderBothResultsFromZero) {
    // Verifies both reload results are always present, so alerts see 0 before a failure.
    registry r;

    r.record_config_reload(false);

    const std::string text = rendered(r);
    EXPECT_TRUE(has_line(text, R"(tokengate_config_reloads_total{result="success"} 0)")) << text;
    EXPECT_TRUE(has_line(text, R"(tokengate_config_reloads_total{result="failure"} 1)")) << text;
}

TEST(MetricsRegistryTest, RendersItsFamiliesInDeclaredOrder) {
    // Verifies every family except the three the admin listener adds appears once, typed,
    // in the order of the declared list.
    registry r;
    const std::string text = rendered(r);

    std::vector<std::string> expected;
    for (const auto& f : families) {
        if (f.name == info(family::open_connections).name || f.name == info(family::provider_keys).name ||
            f.name == info(family::provider_keys_age).name)
            continue;
        expected.push_back("# TYPE " + std::string(f.name) + " " + std::string(to_string(f.type)));
    }
    std::vector<std::string> got;
    std::size_t at = 0;
    while ((at = text.find("# TYPE ", at)) != std::string::npos) {
        const std::size_t end = text.find('\n', at);
        got.push_back(text.substr(at, end - at));
        at = end;
    }
    EXPECT_EQ(got, expected);
}

}  // namespace
}  // namespace tokengate::metrics
