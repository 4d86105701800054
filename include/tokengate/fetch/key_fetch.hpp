#pragma once

#include "tokengate/config/config.hpp"
#include "tokengate/fetch/http_get.hpp"
#include "tokengate/keys/key_set.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace tokengate::fetch {

/** A provider's remote key source with everything a fetch needs. */
struct remote_source {
    std::string provider;
    std::optional<std::string> jwks_url;  //!< unset: discovery from the issuer
    std::string issuer;
    bool allow_http = false;
    std::optional<std::string> ca_file;
    config::jwks_cache_config cache;
    std::vector<jose::alg> algorithms;  //!< a fetched set must hold a key for one of them

    static remote_source of(const config::provider_config& p);
    /** Same place and trust (cache timing may differ): the keys of one stay valid for the other. */
    bool same_origin(const remote_source& o) const;
    /** "https://idp/jwks" or "discovery from https://idp/" for messages. */
    std::string describe() const;
};

/** One fetch of a remote key set: new keys, or why there are none. */
struct key_fetch_result {
    fetch_error error = fetch_error::none;
    std::string message;
    keys::key_set_ptr keys;
    std::vector<std::string> skipped;        //!< JWKS entries left out, each with its reason
    std::optional<std::chrono::seconds> max_age;
    std::string jwks_url;                    //!< where the keys came from (after discovery)

    bool ok() const noexcept { return error == fetch_error::none; }
};

/** Fetches the key set: discovery first unless `jwks_url` is known (configured, or from
 *  an earlier discovery), then the JWKS, parsed and checked for a usable key. */
boost::asio::awaitable<key_fetch_result> fetch_keys(remote_source src, std::string jwks_url);

/** fetch_keys on a private event loop, for the command line (explain). */
key_fetch_result fetch_keys_now(const remote_source& src);

/** The JWKS check alone: parse `body` as fetched from `origin` and require a key one of
 *  the algorithms can use. */
key_fetch_result keys_from_body(const get_result& response, const std::string& origin,
                                const std::vector<jose::alg>& algorithms);

}  // namespace tokengate::fetch
