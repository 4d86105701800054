#include "tokengate/cli/check_config.hpp"

#include "tokengate/cli/args.hpp"
#include "tokengate/config/check.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <ostream>

namespace tokengate::cli {
namespace {

constexpr const char* usage =
    "usage: tokengate check-config FILE\n"
    "Loads FILE as `tokengate serve` would (key files and ${ENV} values included; remote\n"
    "keys are not fetched) and prints every error and warning with its JSON path and\n"
    "line/column on stderr, then a summary line on stdout.\n"
    "Exit status: 0 no errors (warnings allowed), 1 errors (serve would refuse the config),\n"
    "2 usage error or FILE cannot be opened.\n";

std::string counted(std::size_t n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

// Why the file named on the command line cannot be checked at all, or "".
std::string unopenable(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) return path + " is a directory";
    std::ifstream in(path, std::ios::binary);
    if (!in) return "cannot open " + path + ": " + std::strerror(errno);
    return {};
}

}  // namespace

int run_check_config(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
    const auto args = parse_args(argv, {{}, {"--help"}});
    if (args && args->has("--help")) {
        out << usage;
        return check_ok;
    }
    if (!args || args->positional.size() != 1) {
        err << "tokengate check-config: " << (args ? "give exactly one config file" : args.error()) << "\n" << usage;
        return check_usage;
    }
    const std::string& path = args->positional.front();
    if (const std::string why = unopenable(path); !why.empty()) {
        err << "tokengate check-config: " << why << "\n";
        return check_usage;
    }
    const config::check_report report = config::check_config_file(path);
    for (const auto& f : report.findings) err << (f.error ? "error: " : "warning: ") << config::to_string(f.where) << "\n";
    if (report.ok())
        out << "config OK" << (report.warnings > 0 ? " (" + counted(report.warnings, "warning") + ")" : "") << "\n";
    else
        out << counted(report.errors, "error") << ", " << counted(report.warnings, "warning") << "\n";
    return report.ok() ? check_ok : check_errors;
}

}  // namespace tokengate::cli
