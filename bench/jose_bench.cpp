// What one token costs on the request path, per algorithm: the bare signature check, parse
// plus check, and the whole validate() with a realistic trust. bench/micro.sh sets these
// against `openssl speed` for the same primitives: SPEC §10 asks for ratios, not figures.

#include "support/test_keys.hpp"
#include "support/token_builder.hpp"
#include "tokengate/crypto/verify.hpp"
#include "tokengate/jose/base64url.hpp"
#include "tokengate/jose/compact.hpp"
#include "tokengate/validate/validator.hpp"

#include <benchmark/benchmark.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>

namespace {

namespace jose = tokengate::jose;
namespace crypto = tokengate::crypto;
namespace validate = tokengate::validate;
namespace test = tokengate::test;
using std::chrono::system_clock;

constexpr std::array all_algs = {jose::alg::hs256, jose::alg::hs384, jose::alg::hs512, jose::alg::rs256,
                                 jose::alg::rs384, jose::alg::rs512, jose::alg::ps256, jose::alg::ps384,
                                 jose::alg::ps512, jose::alg::es256, jose::alg::es384, jose::alg::es512,
                                 jose::alg::eddsa};

constexpr std::int64_t issued_at = 1'700'000'000;
// One minute after issue: inside every time window, as for a freshly issued token.
const system_clock::time_point bench_now = system_clock::time_point(std::chrono::seconds(issued_at + 60));

const std::string idp_issuer = "https://login.example.com/7f3c9a2e-tenant/v2.0";
const std::string internal_issuer = "https://auth.internal.example.net";
// 64 bytes: long enough for HS512 (a policy check refuses shorter secrets).
const std::string hmac_secret = "q7Zr4mN9vB2xK8pL1sD6fH3jT5wY0cE7uI9oA2gR4nV8bM1zX6kQ3tP5yW0eS7dF";

// A whole trust snapshot plus one signed token per algorithm, built once before timing.
struct fixture {
    validate::trust trust;
    std::map<jose::alg, std::string> tokens;
    std::map<jose::alg, const crypto::key*> keys;  // owned by trust
    std::map<jose::alg, jose::compact_jws> parsed;
};

std::string kid_for(jose::alg a) {
    switch (jose::family_of(a)) {
    case jose::key_family::oct: return "internal-hs-2024";
    case jose::key_family::rsa: return "rsa-2024-06";
    case jose::key_family::okp: return "ed25519-2024";
    case jose::key_family::ec: break;
    }
    return "ec-" + std::string(jose::to_string(jose::required_curve(a)));
}

std::string header_for(jose::alg a) {
    return R"({"alg":")" + std::string(jose::to_string(a)) + R"(","typ":"JWT","kid":")" + kid_for(a) + R"("})";
}

// Shaped like an access token from a hosted IdP: ~400 bytes of claims, aud as an array.
std::string payload_for(const std::string& iss, const std::string& aud) {
    const std::string t = std::to_string(issued_at);
    return R"({"iss":")" + iss + R"(","sub":"8c1f2a3e-5d47-4b9a-9f0e-2c6d1b7a4e90","aud":[")" + aud +
           R"(","api://billing"],"exp":)" + std::to_string(issued_at + 3600) + R"(,"nbf":)" + t + R"(,"iat":)" + t +
           R"(,"jti":"b4f1d6e2-93a7-4c58-8e0b-71d2f5a9c3e6","azp":"web-frontend","scope":"openid profile)"
           R"( orders.read orders.write","email":"jane.doe@example.com","tenant":"7f3c9a2e","roles":)"
           R"(["orders-admin","billing-viewer"]})";
}

validate::provider idp_provider() {
    validate::provider p;
    p.name = "corp-idp";
    p.issuer = idp_issuer;
    p.audiences = {"api://orders", "api://billing"};
    p.algorithms = {jose::alg::rs256, jose::alg::rs384, jose::alg::rs512, jose::alg::ps256, jose::alg::ps384,
                    jose::alg::ps512, jose::alg::es256, jose::alg::es384, jose::alg::es512, jose::alg::eddsa};
    p.required.claims = {"sub"};
    p.required.scopes = {"orders.read"};
    p.max_lifetime = std::chrono::hours(24);
    auto ks = std::make_shared<tokengate::keys::key_set>();
    ks->source = "https://login.example.com/7f3c9a2e-tenant/discovery/v2.0/keys";
    ks->fetched_at = bench_now - std::chrono::minutes(10);
    // A rotation in progress: the previous RSA key is still published, listed first, so
    // a kid lookup walks past it as it would in a real JWKS.
    ks->keys.push_back(test::with_kid(*test::rsa_pair(1).pub, "rsa-2023-11"));
    for (jose::alg a : {jose::alg::rs256, jose::alg::es256, jose::alg::es384, jose::alg::es512, jose::alg::eddsa})
        ks->keys.push_back(test::with_kid(*test::pair_for(a).pub, kid_for(a)));
    p.keys.keys = ks;
    return p;
}

validate::provider internal_provider() {
    validate::provider p;
    p.name = "internal-hs";
    p.issuer = internal_issuer;
    p.audiences = {"orders-svc"};
    p.algorithms = {jose::alg::hs256, jose::alg::hs384, jose::alg::hs512};
    p.keys.keys = test::key_set_of({test::hmac_key(hmac_secret, kid_for(jose::alg::hs256))});
    return p;
}

std::unique_ptr<fixture> make_fixture() {
    auto f = std::make_unique<fixture>();
    f->trust.providers.push_back(idp_provider());
    f->trust.providers.push_back(internal_provider());
    for (jose::alg a : all_algs) {
        const bool hs = jose::is_hmac(a);
        f->keys[a] = f->trust.providers[hs ? 1 : 0].keys.keys->find(kid_for(a));
        const std::string header = header_for(a);
        f->tokens[a] = hs ? test::make_hmac_token(header, payload_for(internal_issuer, "orders-svc"), a, hmac_secret)
                            : test::make_token(header, payload_for(idp_issuer, "api://orders"), a,
                                               test::pair_for(a).priv.get());
        auto p = jose::parse_compact(f->tokens[a], f->trust.limits);
        if (p.jws) f->parsed.emplace(a, std::move(*p.jws));
    }
    return f;
}

// Timing a rejection would measure the wrong path: every token must pass before we start.
bool all_accepted(const fixture& f) {
    bool ok = true;
    for (jose::alg a : all_algs) {
        const validate::decision d = validate::validate(f.tokens.at(a), f.trust, bench_now);
        if (!d.accepted()) {
            std::fprintf(stderr, "%s token rejected: %s (%s)\n", std::string(jose::to_string(a)).c_str(),
                         std::string(tokengate::to_string(d.rejected->code)).c_str(), d.rejected->hint.c_str());
            ok = false;
        }
    }
    return ok;
}

void register_per_alg(const fixture& f) {
    for (jose::alg a : all_algs) {
        const std::string name(jose::to_string(a));
        const std::string& token = f.tokens.at(a);
        const crypto::key& key = *f.keys.at(a);
        const jose::compact_jws& jws = f.parsed.at(a);
        const std::string label = crypto::describe(key);

        benchmark::RegisterBenchmark(("verify_only/" + name).c_str(), [a, &key, &jws, label](benchmark::State& s) {
            for (auto _ : s) {
                const auto r = crypto::verify(a, key, jws.signing_input, jws.signature);
                if (r.status != crypto::verify_status::valid) s.SkipWithError("signature did not verify");
                benchmark::DoNotOptimize(r);
            }
            s.SetLabel(label);
            s.counters["input_bytes"] = static_cast<double>(jws.signing_input.size());
        })->Unit(benchmark::kMicrosecond);

        benchmark::RegisterBenchmark(("parse_verify/" + name).c_str(), [&f, &key, &token, label](benchmark::State& s) {
            for (auto _ : s) {
                const jose::compact_parse p = jose::parse_compact(token, f.trust.limits);
                if (!p.jws) {
                    s.SkipWithError("token did not parse");
                    break;
                }
                const auto r = crypto::verify(p.jws->algorithm, key, p.jws->signing_input, p.jws->signature);
                if (r.status != crypto::verify_status::valid) s.SkipWithError("signature did not verify");
                benchmark::DoNotOptimize(r);
            }
            s.SetLabel(label);
        })->Unit(benchmark::kMicrosecond);

        benchmark::RegisterBenchmark(("validate_full/" + name).c_str(), [&f, &token, label](benchmark::State& s) {
            for (auto _ : s) {
                const validate::decision d = validate::validate(token, f.trust, bench_now);
                if (!d.accepted()) s.SkipWithError("token rejected");
                benchmark::DoNotOptimize(d);
            }
            s.SetLabel(label);
            s.counters["token_bytes"] = static_cast<double>(token.size());
        })->Unit(benchmark::kMicrosecond);
    }
}

void register_jose_only(const fixture& f) {
    // 8 KiB is the default token size limit: the largest segment decode() ever sees.
    std::string raw(6144, '\0');
    for (std::size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<char>((i * 131 + 7) & 0xFF);
    const std::string segment = jose::base64url_encode(raw);
    benchmark::RegisterBenchmark("base64url_decode/8KiB", [segment](benchmark::State& s) {
        for (auto _ : s) {
            const jose::b64_decoded d = jose::base64url_decode(segment);
            if (d.error != jose::b64_error::none) s.SkipWithError("segment did not decode");
            benchmark::DoNotOptimize(d);
        }
        s.SetBytesProcessed(static_cast<std::int64_t>(s.iterations()) * static_cast<std::int64_t>(segment.size()));
    })->Unit(benchmark::kMicrosecond);

    const std::string& token = f.tokens.at(jose::alg::rs256);
    benchmark::RegisterBenchmark("parse_compact/RS256", [&f, &token](benchmark::State& s) {
        for (auto _ : s) {
            const jose::compact_parse p = jose::parse_compact(token, f.trust.limits);
            if (!p.jws) s.SkipWithError("token did not parse");
            benchmark::DoNotOptimize(p);
        }
        s.counters["token_bytes"] = static_cast<double>(token.size());
    })->Unit(benchmark::kMicrosecond);
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    const std::unique_ptr<fixture> f = make_fixture();
    // Acceptance also proves each kid was found, so no key pointer below is null.
    if (f->parsed.size() != all_algs.size() || !all_accepted(*f)) return 1;
    register_per_alg(*f);
    register_jose_only(*f);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
