// Arbitrary bytes as a token, against a fixed trust with RSA, EC, Ed25519 and HMAC keys.
// Besides crashes and sanitizer reports, checks the properties every caller relies on.

#include "fuzz_check.hpp"
#include "fuzz_trust.hpp"

#include "tokengate/jose/compact.hpp"
#include "tokengate/validate/validator.hpp"

#include <openssl/err.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

using tokengate::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace fuzz = tokengate::fuzz;
    namespace validate = tokengate::validate;
    const std::string_view token(reinterpret_cast<const char*>(data), size);
    const validate::trust& trust = fuzz::trust();

    const tokengate::jose::compact_parse parsed = tokengate::jose::parse_compact(token, trust.limits);
    const validate::decision d = validate::validate(token, trust, fuzz::now(), &fuzz::route());

    // explain and the proxy print validate()'s verdict for a malformed token; it must be
    // the parser's own, not a second opinion.
    if (parsed.error)
        require(d.rejected && d.rejected->code == parsed.error->code && d.rejected->hint == parsed.error->hint,
                "validate() reports a parse failure differently from parse_compact()");
    require(!parsed.error == parsed.jws.has_value(), "parse_compact() gave both or neither of jws and error");
    if (d.accepted())
        require(d.signature_checked && d.provider_index && d.token, "accepted without a checked signature");

    // The signature gate hides the claim checks from the fuzzer (it cannot forge a
    // signature); explain's mode without keys reaches them with any payload.
    validate::validate_options unsigned_mode;
    unsigned_mode.verify_signature = false;
    const validate::decision e = validate::validate(token, trust, fuzz::now(), &fuzz::route(), unsigned_mode);
    require(!e.signature_checked, "signature checked although verification was off");
    if (d.accepted()) require(e.accepted(), "a verified token fails once verification is off");

    // STYLE: no OpenSSL error may stay queued for the next request on this thread.
    require(ERR_peek_error() == 0, "OpenSSL error queue left non-empty");
    return 0;
}
