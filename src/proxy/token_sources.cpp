#include "tokengate/proxy/token_sources.hpp"

#include <array>


namespace tokengate::proxy {
namespace {

namespace http = boost::beast::http;

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// All values of one cookie name across every Cookie header (RFC 6265 §4.2.1).
std::vector<std::string_view> cookie_values(const http::fields& h, std::string_view name) {
    std::vector<std::string_view> out;
    for (auto it = h.find(http::field::cookie); it != h.end() && it->name() == http::field::cookie; ++it) {
        std::string_view v = it->value();
        while (!v.empty()) {
            const auto semi = v.find(';');
            const std::string_view pair = trim_ows(v.substr(0, semi));
            const auto eq = pair.find('=');
            if (eq != std::string_view::npos && pair.substr(0, eq) == name) out.push_back(pair.substr(eq + 1));
            if (semi == std::string_view::npos) break;
            v.remove_prefix(semi + 1);
        }
    }
    return out;
}

std::vector<std::string_view> query_values(std::string_view query, std::string_view name) {
    std::vector<std::string_view> out;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        const auto eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name) out.push_back(pair.substr(eq + 1));
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return out;
}

std::vector<std::string_view> header_values(const http::fields& h, std::string_view name) {
    std::vector<std::string_view> out;
    const auto range = h.equal_range(name);
    for (auto it = range.first; it != range.second; ++it) out.push_back(it->value());
    return out;
}

std::string describe(const config::token_source& s) {
    switch (s.type) {
    case config::token_source::kind::authorization: return "Authorization header";
    case config::token_source::kind::header: return "header " + s.name;
    case config::token_source::kind::cookie: return "cookie " + s.name;
    case config::token_source::kind::query: return "query parameter " + s.name;
    }
    return "?";
}

validate::extraction ambiguous(std::string what) {
    return {std::nullopt, rejection{reason::malformed_token, std::move(what) + ": ambiguous, refused"}};
}

// The Authorization values of a request: almost always one, read without allocating.
validate::extraction bearer_of(const http::fields& h) {
    const auto range = h.equal_range(http::field::authorization);
    std::array<std::string_view, 2> few{};
    std::size_t n = 0;
    for (auto it = range.first; it != range.second && n < few.size(); ++it) few[n++] = it->value();
    if (n < few.size()) return validate::extract_bearer(std::span<const std::string_view>(few.data(), n));
    return validate::extract_bearer(header_values(h, "Authorization"));
}

}  // namespace

validate::extraction find_token(const http::fields& headers, std::string_view query,
                                const std::vector<config::token_source>& sources) {
    std::optional<std::string_view> token;
    const config::token_source* where = nullptr;  // described only for a message
    std::string missing_hint;
    for (const auto& s : sources) {
        std::vector<std::string_view> values;
        std::string_view one;  // the value found here, when there is exactly one
        switch (s.type) {
        case config::token_source::kind::authorization: {
            if (headers.count(http::field::authorization) == 0) continue;
            validate::extraction e = bearer_of(headers);
            if (e.error && e.error->code != reason::missing_token) return e;
            if (e.error) {
                if (missing_hint.empty()) missing_hint = e.error->hint;
                continue;
            }
            one = *e.token;
            break;
        }
        case config::token_source::kind::header: values = header_values(headers, s.name); break;
        case config::token_source::kind::cookie: values = cookie_values(headers, s.name); break;
        case config::token_source::kind::query: values = query_values(query, s.name); break;
        }
        if (values.size() > 1) return ambiguous(std::to_string(values.size()) + " tokens in " + describe(s));
        if (values.size() == 1) one = values.front();
        else if (s.type != config::token_source::kind::authorization) continue;
        if (token) return ambiguous("tokens in both " + describe(*where) + " and " + describe(s));
        token = s.type == config::token_source::kind::header ? trim_ows(one) : one;
        where = &s;
    }
    if (token) return {token, std::nullopt};
    return {std::nullopt, rejection{reason::missing_token, missing_hint}};
}
}  // namespace tokengate::proxy
