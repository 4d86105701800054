#pragma once

#include "tokengate/fetch/url.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tokengate::fetch {

/** Bounds and trust of one GET. */
struct get_options {
    std::optional<std::string> ca_file;  //!< PEM bundle; unset = the system CA store
    std::chrono::milliseconds connect_timeout{3000};
    std::chrono::milliseconds timeout{10000};  //!< the whole exchange
    std::size_t max_bytes = 1024 * 1024;       //!< response body limit
};

/** Why a fetch failed, coarse enough for a metric label. */
enum class fetch_error { none, connect, tls, timeout, http_status, too_large, bad_response, invalid };

std::string_view to_string(fetch_error e) noexcept;

/** A GET's outcome: a 200 response, or the error class and a sentence for the log. */
struct get_result {
    fetch_error error = fetch_error::none;
    std::string message;  //!< what failed, naming the URL's host and the stage
    unsigned status = 0;
    std::string content_type;
    std::string cache_control;
    std::string body;

    bool ok() const noexcept { return error == fetch_error::none; }
};

/** GETs `u` over HTTP/1.1 (TLS 1.2+ for https, with certificate chain and host name
 *  verification and SNI). Anything but a complete 200 within the bounds is an error. */
boost::asio::awaitable<get_result> http_get(url u, get_options opt);

}  // namespace tokengate::fetch
