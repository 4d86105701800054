#pragma once

#include "tokengate/result.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace tokengate::cli {

/** Which long options a command takes: with a value, or as a bare switch. */
struct arg_spec {
    std::set<std::string> valued;    //!< "--jwks" …; may repeat
    std::set<std::string> switches;  //!< "--json" …
};

/** Command line after parsing: positionals in order, options by name (repeatable). */
struct parsed_args {
    std::vector<std::string> positional;
    std::multimap<std::string, std::string> values;
    std::set<std::string> switches;

    std::optional<std::string> last(const std::string& name) const;
    std::vector<std::string> all(const std::string& name) const;
    bool has(const std::string& name) const { return switches.count(name) != 0; }
};

/** Parses `--name value`, `--name=value` and switches; a lone "-" is a positional
 *  (stdin). Unknown options and missing values are failures naming the option. */
result<parsed_args> parse_args(const std::vector<std::string>& args, const arg_spec& spec);

}  // namespace tokengate::cli
