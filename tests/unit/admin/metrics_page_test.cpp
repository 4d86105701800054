#include "tokengate/admin/metrics_page.hpp"

#include "support/test_keys.hpp"

#include <gtest/gtest.h>

namespace tokengate::admin {
namespace {

using std::chrono::seconds;

TEST(MetricsPageTest, ProviderKeyCountAndAgeOfFetchedSets) {
    // Verifies the key gauges: a count per provider (0 while a remote one has none yet),
    // an age only for key sets with a fetch time.
    const std::chrono::system_clock::time_point now{seconds(1'800'000'000)};
    proxy::runtime rt;
    validate::provider local;
    local.name = "local";
    local.keys.keys = test::key_set_of({test::rsa_pair(0).pub, test::rsa_pair(1).pub});
    validate::provider fetched;
    fetched.name = "fetched";
    auto ks = std::make_shared<keys::key_set>();
    ks->keys.push_back(test::rsa_pair(0).pub);
    ks->fetched_at = now - seconds(90);
    fetched.keys.keys = ks;
    validate::provider waiting;
    waiting.name = "waiting";
    rt.trust.providers = {local, fetched, waiting};
    metrics::text_writer w;

    render_provider_keys(w, rt, now);

    EXPECT_EQ(w.text(),
              "# HELP tokengate_provider_keys Keys in each provider's current key set\n"
              "# TYPE tokengate_provider_keys gauge\n"
              "tokengate_provider_keys{provider=\"local\"} 2\n"
              "tokengate_provider_keys{provider=\"fetched\"} 1\n"
              "tokengate_provider_keys{provider=\"waiting\"} 0\n"
              "# HELP tokengate_provider_keys_age_seconds Seconds since each remote provider's key set was fetched "
              "(only for fetched key sets)\n"
              "# TYPE tokengate_provider_keys_age_seconds gauge\n"
              "tokengate_provider_keys_age_seconds{provider=\"fetched\"} 90\n");
}

}  // namespace
}  // namespace tokengate::admin
