#pragma once

#include "tokengate/config/config.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace tokengate::config {

/** One finding about a config file, located by JSON path (e.g. "$.providers[0].leeway_s")
 *  and, where known, line and column (1-based; 0 = unknown). */
struct diagnostic {
    std::string path;
    int line = 0;
    int column = 0;
    std::string message;
};

/** Loader outcome: a config when there are no errors; warnings either way. */
struct load_result {
    std::optional<config> cfg;
    std::vector<diagnostic> errors;
    std::vector<diagnostic> warnings;
};

/** Parses and checks config JSON text: unknown keys, wrong types and invalid values are
 *  errors naming their JSON path; "${NAME}" in string values is replaced by the
 *  environment variable (an unset variable is an error). Does not read key files. */
load_result parse_config(std::string_view json_text);

/** Reads and parses a file (see parse_config). */
load_result load_config_file(const std::string& path);

/** Builds the validator's trust snapshot from a config: loads local key files, inline
 *  JWKS, PEM files and secrets, and applies SPEC §5 refusals (alg none, RSA < 2048,
 *  short HMAC secrets, missing audience) and warnings (secret whitespace, leeway > 300 s,
 *  mixed HS and asymmetric whitelist, plain-HTTP JWKS). Providers with remote keys get
 *  an empty keys_state (keys_unavailable until the fetcher fills it). */
struct trust_result {
    std::optional<validate::trust> trust;
    std::vector<diagnostic> errors;
    std::vector<diagnostic> warnings;
};
trust_result build_trust(const config& cfg);

/** "$.a.b: message (line 3, column 7)" for printing. */
std::string to_string(const diagnostic& d);

}  // namespace tokengate::config
