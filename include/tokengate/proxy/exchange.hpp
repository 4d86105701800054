#pragma once

#include "tokengate/log/event_log.hpp"
#include "tokengate/proxy/authenticator.hpp"
#include "tokengate/proxy/net.hpp"
#include "tokengate/proxy/request_metrics.hpp"
#include "tokengate/proxy/worker.hpp"

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

namespace tokengate::proxy {

namespace http = beast::http;

/** One client connection's state shared by the request steps. */
struct client_conn {
    worker& w;
    stream client;
    beast::flat_buffer buf;  //!< bytes read from the client and not yet consumed
    std::string peer;
    int status = 0;  //!< status of the last response header sent to the client (access log)
};

/** What the session loop does after a request. */
enum class after { keep_alive, close };

/** Sends a small response (status, JSON body, extra headers) and says whether the
 *  connection may continue. */
net::awaitable<after> respond(client_conn& c, http::status status, std::string body, unsigned version,
                              bool keep_alive, const http::fields* extra = nullptr);

/** Sends the 401/403/503 for a rejection and logs it. */
net::awaitable<after> respond_rejected(client_conn& c, const runtime& rt, const log::request_context& ctx,
                                       const auth_outcome& outcome, unsigned version, bool keep_alive);

/** Forwards an authenticated request (header parsed by `p`) to the upstream and relays the
 *  response, streaming both bodies; tunnels after a 101. Counts the request in `tally`
 *  (the verdict once the upstream answered, else upstream_error or bad_request). */
net::awaitable<after> forward(client_conn& c, const runtime& rt, http::request_parser<http::empty_body>& p,
                              const auth_outcome& outcome, const log::request_context& ctx, std::string target,
                              request_tally& tally);

/** Answers an ingress auth subrequest (ingress-nginx auth-url, Traefik ForwardAuth, Envoy
 *  ext_authz HTTP): 200 with identity headers, or the rejection; counted in `tally`. */
net::awaitable<after> forward_auth(client_conn& c, const runtime& rt, const http::request_parser<http::empty_body>& p,
                                   log::request_context& ctx, request_tally& tally);

}  // namespace tokengate::proxy
