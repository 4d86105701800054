#include "tokengate/proxy/header_rewrite.hpp"

#include "tokengate/jose/base64url.hpp"
#include "tokengate/jose/json.hpp"

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <string>
#include <vector>

namespace tokengate::proxy {
namespace {

namespace http = boost::beast::http;

std::vector<std::string> connection_tokens(const http::fields& h) {
    std::vector<std::string> out;
    const auto range = h.equal_range(http::field::connection);
    for (auto it = range.first; it != range.second; ++it) {
        for (auto tok : http::token_list{it->value()}) out.emplace_back(tok);
    }
    return out;
}

// RFC 9110 §7.6.1's fixed hop-by-hop set (Connection itself included); Upgrade too unless
// the request becomes a tunnel.
bool fixed_hop_by_hop(http::field f, bool keep_upgrade) {
    switch (f) {
    case http::field::connection:
    case http::field::keep_alive:
    case http::field::proxy_connection:
    case http::field::te:
    case http::field::trailer:
    case http::field::proxy_authorization:
    case http::field::proxy_authenticate: return true;
    case http::field::upgrade: return !keep_upgrade;
    default: return false;
    }
}

bool clean_value(std::string_view v) {
    return std::none_of(v.begin(), v.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && u != '\t') || u == 0x7F;
    });
}

std::string header_text(const rapidjson::Value& v) {
    if (v.IsString()) return {v.GetString(), v.GetStringLength()};
    if (v.IsArray() && std::all_of(v.Begin(), v.End(), [](const rapidjson::Value& e) { return e.IsString(); })) {
        std::string out;
        for (const auto& e : v.GetArray()) out += (out.empty() ? "" : ",") + std::string(e.GetString(), e.GetStringLength());
        return out;
    }
    return jose::to_json(v);
}

// CGI-style upstreams (WSGI, PHP-FPM, Rack) turn '-' and '_' in header names into the
// same variable (HTTP_X_USER_ID), so there "X_User_Id" is X-User-Id: a spoof unless both
// spellings are removed.
bool same_variable_name(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto x = static_cast<char>(std::tolower(static_cast<unsigned char>(a[i])));
        auto y = static_cast<char>(std::tolower(static_cast<unsigned char>(b[i])));
        if (x == '_') x = '-';
        if (y == '_') y = '-';
        if (x != y) return false;
    }
    return true;
}

void erase_every_spelling(http::fields& h, std::string_view name) {
    for (auto it = h.begin(); it != h.end();) {
        if (same_variable_name(it->name_string(), name)) it = h.erase(it);
        else ++it;
    }
}

}  // namespace

void strip_hop_by_hop(http::fields& h, bool keep_upgrade) {
    // Headers a client names in Connection, minus the ones that must survive.
    std::vector<std::string> named;
    for (auto& tok : connection_tokens(h)) {
        if (keep_upgrade && boost::beast::iequals(tok, "upgrade")) continue;
        if (boost::beast::iequals(tok, "close") || boost::beast::iequals(tok, "keep-alive")) continue;
        // Framing stays whatever a client names: the body is relayed with the framing the
        // parser saw, and a header without it makes the upstream read the body as the next
        // request (request smuggling past authentication).
        if (boost::beast::iequals(tok, "content-length") || boost::beast::iequals(tok, "transfer-encoding")) continue;
        if (boost::beast::iequals(tok, "host")) continue;  // end-to-end by definition (RFC 9110 §7.2)
        named.push_back(std::move(tok));
    }
    // One pass over the fields (this runs for every request and response) instead of a
    // lookup per hop-by-hop name.
    for (auto it = h.begin(); it != h.end();) {
        const bool drop = fixed_hop_by_hop(it->name(), keep_upgrade) ||
                          std::any_of(named.begin(), named.end(), [&](const std::string& n) {
                              return boost::beast::iequals(n, it->name_string());
                          });
        it = drop ? h.erase(it) : std::next(it);
    }
    if (keep_upgrade) h.set(http::field::connection, "upgrade");
}

void set_forwarded(http::fields& h, std::string_view client_ip, std::string_view host) {
    // Several X-Forwarded-For lines are one list (RFC 9110 §5.3): keep every hop.
    std::string joined;
    const auto xff = h.equal_range("X-Forwarded-For");
    for (auto it = xff.first; it != xff.second; ++it) joined.append(it->value()).append(", ");
    h.set("X-Forwarded-For", joined.append(client_ip));
    if (h.find("X-Forwarded-Proto") == h.end()) h.set("X-Forwarded-Proto", "http");
    if (h.find("X-Forwarded-Host") == h.end() && !host.empty()) h.set("X-Forwarded-Host", host);
}

void strip_identity(http::fields& h, const config::identity_config& id) {
    for (const auto& [claim, header] : id.claim_headers) erase_every_spelling(h, header);
    if (id.payload_header) erase_every_spelling(h, *id.payload_header);
    if (!id.provider_header.empty()) erase_every_spelling(h, id.provider_header);
}

void add_identity(http::fields& h, const config::identity_config& id, const rapidjson::Value& claims,
                  std::string_view payload_json, std::string_view provider) {
    for (const auto& [claim, header] : id.claim_headers) {
        const rapidjson::Value* v = jose::find_member(claims, claim);
        if (v == nullptr) continue;
        const std::string text = header_text(*v);
        if (clean_value(text)) h.set(header, text);
    }
    if (id.payload_header) h.set(*id.payload_header, jose::base64url_encode(payload_json));
    if (!id.provider_header.empty()) h.set(id.provider_header, provider);
}

}  // namespace tokengate::proxy
