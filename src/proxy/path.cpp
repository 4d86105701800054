#include "tokengate/proxy/path.hpp"

#include <vector>

namespace tokengate::proxy {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool is_unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

// Decodes only what RFC 3986 §6.2.2.2 says is equivalent (unreserved characters), so
// "%2e%2e" is seen as ".." while reserved characters keep their encoding.
std::optional<std::string> decode_unreserved(std::string_view in, std::string& error) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        const auto c = static_cast<unsigned char>(in[i]);
        if (c < 0x21 || c == 0x7F || c == '\\') {
            error = c == '\\' ? "backslash in path" : "control character or space in path";
            return std::nullopt;
        }
        if (c != '%') {
            out.push_back(static_cast<char>(c));
            continue;
        }
        const int hi = i + 2 < in.size() ? hex_value(in[i + 1]) : -1;
        const int lo = i + 2 < in.size() ? hex_value(in[i + 2]) : -1;
        if (hi < 0 || lo < 0) {
            error = "malformed percent-escape in path";
            return std::nullopt;
        }
        const auto decoded = static_cast<unsigned char>(hi * 16 + lo);
        if (decoded == '/' || decoded == '\\' || decoded == 0) {
            error = decoded == 0 ? "encoded NUL (%00) in path" : "encoded slash or backslash (%2F/%5C) in path";
            return std::nullopt;
        }
        if (is_unreserved(decoded)) {
            out.push_back(static_cast<char>(decoded));
        } else {
            static constexpr char digits[] = "0123456789ABCDEF";
            out.push_back('%');
            out.push_back(digits[decoded >> 4]);
            out.push_back(digits[decoded & 0x0F]);
        }
        i += 2;
    }
    return out;
}

// "..;x" is no dot segment to RFC 3986, but Tomcat/Jetty/Spring upstreams strip the
// parameter and step up a level: refused, so a public-prefix rule cannot be walked out of.
bool has_dot_segment_with_parameter(std::string_view path) {
    for (std::size_t i = path.find("/."); i != std::string_view::npos; i = path.find("/.", i + 1)) {
        const std::string_view rest = path.substr(i + 1);
        if (rest.rfind(".;", 0) == 0 || rest.rfind("..;", 0) == 0) return true;
    }
    return false;
}

std::string remove_dot_segments(std::string_view path) {
    std::vector<std::string_view> segments;
    std::size_t i = 1;  // path starts with '/'
    while (i <= path.size()) {
        const std::size_t slash = path.find('/', i);
        const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
        const std::string_view seg = path.substr(i, end - i);
        const bool last = slash == std::string_view::npos;
        if (seg == "..") {
            if (!segments.empty()) segments.pop_back();
            if (last) segments.emplace_back();  // "/a/.." → "/" keeps the trailing slash
        } else if (seg == ".") {
            if (last) segments.emplace_back();
        } else if (!seg.empty() || last) {
            segments.push_back(seg);  // empty non-final segments ("//") collapse
        }
        i = end + 1;
    }
    std::string out;
    for (const auto& s : segments) {
        out.push_back('/');
        out.append(s);
    }
    return out.empty() ? "/" : out;
}

}  // namespace

normalised_target normalise_target(std::string_view target) {
    normalised_target out;
    if (target.empty() || target.front() != '/') {
        out.error = "request target must be an absolute path (origin-form)";
        return out;
    }
    const auto q = target.find('?');
    const std::string_view raw_path = target.substr(0, q);
    if (q != std::string_view::npos) out.query = std::string(target.substr(q + 1));
    std::string error;
    const auto decoded = decode_unreserved(raw_path, error);
    if (!decoded) {
        out.error = error;
        return out;
    }
    if (has_dot_segment_with_parameter(*decoded)) {
        out.error = "dot segment with a parameter (\"..;\") in path";
        return out;
    }
    out.path = remove_dot_segments(*decoded);
    return out;
}

}  // namespace tokengate::proxy
