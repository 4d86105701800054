#include "tokengate/config/load.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tokengate::config {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string with_cache(const std::string& source, const std::string& cache) {
    return R"({"providers": [{"name": "idp", "issuer": "https://idp.example.com/", "audiences": ["api"],
               "algorithms": ["RS256"], )" +
           source + (cache.empty() ? "" : ", \"jwks_cache\": " + cache) + "}]}";
}

const std::string remote = R"("jwks_url": "https://idp.example.com/jwks.json")";

std::string all_messages(const load_result& r) {
    std::string out;
    for (const auto& d : r.errors) out += to_string(d) + "\n";
    return out;
}

TEST(JwksCacheConfigTest, DefaultsFollowSpec) {
    const load_result r = parse_config(with_cache(remote, ""));
    ASSERT_TRUE(r.cfg) << all_messages(r);
    const jwks_cache_config& c = r.cfg->providers[0].keys.cache;
    EXPECT_EQ(c.refresh_min, seconds(60));
    EXPECT_EQ(c.refresh_max, seconds(86400));
    EXPECT_EQ(c.refresh_default, seconds(600));
    EXPECT_EQ(c.unknown_kid_interval, seconds(30));
    EXPECT_EQ(c.max_bytes, 1024u * 1024u);
    EXPECT_TRUE(r.cfg->providers[0].keys.remote());
}

TEST(JwksCacheConfigTest, EveryKeyIsRead) {
    const load_result r = parse_config(with_cache(
        remote, R"({"refresh_min_s": 5, "refresh_max_s": 50, "refresh_default_s": 20, "max_stale_s": 7,
                    "unknown_kid_interval_s": 3, "unknown_kid_wait_ms": 900, "connect_timeout_ms": 100,
                    "timeout_ms": 200, "max_bytes": 4096, "retry_min_ms": 10, "retry_max_ms": 20})"));
    ASSERT_TRUE(r.cfg) << all_messages(r);
    const jwks_cache_config& c = r.cfg->providers[0].keys.cache;
    EXPECT_EQ(c.refresh_min, seconds(5));
    EXPECT_EQ(c.refresh_max, seconds(50));
    EXPECT_EQ(c.refresh_default, seconds(20));
    EXPECT_EQ(c.max_stale, seconds(7));
    EXPECT_EQ(c.unknown_kid_interval, seconds(3));
    EXPECT_EQ(c.unknown_kid_wait, milliseconds(900));
    EXPECT_EQ(c.connect_timeout, milliseconds(100));
    EXPECT_EQ(c.timeout, milliseconds(200));
    EXPECT_EQ(c.max_bytes, 4096u);
    EXPECT_EQ(c.retry_min, milliseconds(10));
    EXPECT_EQ(c.retry_max, milliseconds(20));
}

TEST(JwksCacheConfigTest, UnsetDefaultFollowsNarrowBounds) {
    const load_result r = parse_config(with_cache(remote, R"({"refresh_min_s": 1, "refresh_max_s": 5})"));
    ASSERT_TRUE(r.cfg) << all_messages(r);
    EXPECT_EQ(r.cfg->providers[0].keys.cache.refresh_default, seconds(5));
}

TEST(JwksCacheConfigTest, InconsistentBoundsAreErrorsAtTheirPath) {
    const load_result r = parse_config(with_cache(remote, R"({"refresh_min_s": 100, "refresh_max_s": 50})"));
    ASSERT_FALSE(r.cfg);
    EXPECT_NE(all_messages(r).find("$.providers[0].jwks_cache.refresh_min_s: refresh_min_s is larger"),
              std::string::npos)
        << all_messages(r);
    const load_result d = parse_config(with_cache(remote, R"({"refresh_max_s": 50, "refresh_default_s": 60})"));
    ASSERT_FALSE(d.cfg);
    EXPECT_NE(all_messages(d).find("refresh_default_s must lie between"), std::string::npos) << all_messages(d);
    const load_result t = parse_config(with_cache(remote, R"({"retry_min_ms": 100, "retry_max_ms": 50})"));
    EXPECT_FALSE(t.cfg);
}

TEST(JwksCacheConfigTest, MisspeltKeyIsAnErrorWithSuggestion) {
    const load_result r = parse_config(with_cache(remote, R"({"refresh_mins": 5})"));
    ASSERT_FALSE(r.cfg);
    EXPECT_NE(all_messages(r).find("did you mean \"refresh_min_s\""), std::string::npos) << all_messages(r);
}

TEST(JwksCacheConfigTest, OnlyForRemoteSources) {
    const load_result r = parse_config(with_cache(R"("jwks_file": "keys.json")", R"({"refresh_min_s": 5})"));
    ASSERT_FALSE(r.cfg);
    EXPECT_NE(all_messages(r).find("\"jwks_cache\" applies only to jwks_url or discovery"), std::string::npos)
        << all_messages(r);
}

}  // namespace
}  // namespace tokengate::config
