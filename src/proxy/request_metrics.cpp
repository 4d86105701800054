#include "tokengate/proxy/request_metrics.hpp"

#include "tokengate/log/event_log.hpp"
#include "tokengate/metrics/registry.hpp"
#include "tokengate/proxy/clock_drift.hpp"

#include <algorithm>

namespace tokengate::proxy {
namespace {

// One clock.drift line per provider per minute is enough to get noticed; a drifting clock
// otherwise repeats it for every request.
constexpr std::chrono::seconds drift_warning_interval{60};

void note_accepted(worker& w, const runtime& rt, const validate::decision& d, double now_s) {
    if (d.ev.iat) w.metrics().observe_token_age(std::max(0.0, now_s - *d.ev.iat));
    const auto ahead = clock_drift_of(d, now_s);
    if (!ahead) return;
    w.metrics().count_clock_drift();
    static drift_limiter limiter(drift_warning_interval);
    if (limiter.allow(rt.metric_labels.provider(d.provider_index), static_cast<std::int64_t>(now_s)))
        log::clock_drift(d.ev, *ahead, now_s);
}

}  // namespace

metrics::request_labels make_metric_labels(const validate::trust& t, const config::config& cfg) {
    std::vector<std::string> providers;
    providers.reserve(t.providers.size());
    for (const auto& p : t.providers) providers.push_back(p.name);
    std::vector<std::string> routes;
    routes.reserve(cfg.routes.size());
    for (const auto& r : cfg.routes) routes.push_back(r.path);
    return metrics::make_request_labels(metrics::global(), providers, routes);
}

void request_tally::set_auth(const auth_outcome& a) noexcept {
    switch (a.verdict) {
    case auth_outcome::kind::accepted: verdict_ = metrics::outcome::accepted; break;
    case auth_outcome::kind::anonymous: verdict_ = metrics::outcome::anonymous; break;
    case auth_outcome::kind::rejected: verdict_ = metrics::outcome::rejected; break;
    }
    if (a.rejected) why_ = a.rejected->code;
    // After a key refetch the decision (and its route) belongs to the newer snapshot.
    const runtime& rt = a.snapshot ? *a.snapshot : rt_;
    if (a.decision) provider_ = rt.metric_labels.provider(a.decision->provider_index);
    route_ = rt.metric_labels.route(a.route ? std::optional<std::size_t>(static_cast<std::size_t>(a.route - rt.cfg.routes.data()))
                                            : std::nullopt);
}

void request_tally::count(metrics::outcome o) noexcept {
    if (counted_) return;
    counted_ = true;
    w_.metrics().count_request(o, why_, provider_, route_);
}

auth_outcome authenticate_measured(worker& w, const runtime& rt, std::string_view method, std::string_view path,
                                   std::string_view query, const boost::beast::http::fields& headers) {
    const auto now = std::chrono::system_clock::now();
    const auto started = std::chrono::steady_clock::now();
    auth_outcome out = authenticate(rt, &w.cache(), method, path, query, headers, now);
    w.metrics().observe_auth_duration(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    w.metrics().set_token_cache(w.cache().hits(), w.cache().misses(), w.cache().size());
    if (out.verdict == auth_outcome::kind::accepted && out.decision)
        note_accepted(w, rt, *out.decision, std::chrono::duration<double>(now.time_since_epoch()).count());
    return out;
}

}  // namespace tokengate::proxy
