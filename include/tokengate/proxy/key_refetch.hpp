#pragma once

#include "tokengate/proxy/authenticator.hpp"
#include "tokengate/proxy/worker.hpp"

namespace tokengate::proxy {

/** authenticate(); when the token names a kid that a remote provider's key set lacks,
 *  asks the key manager for the (coalesced, rate-limited) refetch, waits for it up to
 *  the provider's unknown_kid_wait, and decides again with the refetched keys. This is
 *  how the first token signed with a rotated-in key is accepted (SPEC §4). */
net::awaitable<auth_outcome> authenticate_with_refetch(worker& w, const runtime& rt, std::string_view method,
                                                       std::string_view path, std::string_view query,
                                                       const boost::beast::http::fields& headers);

}  // namespace tokengate::proxy
