// Arbitrary bytes as a config file: the loader (JSON with comments, ${ENV} expansion,
// every section's checks) and, for configs that need no files, build_trust with inline
// JWKS and secrets from the environment. An operator's file is trusted input, but a
// loader that crashes on a typo, or lets a refused setting through, fails the operator.

#include "fuzz_check.hpp"

#include "tokengate/config/load.hpp"
#include "tokengate/crypto/key.hpp"
#include "tokengate/jose/alg.hpp"

#include <openssl/err.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

using tokengate::fuzz::require;

namespace {

namespace config = tokengate::config;
namespace jose = tokengate::jose;

// Variables the fuzzer can reach through ${...} and secret_env: one good HMAC secret,
// one too short for any HS algorithm, one with the classic trailing newline, and those
// the shipped examples (seeds) name.
void set_environment() {
    ::setenv("JWT_SECRET", "dev-secret-0123456789abcdef0123456789abcdef0123456789", 1);
    ::setenv("KEYCLOAK_REALM", "orders", 1);
    ::setenv("ENTRA_TENANT_ID", "8f2a6c1e-0000-4000-8000-000000000001", 1);
    ::setenv("ENTRA_CLIENT_ID", "5b1d9e3a-0000-4000-8000-000000000002", 1);
    ::setenv("FUZZ_SECRET", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", 1);
    ::setenv("FUZZ_SHORT", "short", 1);
    ::setenv("FUZZ_NEWLINE", "0123456789abcdef0123456789abcdef0123456789abcdef\n", 1);
    ::setenv("FUZZ_PORT", "8080", 1);
}

void check_diagnostics(const std::vector<config::diagnostic>& ds, std::string_view text) {
    const auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
    for (const auto& d : ds) {
        require(!d.path.empty() && d.path.front() == '$', "diagnostic without a JSON path");
        require(!d.message.empty(), "diagnostic without a message");
        require(d.line >= 0 && d.line <= lines && d.column >= 0, "diagnostic position outside the text");
    }
}

// Key files are not read under the fuzzer: a path could name a FIFO, a device or any
// file of the machine, and what they test (file I/O) is not what this target is for.
bool needs_files(const config::config& c) {
    return std::any_of(c.providers.begin(), c.providers.end(), [](const config::provider_config& p) {
        return p.keys.jwks_file || p.keys.pem_file || p.keys.secret_file || p.keys.ca_file;
    });
}

// SPEC §5 refusals must hold for every config the loader lets through.
void check_config(const config::config& c) {
    require(!c.providers.empty(), "config accepted without providers");
    require(!c.token_sources.empty(), "config accepted without token sources");
    require(c.listen.port != c.admin.port, "listen and admin_listen share a port");
    for (const auto& p : c.providers) {
        require(!p.algorithms.empty(), "provider accepted without algorithms");
        const int sources = int(p.keys.jwks_file.has_value()) + int(p.keys.jwks_inline.has_value()) +
                            int(p.keys.pem_file.has_value()) + int(p.keys.secret_env.has_value()) +
                            int(p.keys.secret_file.has_value()) + int(p.keys.jwks_url.has_value()) +
                            int(p.keys.discovery);
        require(sources == 1, "provider accepted without exactly one key source");
    }
}

// The audience rule is the validator's policy (validate::check_provider), applied when the
// trust is built: the loader alone lets such a provider through, the trust never does.
void check_trust(const tokengate::validate::trust& t) {
    for (const auto& p : t.providers) {
        require(!p.check_audience || !p.audiences.empty(), "trust built for a provider without audience or explicit opt-out");
        if (!p.keys.keys) continue;
        for (const auto& k : p.keys.keys->keys) {
            if (k->family == jose::key_family::rsa)
                require(k->bits >= tokengate::crypto::min_rsa_bits, "RSA key under 2048 bits loaded");
            if (k->family != jose::key_family::oct) continue;
            for (jose::alg a : p.algorithms) {
                if (jose::is_hmac(a))
                    require(k->secret.size() >= jose::digest_size(jose::hash_of(a)), "HMAC secret shorter than its hash loaded");
            }
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    set_environment();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    const config::load_result r = config::parse_config(text);
    require(r.cfg.has_value() == r.errors.empty(), "a config together with errors, or neither");
    check_diagnostics(r.errors, text);
    check_diagnostics(r.warnings, text);
    if (!r.cfg) return 0;
    check_config(*r.cfg);
    if (needs_files(*r.cfg)) return 0;

    const config::trust_result t = config::build_trust(*r.cfg);
    require(t.trust.has_value() == t.errors.empty(), "a trust together with errors, or neither");
    check_diagnostics(t.errors, text);
    check_diagnostics(t.warnings, text);
    if (t.trust) check_trust(*t.trust);
    require(ERR_peek_error() == 0, "OpenSSL error queue left non-empty");
    return 0;
}
