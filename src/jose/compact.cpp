#include "tokengate/jose/compact.hpp"

#include "tokengate/jose/base64url.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace tokengate::jose {
namespace {

rejection malformed(std::string hint) { return {reason::malformed_token, std::move(hint)}; }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

std::string describe_ws(char c) {
    switch (c) {
    case '\n': return "newline";
    case '\r': return "carriage return";
    case '\t': return "tab";
    default: return "space";
    }
}

// Whitespace and pasted prefixes are the first thing worth saying: they explain every
// later failure, and a copy-paste mistake is the usual cause.
std::optional<rejection> check_surroundings(std::string_view t) {
    if (t.empty()) return malformed("empty token");
    if (is_space(t.front()) || is_space(t.back())) {
        const bool lead = is_space(t.front());
        const char c = lead ? t.front() : t.back();
        return malformed(std::string(lead ? "leading" : "trailing") + " whitespace (" +
                         describe_ws(c) + "): leading/trailing whitespace around the token; "
                         "strip it where the token is copied or read from a file");
    }
    std::string lower(t.substr(0, 7));
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    if (lower == "bearer ") return malformed("starts with 'Bearer ': pass the token alone");
    const auto ws = std::find_if(t.begin(), t.end(), is_space);
    if (ws != t.end())
        return malformed("contains whitespace (" + describe_ws(*ws) + ") at byte " +
                         std::to_string(ws - t.begin()) + ": a token split across lines?");
    return std::nullopt;
}

std::vector<std::string_view> split_dots(std::string_view t) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (;;) {
        const auto dot = t.find('.', start);
        parts.push_back(t.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return parts;
}

const char* std_b64_hint = "contains '+', '/' or '=': standard base64 instead of base64url";

std::string segment_error(std::string_view which, const b64_decoded& d) {
    if (d.error == b64_error::standard_alphabet || d.error == b64_error::padding)
        return std::string(std_b64_hint) + " (in the " + std::string(which) + ")";
    if (d.error == b64_error::bad_length)
        return std::string(which) + " is not valid base64url: it ends mid-way (truncated?)";
    return std::string(which) + " is not valid base64url: " + std::string(to_string(d.error)) +
           " at byte " + std::to_string(d.position);
}

// True when the segment looks cut off: an impossible base64url length, or JSON that
// decodes but ends before the object does.
bool looks_truncated(std::string_view segment, int max_depth) {
    b64_decoded d = base64url_decode(segment);
    if (d.error == b64_error::bad_length) return true;
    // A cut can leave a last character whose spare bits are not zero: judge the rest.
    for (std::size_t drop = 1; d.error == b64_error::non_canonical && drop < 4 && drop < segment.size(); ++drop)
        d = base64url_decode(segment.substr(0, segment.size() - drop));
    if (d.error == b64_error::bad_length) return true;
    if (d.error != b64_error::none || d.bytes.empty()) return false;
    if (d.bytes.front() != '{') return false;
    // An object that does not end with '}' and does not parse was cut off (a cut inside
    // a literal such as "tr" reads as a syntax error, not as a short text).
    const json_error e = parse_json_object(d.bytes, max_depth).error;
    return e == json_error::truncated || (e != json_error::none && d.bytes.back() != '}');
}

bool decodes_to_json_object(std::string_view segment, int max_depth) {
    const b64_decoded d = base64url_decode(segment);
    return d.error == b64_error::none && parse_json_object(d.bytes, max_depth).error == json_error::none;
}

rejection wrong_segment_count(const std::vector<std::string_view>& parts, int max_depth) {
    const std::size_t n = parts.size();
    if (n == 1) {
        if (decodes_to_json_object(parts[0], max_depth))
            return malformed("3 segments required, found 1: only a JOSE header (truncated?)");
        return malformed("no dots and no JSON header: an opaque access token, not a JWT "
                         "(ask the issuer for a JWT access token, or use introspection)");
    }
    std::string hint = "3 segments required, found " + std::to_string(n);
    if (n == 2) {
        if (looks_truncated(parts[1], max_depth))
            hint += "; the last segment ends mid-way (truncated?)";
        else if (decodes_to_json_object(parts[1], max_depth))
            hint += "; the signature segment is missing (truncated after the payload?)";
    } else if (looks_truncated(parts.back(), max_depth)) {
        hint += "; the last segment ends mid-way (truncated?)";
    }
    return malformed(std::move(hint));
}

std::string json_hint(std::string_view which, const json_parse& p) {
    switch (p.error) {
    case json_error::duplicate_name:
        return "duplicate member \"" + p.detail + "\" in the " + std::string(which) +
               ": ambiguous, refused (RFC 7515 §5.2)";
    case json_error::too_deep:
        return std::string(which) + " JSON nests deeper than allowed";
    case json_error::bad_utf8:
        return std::string(which) + " is not valid UTF-8 at byte " + std::to_string(p.offset);
    case json_error::not_object:
        return std::string(which) + " is JSON but not an object (" + p.detail + ")";
    case json_error::truncated:
        return std::string(which) + " is not JSON at byte " + std::to_string(p.offset) +
               ": it ends mid-way (truncated?)";
    case json_error::syntax:
    case json_error::none:
        break;
    }
    return std::string(which) + " is not JSON at byte " + std::to_string(p.offset) + " (" +
           p.detail + ")";
}

bool ieq(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

bool is_jwe_alg(std::string_view a) {
    constexpr std::array jwe = {"RSA1_5", "RSA-OAEP", "RSA-OAEP-256", "A128KW", "A192KW", "A256KW",
                                "dir", "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW",
                                "ECDH-ES+A256KW", "A128GCMKW", "A192GCMKW", "A256GCMKW",
                                "PBES2-HS256+A128KW", "PBES2-HS384+A192KW", "PBES2-HS512+A256KW"};
    return std::find(jwe.begin(), jwe.end(), a) != jwe.end();
}

std::optional<rejection> check_alg(std::string_view name, compact_jws& out) {
    if (ieq(name, "none")) return rejection{reason::alg_not_allowed, "alg none is never accepted"};
    if (const auto a = parse_alg(name)) {
        out.algorithm = *a;
        return std::nullopt;
    }
    for (std::string_view known : {"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256",
                                   "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}) {
        if (ieq(name, known))
            return rejection{reason::alg_not_allowed,
                             "alg \"" + std::string(name) + "\" differs in case from " +
                                 std::string(known) + "; alg is case-sensitive"};
    }
    if (is_jwe_alg(name))
        return rejection{reason::alg_not_allowed,
                         "alg \"" + std::string(name) + "\" is a JWE key-management algorithm, not a signature"};
    return rejection{reason::alg_not_allowed, "alg \"" + std::string(name) + "\" is not a supported JWS algorithm"};
}

// RFC 7515 §4.1.11: a recipient must reject a token naming an extension it does not
// understand. tokengate understands none, and b64:false (RFC 7797) changes what is signed.
std::optional<rejection> check_crit_b64(const rapidjson::Value& h) {
    bool b64 = true;
    const field b = get_bool(h, "b64", b64);
    if (b == field::wrong_type) return malformed("header b64 must be a boolean");
    if (b == field::found && !b64)
        return malformed("b64:false (RFC 7797 unencoded payload) is not supported");
    if (const auto* crit = find_member(h, "crit")) {
        if (!crit->IsArray() || crit->Empty()) return malformed("header crit must be a non-empty array");
        for (const auto& e : crit->GetArray()) {
            if (!e.IsString()) return malformed("header crit must list strings");
            const std::string_view name(e.GetString(), e.GetStringLength());
            if (name == "b64" && b == field::found) continue;
            return malformed("crit names extension \"" + std::string(name) +
                             "\", which tokengate does not understand (RFC 7515 §4.1.11)");
        }
    }
    return std::nullopt;
}

std::optional<rejection> check_header(compact_jws& out) {
    const auto& h = out.header;
    std::string_view alg_name;
    switch (get_string(h, "alg", alg_name)) {
    case field::missing: return malformed("header has no alg");
    case field::wrong_type: return malformed("header alg must be a string");
    case field::found: break;
    }
    if (auto r = check_alg(alg_name, out)) return r;
    if (auto r = check_crit_b64(h)) return r;
    std::string_view s;
    switch (get_string(h, "kid", s)) {
    case field::wrong_type: return malformed("header kid must be a string");
    case field::found: out.kid = std::string(s); break;
    case field::missing: break;
    }
    switch (get_string(h, "typ", s)) {
    case field::wrong_type: return malformed("header typ must be a string");
    case field::found: out.typ = std::string(s); break;
    case field::missing: break;
    }
    for (const char* m : {"jwk", "jku", "x5u", "x5c", "x5t", "x5t#S256"}) {
        if (find_member(h, m)) {
            if (!out.embedded_key_members.empty()) out.embedded_key_members += ", ";
            out.embedded_key_members += m;
        }
    }
    return std::nullopt;
}

}  // namespace

compact_parse parse_compact(std::string_view token, const parse_limits& limits) {
    compact_parse res;
    if (token.size() > limits.max_token_bytes) {
        res.error = rejection{reason::token_too_large, "token is " + std::to_string(token.size()) +
                                                           " bytes; the limit is " +
                                                           std::to_string(limits.max_token_bytes)};
        return res;
    }
    if (auto r = check_surroundings(token)) {
        res.error = std::move(r);
        return res;
    }
    const auto parts = split_dots(token);
    if (parts.size() == 5) {
        res.error = rejection{reason::encrypted_token_unsupported,
                              "5 segments: a JWE (encrypted token); tokengate verifies signed JWTs "
                              "(JWS) only — ask the issuer for a signed access token"};
        return res;
    }
    if (parts.size() != 3) {
        res.error = wrong_segment_count(parts, limits.max_json_depth);
        return res;
    }
    compact_jws jws;
    const b64_decoded h = base64url_decode(parts[0]);
    if (h.error != b64_error::none) {
        res.error = malformed(segment_error("header", h));
        return res;
    }
    json_parse hp = parse_json_object(h.bytes, limits.max_json_depth);
    if (hp.error != json_error::none) {
        res.error = malformed(json_hint("header", hp));
        return res;
    }
    res.header_text = h.bytes;
    jws.header_memory = std::move(hp.allocator);
    jws.header = std::move(hp.doc);
    jws.header_text = h.bytes;

    const b64_decoded p = base64url_decode(parts[1]);
    const b64_decoded s = base64url_decode(parts[2]);
    if (p.error != b64_error::none || s.error != b64_error::none) {
        res.error = malformed(p.error != b64_error::none ? segment_error("payload", p)
                                                         : segment_error("signature", s));
        return res;
    }
    // The payload's JSON is structure (checked before the header's members), and parsing
    // it first lets explain show the claims of a token refused for its header.
    json_parse pp = parse_json_object(p.bytes, limits.max_json_depth);
    if (pp.error != json_error::none) {
        res.error = malformed(json_hint("payload", pp));
        return res;
    }
    res.payload_text = p.bytes;
    if (auto r = check_header(jws)) {
        res.error = std::move(r);
        return res;
    }
    jws.payload_memory = std::move(pp.allocator);
    jws.payload = std::move(pp.doc);
    jws.payload_text = p.bytes;
    jws.signature = s.bytes;
    jws.signing_input.assign(token.data(), parts[0].size() + 1 + parts[1].size());
    res.jws = std::move(jws);
    return res;
}

}  // namespace tokengate::jose
