#include "tokengate/admin/metrics_page.hpp"

#include "tokengate/metrics/metrics.hpp"
#include "tokengate/metrics/registry.hpp"

namespace tokengate::admin {

void render_provider_keys(metrics::text_writer& w, const proxy::runtime& rt, std::chrono::system_clock::time_point now) {
    using metrics::family;
    metrics::begin(w, family::provider_keys);
    for (const auto& p : rt.trust.providers) {
        const std::uint64_t n = p.keys.keys ? p.keys.keys->keys.size() : 0;
        w.sample(metrics::info(family::provider_keys).name, {{"provider", p.name}}, n);
    }
    metrics::begin(w, family::provider_keys_age);
    for (const auto& p : rt.trust.providers) {
        // Local keys have no fetch time, and a provider still waiting for its first fetch
        // has no key set: both have no age to report (keys = 0 says the latter).
        if (!p.keys.keys || !p.keys.keys->fetched_at) continue;
        const double age = std::chrono::duration<double>(now - *p.keys.keys->fetched_at).count();
        w.sample(metrics::info(family::provider_keys_age).name, {{"provider", p.name}}, age);
    }
}

std::string metrics_page(proxy::server& srv, std::chrono::system_clock::time_point now) {
    metrics::text_writer w;
    metrics::global().render(w);
    metrics::begin(w, metrics::family::open_connections);
    w.sample(metrics::info(metrics::family::open_connections).name,
             static_cast<std::uint64_t>(srv.shared().open_connections.load(std::memory_order_relaxed)));
    render_provider_keys(w, *srv.current(), now);
    return w.text();
}

}  // namespace tokengate::admin
