#pragma once

#include "tokengate/cli/args.hpp"

#include <iosfwd>
#include <string>
#include <vector>

namespace tokengate::cli {

/** `tokengate serve --config FILE`: runs the proxy until SIGTERM/SIGINT. */
int run_serve(const std::vector<std::string>& args, std::ostream& err);

}  // namespace tokengate::cli
