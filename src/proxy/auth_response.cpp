#include "tokengate/proxy/auth_response.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace tokengate::proxy {
namespace {

using boost::beast::http::status;

status status_of(reason r) {
    switch (r) {
    case reason::insufficient_scope: return status::forbidden;
    case reason::keys_unavailable: return status::service_unavailable;
    case reason::missing_token:
    case reason::malformed_token:
    case reason::token_too_large:
    case reason::encrypted_token_unsupported:
    case reason::alg_not_allowed:
    case reason::unknown_kid:
    case reason::bad_signature:
    case reason::expired:
    case reason::not_yet_valid:
    case reason::issued_in_future:
    case reason::invalid_claim:
    case reason::bad_issuer:
    case reason::bad_audience:
    case reason::missing_claim:
    case reason::lifetime_too_long:
    case reason::bad_type: return status::unauthorized;
    }
    return status::unauthorized;
}

// RFC 6750 §3: quoted-string values; our codes and realm never need escaping, but a
// configured realm could contain a quote, so escape defensively.
std::string quoted(std::string_view v) {
    std::string out = "\"";
    for (char c : v) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    return out + "\"";
}

std::string json_body(std::string_view error, std::string_view reason_code, const std::string& request_id,
                      const std::string* hint) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.StartObject();
    w.Key("error");
    w.String(error.data(), static_cast<rapidjson::SizeType>(error.size()));
    w.Key("reason");
    w.String(reason_code.data(), static_cast<rapidjson::SizeType>(reason_code.size()));
    if (hint != nullptr) {
        w.Key("hint");
        w.String(hint->c_str());
    }
    w.Key("request_id");
    w.String(request_id.c_str());
    w.EndObject();
    return std::string(sb.GetString(), sb.GetSize()) + "\n";
}

}  // namespace

auth_response to_http(const rejection& r, const std::string& realm, const std::string& request_id, bool expose_hint) {
    auth_response out;
    out.status = status_of(r.code);
    const std::string code(to_string(r.code));
    std::string error;
    if (r.code == reason::missing_token) {
        out.www_authenticate = "Bearer realm=" + quoted(realm);
        error = "unauthorized";
    } else if (out.status == status::forbidden) {
        error = "insufficient_scope";
        out.www_authenticate = "Bearer realm=" + quoted(realm) + ", error=\"insufficient_scope\", error_description=" + quoted(code);
    } else if (out.status == status::service_unavailable) {
        error = "temporarily_unavailable";
        out.retry_after_s = 5;
    } else {
        error = "invalid_token";
        out.www_authenticate = "Bearer realm=" + quoted(realm) + ", error=\"invalid_token\", error_description=" + quoted(code);
    }
    out.body = json_body(error, code, request_id, expose_hint && !r.hint.empty() ? &r.hint : nullptr);
    return out;
}

std::string error_body(std::string_view error, std::string_view detail, const std::string& request_id) {
    return json_body(error, detail, request_id, nullptr);
}

}  // namespace tokengate::proxy
