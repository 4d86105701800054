#include "tokengate/fetch/discovery.hpp"

#include "tokengate/fetch/url.hpp"
#include "tokengate/jose/json.hpp"

namespace tokengate::fetch {
namespace {

// Discovery documents are flat; a deep one is not a discovery document.
constexpr int max_depth = 16;

}  // namespace

std::string discovery_url(std::string_view issuer) {
    std::string base(issuer);
    if (!base.empty() && base.back() == '/') base.pop_back();
    return base + "/.well-known/openid-configuration";
}

result<std::string> jwks_uri_of(std::string_view document, std::string_view issuer, bool allow_http) {
    const jose::json_parse parsed = jose::parse_json_object(document, max_depth);
    if (parsed.error != jose::json_error::none)
        return failure{"discovery document is not a JSON object (" + std::string(jose::to_string(parsed.error)) +
                       " at byte " + std::to_string(parsed.offset) + ")"};
    std::string_view doc_issuer;
    if (jose::get_string(parsed.doc, "issuer", doc_issuer) != jose::field::found)
        return failure{"discovery document has no \"issuer\" string"};
    if (doc_issuer != issuer) {
        std::string why = "discovery document names issuer \"" + std::string(doc_issuer) + "\", configured is \"" +
                          std::string(issuer) + "\"";
        if (doc_issuer.size() == issuer.size() + 1 && doc_issuer.substr(0, issuer.size()) == issuer &&
            doc_issuer.back() == '/')
            why += " (the identity provider's issuer ends with a slash: configure it with the slash)";
        else if (issuer.size() == doc_issuer.size() + 1 && issuer.substr(0, doc_issuer.size()) == doc_issuer &&
                 issuer.back() == '/')
            why += " (the identity provider's issuer has no trailing slash: configure it without)";
        return failure{why};
    }
    std::string_view uri;
    if (jose::get_string(parsed.doc, "jwks_uri", uri) != jose::field::found)
        return failure{"discovery document has no \"jwks_uri\" string"};
    auto u = parse_url(uri);
    if (!u) return failure{"discovery document's jwks_uri: " + u.error()};
    if (!u->tls && !allow_http)
        return failure{"discovery document's jwks_uri is plain http (" + display_url(uri) +
                       "); refused unless allow_http_jwks is set"};
    return std::string(uri);
}

}  // namespace tokengate::fetch
