#include "tokengate/keys/jwk.hpp"

#include "tokengate/jose/base64url.hpp"
#include "tokengate/jose/json.hpp"

#include <algorithm>

namespace tokengate::keys {
namespace {

using jose::field;

// A required base64url member of a JWK, decoded; names the member in errors.
result<std::string> b64_member(const rapidjson::Value& jwk, std::string_view name) {
    std::string_view text;
    switch (jose::get_string(jwk, name, text)) {
    case field::missing: return failure{"member \"" + std::string(name) + "\" is missing"};
    case field::wrong_type: return failure{"member \"" + std::string(name) + "\" must be a string"};
    case field::found: break;
    }
    jose::b64_decoded d = jose::base64url_decode(text);
    if (d.error != jose::b64_error::none)
        return failure{"member \"" + std::string(name) + "\" is not base64url: " +
                       std::string(jose::to_string(d.error)) + " at byte " + std::to_string(d.position)};
    return std::move(d.bytes);
}

result<crypto::key> rsa_jwk(const rapidjson::Value& jwk) {
    auto n = b64_member(jwk, "n");
    if (!n) return failure{n.error()};
    auto e = b64_member(jwk, "e");
    if (!e) return failure{e.error()};
    return crypto::make_rsa_key(*n, *e);
}

result<jose::curve> curve_member(const rapidjson::Value& jwk) {
    std::string_view crv;
    if (jose::get_string(jwk, "crv", crv) != field::found) return failure{"member \"crv\" is missing or not a string"};
    const auto c = jose::parse_curve(crv);
    if (!c) return failure{"unsupported curve \"" + std::string(crv) + "\""};
    return *c;
}

result<crypto::key> ec_jwk(const rapidjson::Value& jwk) {
    auto crv = curve_member(jwk);
    if (!crv) return failure{crv.error()};
    if (jose::ec_field_size(*crv) == 0) return failure{"curve " + std::string(jose::to_string(*crv)) + " is not an EC curve"};
    auto x = b64_member(jwk, "x");
    if (!x) return failure{x.error()};
    auto y = b64_member(jwk, "y");
    if (!y) return failure{y.error()};
    return crypto::make_ec_key(*crv, *x, *y);
}

result<crypto::key> okp_jwk(const rapidjson::Value& jwk) {
    auto crv = curve_member(jwk);
    if (!crv) return failure{crv.error()};
    auto x = b64_member(jwk, "x");
    if (!x) return failure{x.error()};
    return crypto::make_okp_key(*crv, *x);
}

result<crypto::key> oct_jwk(const rapidjson::Value& jwk) {
    auto k = b64_member(jwk, "k");
    if (!k) return failure{k.error()};
    if (k->empty()) return failure{"member \"k\" is empty"};
    return crypto::make_hmac_key(std::move(*k));
}

// RFC 7517 §4.2/§4.3: a key marked for another use, or without the verify operation,
// must not verify signatures.
std::optional<failure> check_usage(const rapidjson::Value& jwk) {
    std::string_view use;
    const field u = jose::get_string(jwk, "use", use);
    if (u == field::wrong_type) return failure{"member \"use\" must be a string"};
    if (u == field::found && use != "sig") return failure{"use is \"" + std::string(use) + "\", not \"sig\""};
    if (const auto* ops = jose::find_member(jwk, "key_ops")) {
        if (!ops->IsArray()) return failure{"member \"key_ops\" must be an array"};
        const bool verify = std::any_of(ops->Begin(), ops->End(), [](const rapidjson::Value& v) {
            return v.IsString() && std::string_view(v.GetString(), v.GetStringLength()) == "verify";
        });
        if (!verify) return failure{"key_ops does not include \"verify\""};
    }
    return std::nullopt;
}

result<crypto::key> build(const rapidjson::Value& jwk, std::string_view kty) {
    if (kty == "RSA") return rsa_jwk(jwk);
    if (kty == "EC") return ec_jwk(jwk);
    if (kty == "OKP") return okp_jwk(jwk);
    if (kty == "oct") return oct_jwk(jwk);
    return failure{"unsupported kty \"" + std::string(kty) + "\""};
}

std::optional<failure> apply_alg(const rapidjson::Value& jwk, crypto::key& k) {
    std::string_view alg_name;
    const field f = jose::get_string(jwk, "alg", alg_name);
    if (f == field::missing) return std::nullopt;
    if (f == field::wrong_type) return failure{"member \"alg\" must be a string"};
    const auto a = jose::parse_alg(alg_name);
    if (!a) return failure{"alg \"" + std::string(alg_name) + "\" is not a supported signature algorithm"};
    const std::string why = crypto::incompatibility(k, *a);
    if (!why.empty()) return failure{"alg " + std::string(alg_name) + " does not fit: " + why};
    if (jose::is_hmac(*a) && k.secret.size() < jose::digest_size(jose::hash_of(*a)))
        return failure{"secret is " + std::to_string(k.secret.size()) + " bytes; " + std::string(alg_name) +
                       " needs at least " + std::to_string(jose::digest_size(jose::hash_of(*a)))};
    k.alg = a;
    return std::nullopt;
}

std::string describe_entry(std::size_t index, const rapidjson::Value& jwk) {
    std::string_view kid;
    std::string out = "key " + std::to_string(index);
    if (jose::get_string(jwk, "kid", kid) == field::found) out += " (kid \"" + std::string(kid) + "\")";
    return out;
}

}  // namespace

result<crypto::key> parse_jwk(const rapidjson::Value& jwk) {
    if (!jwk.IsObject()) return failure{"a JWK must be a JSON object"};
    std::string_view kty;
    if (jose::get_string(jwk, "kty", kty) != field::found) return failure{"member \"kty\" is missing or not a string"};
    if (auto bad = check_usage(jwk)) return *bad;
    auto k = build(jwk, kty);
    if (!k) return k;
    std::string_view kid;
    const field kf = jose::get_string(jwk, "kid", kid);
    if (kf == field::wrong_type) return failure{"member \"kid\" must be a string"};
    if (kf == field::found) k->kid = std::string(kid);
    if (auto bad = apply_alg(jwk, *k)) return *bad;
    return k;
}

result<jwks_parse> parse_jwks(std::string_view json, std::string origin) {
    if (json.size() > max_jwks_bytes)
        return failure{"JWKS is " + std::to_string(json.size()) + " bytes; the limit is " + std::to_string(max_jwks_bytes)};
    // A JWKS is outside input like a token (it may come from the network): same parser.
    jose::json_parse p = jose::parse_json_object(json, 16);
    if (p.error != jose::json_error::none)
        return failure{"JWKS is not a JSON object: " + std::string(jose::to_string(p.error)) + " at byte " +
                       std::to_string(p.offset) + (p.detail.empty() ? "" : " (" + p.detail + ")")};
    jwks_parse out;
    out.set.source = origin;
    std::vector<const rapidjson::Value*> entries;
    if (const auto* ks = jose::find_member(p.doc, "keys")) {
        if (!ks->IsArray()) return failure{"JWKS member \"keys\" must be an array"};
        for (const auto& e : ks->GetArray()) entries.push_back(&e);
    } else if (jose::find_member(p.doc, "kty")) {
        entries.push_back(&p.doc);
    } else {
        return failure{"JWKS has no \"keys\" array"};
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
        auto k = parse_jwk(*entries[i]);
        if (!k) {
            out.skipped.push_back(describe_entry(i, *entries[i]) + ": " + k.error());
            continue;
        }
        if (!k->kid.empty() && out.set.find(k->kid) != nullptr) {
            out.skipped.push_back(describe_entry(i, *entries[i]) + ": duplicate kid, first one kept");
            continue;
        }
        k->origin = origin;
        out.set.keys.push_back(std::make_shared<const crypto::key>(std::move(*k)));
    }
    if (out.set.keys.empty()) {
        std::string msg = "JWKS holds no usable key";
        for (const auto& s : out.skipped) msg += "; " + s;
        return failure{msg};
    }
    return out;
}

}  // namespace tokengate::keys
