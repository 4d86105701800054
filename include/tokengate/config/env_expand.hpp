#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tokengate::config {

/** `text` with every "${NAME}" replaced by the environment variable NAME's value and
 *  every "$${" by a literal "${". Any other '$' stays as written. On failure (unset
 *  variable, unterminated or invalid reference) returns nullopt and sets `error` to a
 *  sentence naming the variable; values are never quoted in it. */
std::optional<std::string> expand_env(std::string_view text, std::string& error);

/** True for a POSIX environment variable name: [A-Za-z_][A-Za-z0-9_]*. */
bool is_env_name(std::string_view name);

}  // namespace tokengate::config
