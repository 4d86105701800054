// What the request-path instrumentation costs (metrics/worker_metrics.hpp): the calls one
// proxied request makes, alone and together, and a shared relaxed fetch_add counter for
// comparison (the design per-worker shards avoid). Run: build/bench/tokengate_metrics_bench.
#include "tokengate/metrics/registry.hpp"
#include "tokengate/metrics/worker_metrics.hpp"

#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <memory>

namespace {

using namespace tokengate::metrics;

registry& bench_registry() {
    static registry r;
    return r;
}

void BM_CountRequest(benchmark::State& state) {
    worker_metrics m(bench_registry());
    const auto p = bench_registry().provider_label("bench");
    for (auto _ : state) m.count_request(outcome::accepted, std::nullopt, p, default_route_label);
}
BENCHMARK(BM_CountRequest)->Threads(1)->Threads(2);

void BM_SharedFetchAddCounter(benchmark::State& state) {
    static std::atomic<std::uint64_t> shared{0};
    for (auto _ : state) shared.fetch_add(1, std::memory_order_relaxed);
}
BENCHMARK(BM_SharedFetchAddCounter)->Threads(1)->Threads(2);

void BM_HistogramObserve(benchmark::State& state) {
    worker_metrics m(bench_registry());
    double v = 0.0001;
    for (auto _ : state) {
        m.observe_auth_duration(v);
        v = v < 1 ? v * 1.7 : 0.0001;
    }
}
BENCHMARK(BM_HistogramObserve);

void BM_SteadyClockNow(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(std::chrono::steady_clock::now());
}
BENCHMARK(BM_SteadyClockNow);

// Everything one forwarded, accepted request adds: two clock reads and the auth histogram,
// the cache mirror, the token-age histogram, two clock reads and the upstream histogram,
// and the request counter.
void BM_PerRequestInstrumentation(benchmark::State& state) {
    worker_metrics m(bench_registry());
    const auto p = bench_registry().provider_label("bench");
    std::uint64_t n = 0;
    for (auto _ : state) {
        const auto a = std::chrono::steady_clock::now();
        m.observe_auth_duration(std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count());
        m.set_token_cache(n, n, 100);
        m.observe_token_age(42);
        const auto u = std::chrono::steady_clock::now();
        m.observe_upstream_duration(std::chrono::duration<double>(std::chrono::steady_clock::now() - u).count());
        m.count_request(outcome::accepted, std::nullopt, p, default_route_label);
        ++n;
    }
}
BENCHMARK(BM_PerRequestInstrumentation);

void BM_ScrapeRender(benchmark::State& state) {
    registry r;
    worker_metrics a(r);
    worker_metrics b(r);
    for (int i = 0; i < 8; ++i) {
        const auto p = r.provider_label("p" + std::to_string(i));
        for (auto o : all_outcomes) a.count_request(o, std::nullopt, p, default_route_label);
        b.count_request(outcome::rejected, tokengate::reason::expired, p, default_route_label);
    }
    for (auto _ : state) {
        text_writer w;
        r.render(w);
        benchmark::DoNotOptimize(w.text().data());
    }
}
BENCHMARK(BM_ScrapeRender);

}  // namespace

BENCHMARK_MAIN();
