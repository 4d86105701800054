#pragma once

#include "tokengate/crypto/key.hpp"
#include "tokengate/result.hpp"

#include <string_view>

namespace tokengate::keys {

/** Public key from PEM text: a SubjectPublicKeyInfo ("PUBLIC KEY") or an X.509
 *  certificate. Private keys are refused with a message saying so. */
result<crypto::key> parse_pem_public_key(std::string_view pem);

}  // namespace tokengate::keys
