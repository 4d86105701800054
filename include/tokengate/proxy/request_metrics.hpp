#pragma once

#include "tokengate/metrics/labels.hpp"
#include "tokengate/proxy/authenticator.hpp"
#include "tokengate/proxy/worker.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace tokengate::proxy {

/** The metric label ids of a snapshot's providers (trust order) and routes (config
 *  order), interned in the global registry; built where a snapshot is built. */
metrics::request_labels make_metric_labels(const validate::trust& t, const config::config& cfg);

/** Counts one request in tokengate_requests_total exactly once. The first count wins, and
 *  the request path counts before it writes the answer, so a client that holds its answer
 *  finds it counted. A tally that ends uncounted (the client went away first) counts
 *  client_closed. */
class request_tally {
public:
    request_tally(worker& w, const runtime& rt) noexcept : w_(w), rt_(rt) {}
    ~request_tally() { count(metrics::outcome::client_closed); }
    request_tally(const request_tally&) = delete;
    request_tally& operator=(const request_tally&) = delete;

    /** Takes the verdict and the provider and route labels from an auth outcome. */
    void set_auth(const auth_outcome& a) noexcept;
    /** Counts the verdict set_auth() saw: accepted, anonymous, or rejected with its reason. */
    void count_verdict() noexcept { count(verdict_); }
    void count(metrics::outcome o) noexcept;

private:
    worker& w_;
    const runtime& rt_;
    metrics::outcome verdict_ = metrics::outcome::bad_request;
    std::optional<reason> why_;
    std::uint16_t provider_ = metrics::no_label;
    std::uint16_t route_ = metrics::no_label;
    bool counted_ = false;
};

/** authenticate() plus what the metrics need of it: the decision time, the worker's token
 *  cache counters, and for an accepted token its age and the rate-limited clock.drift
 *  warning when its iat lies ahead of this host's clock (SPEC §8). */
auth_outcome authenticate_measured(worker& w, const runtime& rt, std::string_view method, std::string_view path,
                                   std::string_view query, const boost::beast::http::fields& headers);

}  // namespace tokengate::proxy
