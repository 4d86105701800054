#pragma once

#include "tokengate/proxy/runtime.hpp"
#include "tokengate/proxy/token_cache.hpp"

#include <boost/beast/http/fields.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string_view>

namespace tokengate::proxy {

/** The authentication verdict for one request. */
struct auth_outcome {
    enum class kind { anonymous, accepted, rejected };
    kind verdict = kind::rejected;
    std::shared_ptr<const validate::decision> decision;  //!< accepted, or the rejected token's evidence
    std::optional<rejection> rejected;
    const config::route_config* route = nullptr;         //!< nullptr: default_auth applied
    bool cache_hit = false;
    /** Set when the decision was made on a newer snapshot than the request's (after a key
     *  refetch): keeps `route` and `decision` valid for the rest of the request. */
    runtime_ptr snapshot;
};

/** Decides a request from its method, normalised path, query and headers: route →
 *  auth mode → token (configured sources) → cache or validator. `optional` routes let a
 *  request without a token through anonymously but reject an invalid one. */
auth_outcome authenticate(const runtime& rt, token_cache* cache, std::string_view method, std::string_view path,
                          std::string_view query, const boost::beast::http::fields& headers,
                          std::chrono::system_clock::time_point now);

}  // namespace tokengate::proxy
