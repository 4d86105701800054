#include "tokengate/proxy/route_match.hpp"

#include <algorithm>

namespace tokengate::proxy {
namespace {

bool path_matches(const config::route_config& r, std::string_view path) {
    if (!r.prefix) return path == r.path;
    if (path.substr(0, r.path.size()) != r.path) return false;
    // Segment boundary: the prefix ends with '/', or the path ends there or continues with '/'.
    return r.path.back() == '/' || path.size() == r.path.size() || path[r.path.size()] == '/';
}

}  // namespace

const config::route_config* match_route(const std::vector<config::route_config>& routes, std::string_view path,
                                        std::string_view method) {
    for (const auto& r : routes) {
        if (!path_matches(r, path)) continue;
        if (!r.methods.empty() && std::find(r.methods.begin(), r.methods.end(), method) == r.methods.end()) continue;
        return &r;
    }
    return nullptr;
}

}  // namespace tokengate::proxy
