#include "fuzz_trust.hpp"

#include "tokengate/keys/pem.hpp"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

namespace tokengate::fuzz {
namespace {

// Public halves of the keys in make_seeds.cpp. Fixed, so that committed seed tokens keep
// verifying and every crash reproduces.
constexpr std::string_view rsa_public_pem = R"(-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqc5k70MGkFTr1sI0RwY9
P5gXVNwwDKYhbvvzI/BvwZCCDE6gbLjhC+CJ18ZXIgM2R48dpXYcP6wKmJ9JL21T
GZ1S+jpgQ3k0+Z3+oLaJfRr0BDiJAyB19065lIdK5z+uh43LOQ3h6Qyk610rcSgD
zqJcgQ/9dLSfw7MP+f7fhwslvvw/+B+6RiqmiP8OsSlNNdq+AUeJgDIgiLJqA6kl
seUqR7EbMZJa7sxR+zrJC9aDWELL+o9QfcGDTt21jgDf5PPZS0sXSDLQE8tNWfxK
a7A3BJ58Yb8EVDPDHqpTbV8t8jsqqlc9LuZsdWeDI311T+0o4yXZbLe8i45FmIXK
JQIDAQAB
-----END PUBLIC KEY-----
)";

constexpr std::string_view ec_public_pem = R"(-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEMcT1D1XVaiy8gWo3BoO/X1SQrAiC
zx+QBYW8E3Zk48pIQEK8RTnG+h5LrLHsufb2d3or+LIyA0qeou++FLpaoQ==
-----END PUBLIC KEY-----
)";

constexpr std::string_view ed_public_pem = R"(-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAl5RoBXGSqhclZ4RUrO0A/VxnUxuwd3wr2s9mFp3aVcs=
-----END PUBLIC KEY-----
)";

std::shared_ptr<const crypto::key> pem_key(std::string_view pem, std::string_view kid) {
    auto k = keys::parse_pem_public_key(pem);
    if (!k) {
        // A broken fixture would make every input look uninteresting; stop loudly instead.
        std::fprintf(stderr, "fuzz trust: key %.*s does not load: %s\n", static_cast<int>(kid.size()), kid.data(),
                     k.error().c_str());
        std::abort();
    }
    k->kid = std::string(kid);
    k->origin = "fuzz trust";
    return std::make_shared<const crypto::key>(std::move(*k));
}

validate::trust make_trust() {
    const auto at = std::chrono::system_clock::time_point(std::chrono::seconds(now_s));
    validate::trust t;

    validate::provider idp;
    idp.name = "idp";
    idp.issuer = std::string(idp_issuer);
    idp.audiences = {"api"};
    idp.algorithms = {jose::alg::rs256, jose::alg::rs384, jose::alg::ps256,
                      jose::alg::ps512, jose::alg::es256, jose::alg::eddsa};
    idp.required.claims = {"sub"};
    idp.max_lifetime = std::chrono::hours(24);
    auto idp_keys = std::make_shared<keys::key_set>();
    idp_keys->source = "fuzz jwks";
    idp_keys->fetched_at = at - std::chrono::minutes(5);
    idp_keys->keys = {pem_key(rsa_public_pem, rsa_kid), pem_key(ec_public_pem, ec_kid), pem_key(ed_public_pem, ed_kid)};
    idp.keys.keys = idp_keys;
    t.providers.push_back(std::move(idp));

    validate::provider hs;
    hs.name = "hs";
    hs.issuer = std::string(hs_issuer);
    hs.audiences = {"svc"};
    hs.algorithms = {jose::alg::hs256, jose::alg::hs512};
    hs.typ = "at+jwt";
    auto secret = std::make_shared<crypto::key>(crypto::make_hmac_key(std::string(hmac_secret)));
    secret->origin = "fuzz secret";
    auto hs_keys = std::make_shared<keys::key_set>();
    hs_keys->source = "fuzz secret";
    hs_keys->keys = {secret};
    hs.keys.keys = hs_keys;
    t.providers.push_back(std::move(hs));

    validate::provider down;
    down.name = "down";
    down.issuer = std::string(down_issuer);
    down.audiences = {"api"};
    down.algorithms = {jose::alg::rs256};
    down.keys.failing_error = "connect to idp: timed out";
    down.keys.failing_since = at - std::chrono::minutes(3);
    t.providers.push_back(std::move(down));
    return t;
}

}  // namespace

std::chrono::system_clock::time_point now() {
    return std::chrono::system_clock::time_point(std::chrono::seconds(now_s));
}

const validate::trust& trust() {
    static const validate::trust t = make_trust();
    return t;
}

const validate::route_policy& route() {
    static const validate::route_policy r = [] {
        validate::route_policy p;
        p.required.scopes = {"read"};
        p.required.rules = {validate::claim_rule{"tenant", "acme", false}};
        return p;
    }();
    return r;
}

}  // namespace tokengate::fuzz
