#include "tokengate/jose/alg.hpp"

#include <array>

namespace tokengate::jose {
namespace {

constexpr std::array all_algs = {alg::hs256, alg::hs384, alg::hs512, alg::rs256, alg::rs384,
                                 alg::rs512, alg::ps256, alg::ps384, alg::ps512, alg::es256,
                                 alg::es384, alg::es512, alg::eddsa};

}  // namespace

std::string_view to_string(alg a) noexcept {
    switch (a) {
    case alg::hs256: return "HS256";
    case alg::hs384: return "HS384";
    case alg::hs512: return "HS512";
    case alg::rs256: return "RS256";
    case alg::rs384: return "RS384";
    case alg::rs512: return "RS512";
    case alg::ps256: return "PS256";
    case alg::ps384: return "PS384";
    case alg::ps512: return "PS512";
    case alg::es256: return "ES256";
    case alg::es384: return "ES384";
    case alg::es512: return "ES512";
    case alg::eddsa: return "EdDSA";
    }
    return "?";
}

std::optional<alg> parse_alg(std::string_view name) noexcept {
    for (alg a : all_algs) {
        if (to_string(a) == name) return a;
    }
    return std::nullopt;
}

std::optional<std::vector<alg>> parse_alg_list(std::string_view csv, std::string& bad_entry) {
    std::vector<alg> out;
    while (!csv.empty()) {
        const auto comma = csv.find(',');
        const std::string_view item = csv.substr(0, comma);
        const auto parsed = parse_alg(item);
        if (!parsed) {
            bad_entry = std::string(item);
            return std::nullopt;
        }
        out.push_back(*parsed);
        if (comma == std::string_view::npos) break;
        csv.remove_prefix(comma + 1);
    }
    if (out.empty()) {
        bad_entry = "";
        return std::nullopt;
    }
    return out;
}

std::string_view to_string(key_family f) noexcept {
    switch (f) {
    case key_family::oct: return "oct";
    case key_family::rsa: return "RSA";
    case key_family::ec: return "EC";
    case key_family::okp: return "OKP";
    }
    return "?";
}

std::string_view to_string(curve c) noexcept {
    switch (c) {
    case curve::none: return "";
    case curve::p256: return "P-256";
    case curve::p384: return "P-384";
    case curve::p521: return "P-521";
    case curve::ed25519: return "Ed25519";
    case curve::ed448: return "Ed448";
    }
    return "?";
}

std::optional<curve> parse_curve(std::string_view name) noexcept {
    for (curve c : {curve::p256, curve::p384, curve::p521, curve::ed25519, curve::ed448}) {
        if (to_string(c) == name) return c;
    }
    return std::nullopt;
}

key_family family_of(alg a) noexcept {
    switch (a) {
    case alg::hs256:
    case alg::hs384:
    case alg::hs512: return key_family::oct;
    case alg::rs256:
    case alg::rs384:
    case alg::rs512:
    case alg::ps256:
    case alg::ps384:
    case alg::ps512: return key_family::rsa;
    case alg::es256:
    case alg::es384:
    case alg::es512: return key_family::ec;
    case alg::eddsa: return key_family::okp;
    }
    return key_family::oct;
}

hash hash_of(alg a) noexcept {
    switch (a) {
    case alg::hs256:
    case alg::rs256:
    case alg::ps256:
    case alg::es256: return hash::sha256;
    case alg::hs384:
    case alg::rs384:
    case alg::ps384:
    case alg::es384: return hash::sha384;
    case alg::hs512:
    case alg::rs512:
    case alg::ps512:
    case alg::es512: return hash::sha512;
    case alg::eddsa: return hash::none;
    }
    return hash::none;
}

bool is_hmac(alg a) noexcept { return family_of(a) == key_family::oct; }

std::size_t digest_size(hash h) noexcept {
    switch (h) {
    case hash::sha256: return 32;
    case hash::sha384: return 48;
    case hash::sha512: return 64;
    case hash::none: return 0;
    }
    return 0;
}

curve required_curve(alg a) noexcept {
    switch (a) {
    case alg::es256: return curve::p256;
    case alg::es384: return curve::p384;
    case alg::es512: return curve::p521;
    case alg::hs256:
    case alg::hs384:
    case alg::hs512:
    case alg::rs256:
    case alg::rs384:
    case alg::rs512:
    case alg::ps256:
    case alg::ps384:
    case alg::ps512:
    case alg::eddsa: return curve::none;
    }
    return curve::none;
}

std::size_t ec_field_size(curve c) noexcept {
    switch (c) {
    case curve::p256: return 32;
    case curve::p384: return 48;
    case curve::p521: return 66;
    case curve::none:
    case curve::ed25519:
    case curve::ed448: return 0;
    }
    return 0;
}

}  // namespace tokengate::jose
