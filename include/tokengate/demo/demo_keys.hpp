#pragma once

#include "tokengate/crypto/key.hpp"
#include "tokengate/crypto/openssl_ptr.hpp"

#include <string>
#include <string_view>

namespace tokengate::demo {

/** A freshly generated RSA-2048 signing key for the demo (never written to disk). */
struct demo_signer {
    crypto::shared_pkey priv;
    crypto::key pub;  //!< the verification half, kid "demo-1"
};

demo_signer make_demo_signer();

/** Compact RS256 JWS over the given header and payload JSON texts. */
std::string sign_rs256(const demo_signer& s, std::string_view header_json, std::string_view payload_json);

}  // namespace tokengate::demo
