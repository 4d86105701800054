// tokengate entry point: dispatches subcommands; each lives in src/cli/.
#include "tokengate/cli/check_config.hpp"
#include "tokengate/cli/explain.hpp"
#include "tokengate/cli/serve.hpp"
#include "tokengate/demo/demo.hpp"

#include <chrono>
#include <iostream>
#include <string>
#include <vector>

namespace {

constexpr const char* help =
    "tokengate — JWT authentication sidecar\n"
    "usage: tokengate COMMAND [ARGS]\n"
    "  serve --config FILE             run the proxy (config path also from TOKENGATE_CONFIG)\n"
    "  check-config FILE               validate a config as serve would: errors, warnings, exit 0/1\n"
    "  demo [--port N]                 proxy on :8080 before an echo upstream, with sample tokens\n"
    "  explain [TOKEN | -] [options]   decode and validate a token offline (see explain --help)\n"
    "  echo-server [--port N]          the demo's echo upstream on its own\n"
    "  version                         print the version\n"
    "  --help                          this text\n";

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        std::cout << help;
        return args.empty() ? 2 : 0;
    }
    const std::string& cmd = args[0];
    if (cmd == "version" || cmd == "--version") {
        std::cout << "tokengate " << TOKENGATE_VERSION << "\n";
        return 0;
    }
    if (cmd == "explain") {
        const std::vector<std::string> rest(args.begin() + 1, args.end());
        return tokengate::cli::run_explain(rest, std::cin, std::cout, std::cerr, std::chrono::system_clock::now());
    }
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (cmd == "serve") return tokengate::cli::run_serve(rest, std::cerr);
    if (cmd == "check-config") return tokengate::cli::run_check_config(rest, std::cout, std::cerr);
    if (cmd == "demo") return tokengate::demo::run_demo(rest, std::cout, std::cerr);
    if (cmd == "echo-server") return tokengate::demo::run_echo_server(rest, std::cout, std::cerr);
    std::cerr << "tokengate: unknown command \"" << cmd << "\"\n" << help;
    return 2;
}
