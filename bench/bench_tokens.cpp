// Keys and tokens for bench/run.sh: a JWKS (RS256, ES256, EdDSA keys) and an HMAC secret,
// one valid token per algorithm (the warm-cache rows), files of distinct valid tokens
// (the cache-miss rows: every token differs in jti, so each one is verified) and a token
// with a bad signature (the rejection row).
//
//   tokengate_bench_tokens OUTDIR ISSUER AUDIENCE FRESH_RS256 FRESH_ES256
//
// Writes OUTDIR/{jwks.json, hs256.secret, token.<ALG>, fresh.<ALG>, invalid.RS256}; one
// token per line. HS256 tokens are issued by ISSUER + "hs", a second provider: one
// provider accepting HS and RS/ES is the algorithm-confusion risk check-config warns about. Signing is spread over every core: RSA-2048 signs at a few thousand
// per second per core, so a hundred thousand fresh RS256 tokens take a while.

#include "support/test_keys.hpp"
#include "support/token_builder.hpp"
#include "tokengate/jose/alg.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace jose = tokengate::jose;
namespace test = tokengate::test;

// 64 bytes: an HS256 secret of the hash's block size, no trailing newline in the file.
const std::string hmac_secret = "bench-secret-0123456789abcdef-0123456789abcdef-0123456789abcdef!";

struct params {
    std::string out;
    std::string issuer;
    std::string audience;
    std::int64_t now = 0;
};

const char* kid_of(jose::alg a) {
    switch (a) {
    case jose::alg::rs256: return "bench-rsa";
    case jose::alg::es256: return "bench-p256";
    default: return "bench-ed25519";
    }
}

// Shaped like a hosted IdP's access token, with a jti that makes every token distinct.
std::string payload(const params& p, const std::string& iss, std::size_t serial) {
    const std::string iat = std::to_string(p.now - 60);
    return R"({"iss":")" + iss + R"(","sub":"user-)" + std::to_string(serial % 1000) + R"(","aud":[")" +
           p.audience + R"(","api://other"],"exp":)" + std::to_string(p.now + 24 * 3600) + R"(,"nbf":)" + iat +
           R"(,"iat":)" + iat + R"(,"jti":"bench-)" + std::to_string(serial) +
           R"(","azp":"bench-client","scope":"openid profile orders.read orders.write"})";
}

std::string token(const params& p, jose::alg a, std::size_t serial) {
    // A secret from a file has no kid, so the HS256 header names none.
    const std::string kid = a == jose::alg::hs256 ? "" : R"(,"kid":")" + std::string(kid_of(a)) + "\"";
    const std::string header = R"({"alg":")" + std::string(jose::to_string(a)) + R"(","typ":"JWT")" + kid + "}";
    if (a == jose::alg::hs256) return test::make_hmac_token(header, payload(p, p.issuer + "hs", serial), a, hmac_secret);
    return test::make_token(header, payload(p, p.issuer, serial), a, test::pair_for(a).priv.get());
}

void write(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f) throw std::runtime_error("cannot write " + path);
}

// Serials 1'000'000 and up: never the serial of a warm-cache token.
void write_fresh(const params& p, jose::alg a, std::size_t n) {
    std::vector<std::string> tokens(n);
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < std::max(1u, std::thread::hardware_concurrency()); ++t)
        workers.emplace_back([&] {
            for (std::size_t i = next++; i < n; i = next++) tokens[i] = token(p, a, 1'000'000 + i);
        });
    for (auto& w : workers) w.join();
    std::string text;
    for (const auto& t : tokens) text.append(t).push_back('\n');
    write(p.out + "/fresh." + std::string(jose::to_string(a)), text);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s OUTDIR ISSUER AUDIENCE FRESH_RS256 FRESH_ES256\n", argv[0]);
        return 2;
    }
    try {
        const params p{argv[1], argv[2], argv[3],
                       std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count()};
        const std::array asym = {jose::alg::rs256, jose::alg::es256, jose::alg::eddsa};
        std::string jwks = R"({"keys":[)";
        for (jose::alg a : asym) {
            if (a != asym.front()) jwks += ",";
            jwks += test::jwk_json(test::pair_for(a), kid_of(a),
                                   R"("alg":")" + std::string(jose::to_string(a)) + R"(","use":"sig")");
        }
        write(p.out + "/jwks.json", jwks + "]}\n");
        write(p.out + "/hs256.secret", hmac_secret);
        for (jose::alg a : {jose::alg::rs256, jose::alg::es256, jose::alg::eddsa, jose::alg::hs256})
            write(p.out + "/token." + std::string(jose::to_string(a)), token(p, a, 1) + "\n");
        // A valid token with its payload swapped for another's: the signature check fails
        // after the full RSA operation, the most expensive way to be refused.
        const std::string good = token(p, jose::alg::rs256, 2);
        const std::string other = token(p, jose::alg::rs256, 3);
        const auto dot1 = good.find('.');
        const auto dot2 = good.find('.', dot1 + 1);
        const auto odot1 = other.find('.');
        const auto odot2 = other.find('.', odot1 + 1);
        write(p.out + "/invalid.RS256",
              good.substr(0, dot1 + 1) + other.substr(odot1 + 1, odot2 - odot1 - 1) + good.substr(dot2) + "\n");
        write_fresh(p, jose::alg::rs256, std::stoul(argv[4]));
        write_fresh(p, jose::alg::es256, std::stoul(argv[5]));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "tokengate_bench_tokens: %s\n", e.what());
        return 1;
    }
    return 0;
}
