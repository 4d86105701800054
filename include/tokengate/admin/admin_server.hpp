#pragma once

#include "tokengate/proxy/net.hpp"
#include "tokengate/proxy/server.hpp"

namespace tokengate::admin {

/** Serves /healthz, /readyz and /metrics on the admin listener (on the control event loop); returns
 *  the bound endpoint. */
proxy::tcp::endpoint start_admin(proxy::net::io_context& ioc, const proxy::tcp::endpoint& ep, proxy::server& srv);

/** Readiness: every provider has keys. `detail` names those that lack them. */
bool ready(const proxy::runtime& rt, std::string& detail);

}  // namespace tokengate::admin
