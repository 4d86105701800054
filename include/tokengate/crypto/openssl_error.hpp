#pragma once

#include <string>

namespace tokengate::crypto {

/** Drains OpenSSL's thread-local error queue into one line ("" when empty). Called after
 *  every failing OpenSSL call so no stale error is left for the next caller. */
std::string drain_openssl_errors();

}  // namespace tokengate::crypto
