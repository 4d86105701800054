#pragma once

#include "tokengate/config/load.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace tokengate::config {

/** One finding of a config check: an error (serve refuses the config) or a warning. */
struct finding {
    bool error = false;
    diagnostic where;
};

/** Everything `serve` would say about a config file, in text order. */
struct check_report {
    std::vector<finding> findings;
    std::size_t errors = 0;
    std::size_t warnings = 0;

    bool ok() const noexcept { return errors == 0; }
};

/** Loads a config file the way `serve` does (load_config_file, then build_trust with its
 *  key files when the file itself is sound) and collects every error and warning, sorted
 *  by position (findings without one last). Remote key sources are checked as written,
 *  never fetched. */
check_report check_config_file(const std::string& path);

}  // namespace tokengate::config
