#include "tokengate/fetch/url.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace tokengate::fetch {

std::string url::authority() const {
    std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (port != (tls ? 443 : 80)) out += ":" + std::to_string(port);
    return out;
}

bool is_ip_literal(std::string_view host) {
    const std::string h(host);
    unsigned char buf[16];
    return inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

result<url> parse_url(std::string_view text) {
    url u;
    u.text = std::string(text);
    if (std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }))
        return failure{"URL contains whitespace or control characters"};
    std::string_view rest;
    if (text.rfind("https://", 0) == 0) rest = text.substr(8);
    else if (text.rfind("http://", 0) == 0) {
        rest = text.substr(7);
        u.tls = false;
        u.port = 80;
    } else {
        return failure{"not an http(s) URL: \"" + display_url(text) + "\""};
    }
    if (rest.find('#') != std::string_view::npos) return failure{"URL must not have a fragment"};
    const auto end = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, end);
    u.target = end == std::string_view::npos ? "/" : std::string(rest.substr(end));
    if (u.target.front() == '?') u.target.insert(0, "/");
    if (authority.find('@') != std::string_view::npos) return failure{"URL must not carry credentials"};
    std::string_view port_text;
    bool has_port = false;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return failure{"URL has an unclosed [IPv6] host"};
        u.host = std::string(authority.substr(1, close - 1));
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty() && after.front() != ':') return failure{"unexpected text after the [IPv6] host"};
        has_port = !after.empty();
        if (has_port) port_text = after.substr(1);
        if (!is_ip_literal(u.host) || u.host.find(':') == std::string::npos)
            return failure{"\"" + u.host + "\" is not an IPv6 address"};
    } else {
        const auto colon = authority.rfind(':');
        u.host = std::string(authority.substr(0, colon));
        has_port = colon != std::string_view::npos;
        if (has_port) port_text = authority.substr(colon + 1);
        if (u.host.find(':') != std::string::npos) return failure{"IPv6 hosts go in brackets: https://[::1]:8443/"};
    }
    if (u.host.empty()) return failure{"URL has no host: \"" + display_url(text) + "\""};
    // Whenever a port separator was seen: "h:1]" or "[::1]:8443]" is a bad port, not port 443.
    if (has_port) {
        unsigned p = 0;
        const auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), p);
        if (port_text.empty() || ec != std::errc() || ptr != port_text.data() + port_text.size() || p == 0 || p > 65535)
            return failure{"URL port must be 1-65535, got \"" + std::string(port_text) + "\""};
        u.port = static_cast<std::uint16_t>(p);
    }
    return u;
}

std::string display_url(std::string_view text) {
    text = text.substr(0, text.find_first_of("?#"));
    const auto scheme = text.find("://");
    if (scheme == std::string_view::npos) return std::string(text);
    const auto authority = scheme + 3;
    const auto end = std::min(text.find('/', authority), text.size());
    const auto at = text.substr(authority, end - authority).rfind('@');
    if (at == std::string_view::npos) return std::string(text);
    return std::string(text.substr(0, authority)) + std::string(text.substr(authority + at + 1));
}

}  // namespace tokengate::fetch
