#include "tokengate/config/syntax.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>

namespace tokengate::config {
namespace {

bool is_ipv4(const std::string& s) {
    in_addr a{};
    return inet_pton(AF_INET, s.c_str(), &a) == 1;
}

bool is_ipv6(const std::string& s) {
    in6_addr a{};
    return inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

bool is_hostname(std::string_view s) {
    if (s.empty() || s.size() > 253 || s.front() == '-' || s.front() == '.') return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
    });
}

result<std::uint16_t> parse_port(std::string_view text) {
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || port < 1 || port > 65535)
        return failure{"port must be a number from 1 to 65535, got \"" + std::string(text) + "\""};
    return static_cast<std::uint16_t>(port);
}

// Splits "host:port" or "[v6]:port"; the host comes back without brackets.
result<endpoint> split_host_port(std::string_view text) {
    std::string_view host, port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos || text.substr(close + 1, 1) != ":")
            return failure{"expected \"[IPv6]:port\", got \"" + std::string(text) + "\""};
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
        if (!is_ipv6(std::string(host))) return failure{"\"" + std::string(host) + "\" is not an IPv6 address"};
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) return failure{"expected \"host:port\", got \"" + std::string(text) + "\""};
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.find(':') != std::string_view::npos)
            return failure{"write an IPv6 address in brackets: \"[" + std::string(host) + "]:" + std::string(port) + "\""};
    }
    auto p = parse_port(port);
    if (!p) return failure{p.error()};
    return endpoint{std::string(host), *p};
}

}  // namespace

result<endpoint> parse_listen_address(std::string_view text) {
    auto ep = split_host_port(text);
    if (!ep) return ep;
    if (ep->host.empty()) ep->host = "0.0.0.0";
    if (!is_ipv4(ep->host) && !is_ipv6(ep->host))
        return failure{"listen host must be an IP address (0.0.0.0 for every interface, 127.0.0.1 for loopback), got \"" +
                       ep->host + "\""};
    return ep;
}

result<endpoint> parse_upstream_url(std::string_view text) {
    if (text.rfind("https://", 0) == 0)
        return failure{"https upstreams are not supported: tokengate forwards to an API in the same pod over "
                       "plain http (\"http://127.0.0.1:3000\")"};
    if (text.rfind("http://", 0) != 0) return failure{"upstream must be an http:// URL, got \"" + std::string(text) + "\""};
    std::string_view rest = text.substr(7);
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (rest.find_first_of("/?#") != std::string_view::npos)
        return failure{"upstream must be scheme, host and port only: requests keep their own path and query"};
    if (rest.find('@') != std::string_view::npos) return failure{"upstream must not carry credentials"};
    const bool has_port = rest.find("]:") != std::string_view::npos ||
                          (rest.find(':') != std::string_view::npos && rest.front() != '[');
    auto ep = split_host_port(has_port ? std::string(rest) : std::string(rest) + ":80");
    if (!ep) return ep;
    if (!is_ipv4(ep->host) && !is_ipv6(ep->host) && !is_hostname(ep->host))
        return failure{"\"" + ep->host + "\" is not a host name or IP address"};
    return ep;
}

result<std::string_view> check_fetch_url(std::string_view text) {
    std::string_view rest;
    if (text.rfind("https://", 0) == 0) rest = text.substr(8);
    else if (text.rfind("http://", 0) == 0) rest = text.substr(7);
    else return failure{"must be an https:// URL, got \"" + std::string(text) + "\""};
    const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    if (authority.empty()) return failure{"URL has no host: \"" + std::string(text) + "\""};
    if (authority.find('@') != std::string_view::npos) return failure{"URL must not carry credentials"};
    if (authority.find_first_of(" \t") != std::string_view::npos) return failure{"URL contains whitespace"};
    return text;
}

bool is_http_token(std::string_view s) {
    constexpr std::string_view specials = "!#$%&'*+-.^_`|~";
    return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || specials.find(c) != std::string_view::npos;
    });
}

std::string route_path_problem(std::string_view path) {
    if (path.empty() || path.front() != '/') return "must start with \"/\"";
    if (path.find_first_of("?#") != std::string_view::npos) return "must not contain a query or fragment";
    if (std::any_of(path.begin(), path.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }))
        return "must not contain spaces or control characters";
    if (path.find("//") != std::string_view::npos) return "contains \"//\"; requests are matched on the normalised path";
    const std::string p = std::string(path) + "/";
    if (p.find("/./") != std::string::npos || p.find("/../") != std::string::npos)
        return "contains a dot segment; requests are matched on the normalised path";
    return {};
}

}  // namespace tokengate::config
