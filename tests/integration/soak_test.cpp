// A bounded soak of the real proxy: mixed valid and invalid traffic from several clients
// while the configuration is reloaded (SIGHUP) and the identity provider rotates its
// signing key, with /metrics and /readyz scraped throughout. Short in CI (and under
// ThreadSanitizer, where it is the test that makes reloads, key swaps, refetches and
// scrapes meet); TOKENGATE_SOAK_SECONDS=120 runs the full two minutes.
#include "support/http_client.hpp"
#include "support/jwks_server.hpp"
#include "support/proxy_fixture.hpp"
#include "support/temp_dir.hpp"
#include "support/test_keys.hpp"
#include "support/test_pki.hpp"
#include "support/token_builder.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tokengate::test {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

// Sanitizer runtimes hold freed memory back (ASan's quarantine) or shadow all of it
// (TSan): the process's RSS says nothing about tokengate's own growth there.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr bool rss_meaningful = false;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
constexpr bool rss_meaningful = false;
#else
constexpr bool rss_meaningful = true;
#endif
#else
constexpr bool rss_meaningful = true;
#endif

constexpr std::string_view remote_issuer = "https://idp.soak.test/";
// RSS growth over the warmed-up proxy allowed across the soak: caches are bounded
// (token cache, upstream pool), so steady traffic must not keep growing the process.
constexpr std::size_t rss_growth_bound_kib = 24 * 1024;

std::chrono::seconds soak_duration() {
    const char* s = std::getenv("TOKENGATE_SOAK_SECONDS");
    const long v = s != nullptr ? std::strtol(s, nullptr, 10) : 0;
    return std::chrono::seconds(v > 0 ? v : 10);
}

// The key and kid the IdP signs with at rotation step n (three keys, reused with new kids).
int key_of(int step) { return step % 3; }
std::string kid_of(int step) { return "r" + std::to_string(step); }

std::string jwks_for(int step) {
    std::string keys = jwk_json(rsa_pair(key_of(step)), kid_of(step));
    if (step > 0) keys = jwk_json(rsa_pair(key_of(step - 1)), kid_of(step - 1)) + "," + keys;
    return R"({"keys":[)" + keys + "]}";
}

std::string remote_token(int step) {
    const std::int64_t now = unix_now();
    return rsa_token(R"({"iss":")" + std::string(remote_issuer) + R"(","aud":"api","sub":"soak","iat":)" +
                         std::to_string(now) + R"(,"exp":)" + std::to_string(now + 900) + "}",
                     R"({"alg":"RS256","typ":"JWT","kid":")" + kid_of(step) + "\"}", key_of(step));
}

struct tally {
    std::atomic<long> requests{0};
    std::atomic<long> server_errors{0};
    std::atomic<long> valid_refused{0};
    std::atomic<long> invalid_passed{0};
    std::mutex mutex;
    std::vector<std::string> samples;  // first few unexpected answers, for the failure message

    void unexpected(const std::string& what) {
        const std::lock_guard lock(mutex);
        if (samples.size() < 10) samples.push_back(what);
    }
};

class SoakTest : public ::testing::Test {
protected:
    void TearDown() override {
        if (fx.proxy_running()) {
            EXPECT_EQ(fx.stop_proxy(), 0) << fx.proxy().err_text();
        }
    }

    // Both variants trust the same two providers (so reloads keep the fetched keys);
    // they differ in their routes, which is what each reload swaps.
    std::string config(const jwks_server& server, bool variant) const {
        const std::string providers = R"(,
  "providers": [
    {"name": "local", "issuer": ")" + std::string(fixture_issuer) + R"(", "audiences": ["api"],
     "algorithms": ["RS256"], "jwks_file": "jwks.json"},
    {"name": "idp", "issuer": ")" + std::string(remote_issuer) + R"(", "audiences": ["api"],
     "algorithms": ["RS256"], "jwks_url": ")" + server.url("/jwks") + R"(", "ca_file": ")" +
                                      pki.ca_file().string() + R"(",
     "jwks_cache": {"unknown_kid_interval_s": 1, "unknown_kid_wait_ms": 5000}}
  ])";
        const std::string routes = variant ? R"(,
  "routes": [{"path": "/public/", "match": "prefix", "auth": "none"}, {"path": "/v", "match": "prefix"}])"
                                           : R"(,
  "routes": [{"path": "/public/", "match": "prefix", "auth": "none"}])";
        return R"({
  "listen": "127.0.0.1:${TOKENGATE_TEST_LISTEN_PORT}",
  "admin_listen": "127.0.0.1:${TOKENGATE_TEST_ADMIN_PORT}",
  "upstream": "http://127.0.0.1:)" +
               std::to_string(fx.echo_port()) + R"(",
  "threads": 2)" + providers + routes + R"(,
  "identity_headers": {"sub": "X-User-Id"}
}
)";
    }

    temp_dir dir{"tokengate-soak"};
    test_pki pki = test_pki::create(dir.path());
    proxy_fixture fx{TOKENGATE_BINARY};
};

TEST_F(SoakTest, MixedLoadWithReloadsAndKeyRotationServesEveryValidToken) {
    // Verifies: for TOKENGATE_SOAK_SECONDS (10 by default) 4 clients send valid tokens (local keys; the remote
    // IdP's current kid), invalid ones (foreign key, expired, alg none) and anonymous requests, while a SIGHUP
    // swaps the config every 1.5 s and the IdP rotates to a new kid every 3 s, and /metrics and /readyz are
    // scraped: every valid token gets 200 (no 5xx at all), every invalid one 401, RSS stays within
    // rss_growth_bound_kib of the warmed-up size (not under sanitizers), and the proxy exits 0.
    jwks_server server({.tls = pki.issue("jwks")});
    server.set_jwks("/jwks", jwks_for(0), "max-age=3600");
    fx.start_echo();
    fx.start_proxy(config(server, false), "/readyz");
    const int pid = fx.proxy().pid();
    std::atomic<int> step{0};
    std::atomic<bool> stop{false};
    tally t;
    const std::int64_t now = unix_now();
    const std::string local_valid = rsa_token(good_claims());
    const std::string foreign = rsa_token(good_claims(), R"({"alg":"RS256","kid":"k1","typ":"JWT"})", 1);
    const std::string expired = rsa_token(R"({"iss":")" + std::string(fixture_issuer) + R"(","aud":"api","iat":)" +
                                          std::to_string(now - 4000) + R"(,"exp":)" + std::to_string(now - 3600) + "}");
    const std::string unsigned_token = signing_input(R"({"alg":"none"})", good_claims()) + ".";

    const auto client = [&](int seed) {
        int my_step = -1;
        std::string remote;
        http_connection conn(fx.port());
        for (long i = seed; !stop; ++i) {
            if (step != my_step) {
                my_step = step;
                remote = remote_token(my_step);
            }
            const int kind = static_cast<int>(i % 6);
            const bool valid = kind <= 1 || kind == 5;
            header_list h;
            std::string target = "/v/data";
            if (kind == 0) h = {{"Authorization", "Bearer " + remote}};
            if (kind == 1) h = {{"Authorization", "Bearer " + local_valid}};
            if (kind == 2) h = {{"Authorization", "Bearer " + foreign}};
            if (kind == 3) h = {{"Authorization", "Bearer " + expired}};
            if (kind == 4) h = {{"Authorization", "Bearer " + unsigned_token}};
            if (kind == 5) target = "/public/page";
            int status = 0;
            try {
                conn.send(make_request("GET", target, h));
                status = conn.read_response(10s).status;
            } catch (const http_error& e) {
                t.unexpected(std::string("kind ") + std::to_string(kind) + ": " + e.what());
                conn = http_connection(fx.port());
            }
            ++t.requests;
            if (status >= 500) ++t.server_errors;
            if (valid && status != 200) {
                ++t.valid_refused;
                t.unexpected("kind " + std::to_string(kind) + " step " + std::to_string(my_step) + ": " + std::to_string(status));
            }
            if (!valid && status != 401) {
                ++t.invalid_passed;
                t.unexpected("kind " + std::to_string(kind) + ": " + std::to_string(status));
            }
        }
    };
    std::atomic<long> scrapes{0};
    const auto scraper = [&] {
        while (!stop) {
            const auto m = get(fx.admin_port(), "/metrics");
            const auto r = get(fx.admin_port(), "/readyz");
            if (m.status == 200 && r.status == 200) ++scrapes;
            else t.unexpected("admin: /metrics " + std::to_string(m.status) + ", /readyz " + std::to_string(r.status));
            std::this_thread::sleep_for(100ms);  // pacing the scrapes, not waiting for readiness
        }
    };

    std::vector<std::thread> threads;
    for (int c = 0; c < 4; ++c) threads.emplace_back(client, c);
    threads.emplace_back(scraper);
    std::this_thread::sleep_for(1s);  // warm-up traffic before the baseline RSS
    const std::size_t warm_kib = rss_kib(pid).value_or(0);
    std::size_t peak_kib = warm_kib;
    const auto end = steady::now() + soak_duration();
    auto next_reload = steady::now() + 1500ms;
    auto next_rotation = steady::now() + 3s;
    int reloads = 0;
    while (steady::now() < end) {
        if (steady::now() >= next_reload) {
            std::ofstream(fx.dir() / "config.json", std::ios::trunc) << config(server, ++reloads % 2 == 1);
            ::kill(pid, SIGHUP);
            next_reload += 1500ms;
        }
        if (steady::now() >= next_rotation) {
            // The IdP publishes the new key first, then signs with it: the first such token
            // makes the proxy refetch (at most once per unknown_kid_interval).
            server.set_jwks("/jwks", jwks_for(step + 1), "max-age=3600");
            ++step;
            next_rotation += 3s;
        }
        peak_kib = std::max(peak_kib, rss_kib(pid).value_or(0));
        std::this_thread::sleep_for(50ms);  // the soak's clock tick
    }
    stop = true;
    for (auto& th : threads) th.join();

    std::string unexpected;
    for (const auto& s : t.samples) unexpected += "\n  " + s;
    std::printf("[soak] %lld s: %ld requests, %d reloads, %d key rotations, %ld scrapes, RSS %zu -> peak %zu KiB\n",
                static_cast<long long>(soak_duration().count()), t.requests.load(), reloads, step.load(),
                scrapes.load(), warm_kib, peak_kib);
    EXPECT_EQ(t.server_errors.load(), 0) << unexpected;
    EXPECT_EQ(t.valid_refused.load(), 0) << unexpected;
    EXPECT_EQ(t.invalid_passed.load(), 0) << unexpected;
    EXPECT_GT(t.requests.load(), 100);
    EXPECT_GE(step.load(), 2);
    const auto& lines = fx.log_lines();
    const auto reloaded = std::count_if(lines.begin(), lines.end(), [](const std::string& l) {
        return json_field(l, {"message"}) == "configuration reloaded";
    });
    EXPECT_GE(reloaded, reloads - 1);  // the last SIGHUP may still be in flight
    if (rss_meaningful) {
        EXPECT_LT(peak_kib - warm_kib, rss_growth_bound_kib);
    }
    EXPECT_EQ(fx.stop_proxy(), 0) << fx.proxy().err_text();
}

}  // namespace
}  // namespace tokengate::test
