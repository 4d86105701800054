#include "tokengate/proxy/request_head.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/string.hpp>

namespace tokengate::proxy {
namespace {

namespace http = boost::beast::http;

head_refusal refuse(http::status st, std::string detail) { return {st, std::move(detail)}; }

// RFC 9112 §5.2: obs-fold is obsolete and a proxy must reject it (or rewrite it); Beast
// would silently unfold it, so the raw header block is checked before parsing.
bool has_obs_fold(std::string_view head) {
    for (std::size_t i = head.find('\n'); i != std::string_view::npos && i + 1 < head.size(); i = head.find('\n', i + 1)) {
        if (head[i + 1] == ' ' || head[i + 1] == '\t') return true;
    }
    return false;
}

// One Transfer-Encoding field whose whole value, around optional whitespace, is "chunked".
bool is_plain_chunked(const http::request_header<>& req) {
    if (req.count(http::field::transfer_encoding) != 1) return false;
    std::string_view v = req[http::field::transfer_encoding];
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    return boost::beast::iequals(v, "chunked");
}

// CGI-style upstreams (WSGI, PHP-FPM, Rack) read '_' and '-' in a header name as the
// same character, so behind them "Transfer_Encoding" frames the body that this proxy
// relayed as unframed: a smuggling gap (nginx drops such names by default).
bool has_underscore_framing_field(const http::request_header<>& req) {
    for (const auto& f : req) {
        const std::string_view name = f.name_string();
        if (name.find('_') == std::string_view::npos) continue;
        std::string dashed(name);
        for (auto& ch : dashed) {
            if (ch == '_') ch = '-';
        }
        if (boost::beast::iequals(dashed, "transfer-encoding") || boost::beast::iequals(dashed, "content-length")) return true;
    }
    return false;
}

}  // namespace

std::optional<head_refusal> parse_head(std::string_view head, const config::limits_config& lim,
                                       http::request_parser<http::empty_body>& p) {
    if (head.size() > lim.max_header_bytes) return refuse(http::status::request_header_fields_too_large, "header too large");
    if (has_obs_fold(head)) return refuse(http::status::bad_request, "obs-fold in header");
    p.eager(false);
    p.header_limit(static_cast<std::uint32_t>(lim.max_header_bytes + 4));
    // Beast checks Content-Length against body_limit (default 1 MiB) while parsing the
    // header; bodies are streamed, so only the configured maximum applies.
    if (lim.max_body_bytes) p.body_limit(*lim.max_body_bytes);
    else p.body_limit(boost::none);
    boost::beast::error_code ec;
    const std::size_t used = p.put(boost::asio::buffer(head.data(), head.size()), ec);
    // RFC 9110 §15.5.14: a declared length over the limit is 413, answered before any of
    // the body is read.
    if (ec == http::error::body_limit) return refuse(http::status::payload_too_large, "body larger than max_body_bytes");
    if (ec || !p.is_header_done() || used != head.size())
        return refuse(http::status::bad_request, ec ? ec.message() : "incomplete header");
    const auto& req = p.get();
    // A Transfer-Encoding other than a final "chunked" leaves the body length to guess:
    // the classic request-smuggling gap between proxy and upstream (RFC 9112 §6.3). Only
    // a lone "chunked" is taken (as nginx does): codings before it, or a second field,
    // are spellings some upstream parser may read as no chunking at all.
    if (req.count(http::field::transfer_encoding) != 0 && !is_plain_chunked(req))
        return refuse(http::status::not_implemented, "unsupported transfer-encoding");
    if (has_underscore_framing_field(req)) return refuse(http::status::bad_request, "framing header spelled with '_'");
    if (req.version() != 11 && req.version() != 10) return refuse(http::status::http_version_not_supported, "HTTP version");
    // RFC 9112 §6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing (1.0
    // has no chunked coding; a 1.0 hop in front may have read the body differently).
    if (req.version() == 10 && req.count(http::field::transfer_encoding) != 0)
        return refuse(http::status::bad_request, "Transfer-Encoding in an HTTP/1.0 request");
    return std::nullopt;
}

}  // namespace tokengate::proxy
