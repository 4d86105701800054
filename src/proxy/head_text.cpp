#include "tokengate/proxy/head_text.hpp"

namespace tokengate::proxy {
namespace {

namespace http = boost::beast::http;

void append_version(std::string& out, unsigned version) {
    out += "HTTP/";
    out += static_cast<char>('0' + version / 10);
    out += '.';
    out += static_cast<char>('0' + version % 10);
}

void append_fields(std::string& out, const http::fields& f) {
    for (const auto& field : f) {
        const auto name = field.name_string();
        const auto value = field.value();
        out.append(name.data(), name.size()).append(": ").append(value.data(), value.size()).append("\r\n");
    }
    out += "\r\n";
}

}  // namespace

void append_head(std::string& out, const http::request_header<>& h) {
    const auto method = h.method_string();
    const auto target = h.target();
    out.append(method.data(), method.size()).append(" ").append(target.data(), target.size()).append(" ");
    append_version(out, h.version());
    out += "\r\n";
    append_fields(out, h);
}

void append_head(std::string& out, const http::response_header<>& h) {
    append_version(out, h.version());
    const unsigned code = h.result_int();
    out += ' ';
    out += static_cast<char>('0' + code / 100);
    out += static_cast<char>('0' + (code / 10) % 10);
    out += static_cast<char>('0' + code % 10);
    out += ' ';
    const auto reason = h.reason().empty() ? http::obsolete_reason(static_cast<http::status>(code)) : h.reason();
    out.append(reason.data(), reason.size()).append("\r\n");
    append_fields(out, h);
}

}  // namespace tokengate::proxy
