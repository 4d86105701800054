// What a log line costs the thread that logs it (log/line.hpp, log/async_output.hpp):
// building an access line, converting it to the text format, and queueing it for the
// background writer (here writing to /dev/null). Run: build/bench/tokengate_log_bench.
#include "tokengate/log/async_output.hpp"
#include "tokengate/log/line.hpp"

#include <benchmark/benchmark.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace {

using namespace tokengate;

validate::evidence sample_evidence() {
    validate::evidence ev;
    ev.provider = "auth0";
    ev.alg = "RS256";
    ev.kid = "NjVBRjY5MDlCMUIwNzU4RTA2QzZFMDQ4QzQ2MDAyQjVDNjk1RTM2Qg";
    ev.iss = "https://acme.eu.auth0.com/";
    ev.sub = "auth0|5f7c8ec7c33c6c004bbafe82";
    ev.aud = {"https://api.acme.example/orders", "https://acme.eu.auth0.com/userinfo"};
    ev.exp = 1795890531;
    ev.iat = 1795886931;
    ev.leeway_s = 30;
    ev.token_fp = "3d6bc057c179";
    return ev;
}

std::string access_line(config::log_config::sub_mode sub) {
    static const validate::evidence ev = sample_evidence();
    const log::request_context ctx{"4f1c2a9be07d3356", "GET", "/api/orders/42", "10.1.2.3"};
    log::json_line line(std::chrono::system_clock::now(), "info", "auth.accept");
    line.context(ctx).integer("status", 200).number("latency_ms", 1.234);
    line.evidence(ev, sub, 1795888000);
    return line.finish();
}

void BM_AccessLineJson(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(access_line(config::log_config::sub_mode::plain));
}
BENCHMARK(BM_AccessLineJson);

void BM_AccessLineJsonSubHashed(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(access_line(config::log_config::sub_mode::hash));
}
BENCHMARK(BM_AccessLineJsonSubHashed);

void BM_AccessLineToText(benchmark::State& state) {
    const std::string json = access_line(config::log_config::sub_mode::plain);
    for (auto _ : state) benchmark::DoNotOptimize(log::to_text(json));
}
BENCHMARK(BM_AccessLineToText);

// Queueing only: the writer thread drains into /dev/null meanwhile. The loop queues
// faster than one thread writes, so the queue overruns: "dropped" shows how many.
void BM_QueueLine(benchmark::State& state) {
    const int fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    const std::string line = access_line(config::log_config::sub_mode::plain);
    {
        log::async_output out({fd, 2048});
        for (auto _ : state) out.write(log::level::info, line);
        state.counters["dropped"] = static_cast<double>(out.dropped());
    }
    ::close(fd);
}
BENCHMARK(BM_QueueLine);

}  // namespace

BENCHMARK_MAIN();
