#pragma once

#include <string>

namespace tokengate::log {

/** Per-request context passed explicitly (coroutines hop threads; no thread-locals). */
struct request_context {
    std::string request_id;
    std::string method;
    std::string path;    //!< normalised path; never the query string (tokens travel there)
    std::string client;  //!< peer address
};

}  // namespace tokengate::log
