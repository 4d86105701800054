// What the proxy adds around validation on every request: token extraction, the
// verified-token cache, the re-checks of a cached decision, the whole authenticate() of a
// cache hit, and the request header rewrite. bench/jose_bench.cpp times parse and verify.

#include "support/test_keys.hpp"
#include "support/token_builder.hpp"
#include "tokengate/proxy/authenticator.hpp"
#include "tokengate/proxy/header_rewrite.hpp"
#include "tokengate/proxy/token_cache.hpp"
#include "tokengate/proxy/token_sources.hpp"

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

namespace {

namespace jose = tokengate::jose;
namespace proxy = tokengate::proxy;
namespace validate = tokengate::validate;
namespace test = tokengate::test;
namespace http = boost::beast::http;
using std::chrono::system_clock;

constexpr std::int64_t issued_at = 1'700'000'000;
const system_clock::time_point bench_now = system_clock::time_point(std::chrono::seconds(issued_at + 60));
const double bench_now_s = static_cast<double>(issued_at + 60);
const std::string issuer = "https://login.example.com/7f3c9a2e-tenant/v2.0";

std::string rs256_token(int serial) {
    const std::string t = std::to_string(issued_at);
    return test::make_token(R"({"alg":"RS256","typ":"JWT","kid":"rsa-1"})",
                            R"({"iss":")" + issuer + R"(","sub":"8c1f2a3e-5d47-4b9a","aud":["api://orders"],"exp":)" +
                                std::to_string(issued_at + 3600) + R"(,"iat":)" + t + R"(,"jti":"j-)" +
                                std::to_string(serial) + R"(","scope":"openid orders.read"})",
                            jose::alg::rs256, test::rsa_pair().priv.get());
}

std::shared_ptr<proxy::runtime> make_runtime() {
    auto rt = std::make_shared<proxy::runtime>();
    validate::provider p;
    p.name = "corp-idp";
    p.issuer = issuer;
    p.audiences = {"api://orders"};
    p.algorithms = {jose::alg::rs256};
    p.required.claims = {"sub"};
    p.keys.keys = test::key_set_of({test::with_kid(*test::rsa_pair().pub, "rsa-1")});
    rt->trust.providers.push_back(std::move(p));
    rt->cfg.identity.claim_headers = {{"sub", "X-User-Id"}};
    rt->generation = 1;
    return rt;
}

// What a browser or API client behind an ingress sends.
http::fields request_headers(const std::string& token) {
    http::fields h;
    h.set(http::field::host, "orders.example.com");
    h.set(http::field::user_agent, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)");
    h.set(http::field::accept, "application/json");
    h.set(http::field::accept_encoding, "gzip, deflate, br");
    h.set(http::field::authorization, "Bearer " + token);
    h.set(http::field::connection, "keep-alive");
    h.set("X-Forwarded-For", "203.0.113.7");
    h.set("X-Request-Id", "0123456789abcdef");
    return h;
}

struct fixture {
    std::shared_ptr<proxy::runtime> rt = make_runtime();
    std::string token = rs256_token(1);
    http::fields headers = request_headers(token);
    std::shared_ptr<const validate::decision> accepted =
        std::make_shared<const validate::decision>(validate::validate(token, rt->trust, bench_now));
};

void register_all(const fixture& f) {
    benchmark::RegisterBenchmark("find_token/authorization", [&f](benchmark::State& s) {
        for (auto _ : s) benchmark::DoNotOptimize(proxy::find_token(f.headers, "", f.rt->cfg.token_sources));
    });

    benchmark::RegisterBenchmark("token_cache/hit", [&f](benchmark::State& s) {
        proxy::token_cache cache(10000);
        cache.insert(f.token, 1, f.accepted, bench_now_s);
        for (auto _ : s) benchmark::DoNotOptimize(cache.find(f.token, 1, bench_now_s));
    });

    benchmark::RegisterBenchmark("token_cache/miss", [&f](benchmark::State& s) {
        proxy::token_cache cache(10000);
        cache.insert(f.token, 1, f.accepted, bench_now_s);
        const std::string other = rs256_token(2);
        for (auto _ : s) benchmark::DoNotOptimize(cache.find(other, 1, bench_now_s));
    });

    // A full cache evicts its oldest entry on every insert, as under a flood of new tokens.
    benchmark::RegisterBenchmark("token_cache/insert_full", [&f](benchmark::State& s) {
        proxy::token_cache cache(1000);
        std::string token = f.token;
        std::uint64_t n = 0;
        for (auto _ : s) {
            token.replace(token.size() - 8, 8, std::to_string(10'000'000 + (n++ % 90'000'000)));
            cache.insert(token, 1, f.accepted, bench_now_s);
        }
    });

    benchmark::RegisterBenchmark("recheck/cached_decision", [&f](benchmark::State& s) {
        for (auto _ : s) benchmark::DoNotOptimize(validate::recheck(*f.accepted, f.rt->trust, bench_now));
    });

    benchmark::RegisterBenchmark("authenticate/cache_hit", [&f](benchmark::State& s) {
        proxy::token_cache cache(10000);
        cache.insert(f.token, 1, f.accepted, bench_now_s);
        for (auto _ : s) {
            const proxy::auth_outcome o = proxy::authenticate(*f.rt, &cache, "GET", "/orders/42", "", f.headers, bench_now);
            if (o.verdict != proxy::auth_outcome::kind::accepted) s.SkipWithError("not accepted");
            benchmark::DoNotOptimize(o);
        }
    });

    benchmark::RegisterBenchmark("header_rewrite/copy_only", [&f](benchmark::State& s) {
        for (auto _ : s) {
            http::fields h = f.headers;
            benchmark::DoNotOptimize(h);
        }
    });

    // The forward path's rewrite on a copy of the client's header (copy included).
    benchmark::RegisterBenchmark("header_rewrite/copy_and_rewrite", [&f](benchmark::State& s) {
        const auto& claims = f.accepted->token->payload;
        for (auto _ : s) {
            http::fields h = f.headers;
            proxy::strip_hop_by_hop(h, false);
            proxy::strip_identity(h, f.rt->cfg.identity);
            proxy::set_forwarded(h, "10.0.0.12", "orders.example.com");
            h.set("X-Request-Id", "0123456789abcdef");
            proxy::add_identity(h, f.rt->cfg.identity, claims, f.accepted->token->payload_text, "corp-idp");
            benchmark::DoNotOptimize(h);
        }
    });
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    const auto f = std::make_unique<fixture>();
    if (!f->accepted->accepted()) {
        std::fprintf(stderr, "bench token rejected: %s\n", f->accepted->rejected->hint.c_str());
        return 1;
    }
    register_all(*f);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
