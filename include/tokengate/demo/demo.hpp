#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace tokengate::demo {

/** `tokengate demo [--port N] [--admin-port N]`: the proxy in front of the built-in echo
 *  upstream with a freshly generated RS256 key, printing sample tokens and curl lines. */
int run_demo(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

/** `tokengate echo-server [--port N]`: the demo's echo upstream on its own. */
int run_echo_server(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace tokengate::demo
