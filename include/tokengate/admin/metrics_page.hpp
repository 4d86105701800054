#pragma once

#include "tokengate/proxy/server.hpp"

#include <chrono>
#include <string>

namespace tokengate::admin {

/** Content-Type of /metrics: Prometheus text exposition format 0.0.4. */
inline constexpr const char* metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

/** The /metrics body: the registry's families, then the gauges read from the running
 *  server at scrape time: open connections, and per provider of the current snapshot its
 *  key count and, for fetched key sets, their age as of `now`. */
std::string metrics_page(proxy::server& srv, std::chrono::system_clock::time_point now);

/** The per-provider key gauges of one snapshot (also for tests without a server). */
void render_provider_keys(metrics::text_writer& w, const proxy::runtime& rt, std::chrono::system_clock::time_point now);

}  // namespace tokengate::admin
