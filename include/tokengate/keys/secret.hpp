#pragma once

#include "tokengate/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace tokengate::keys {

/** Reads a whole file of at most `max_bytes`; the failure names the path and errno text. */
result<std::string> read_file(const std::string& path, std::size_t max_bytes);

/** HMAC secret from a file, byte for byte: a trailing newline is kept, because the
 *  issuer may or may not have signed with it; see secret_whitespace_warning(). */
result<std::string> read_secret_file(const std::string& path);

/** HMAC secret from an environment variable, byte for byte. */
result<std::string> read_secret_env(const std::string& name);

/** A warning when the secret starts or ends with whitespace (the classic `JWT_SECRET`
 *  with a trailing newline), "" otherwise. Never quotes the secret. */
std::string secret_whitespace_warning(std::string_view secret);

}  // namespace tokengate::keys
