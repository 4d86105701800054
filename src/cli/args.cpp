#include "tokengate/cli/args.hpp"

namespace tokengate::cli {

std::optional<std::string> parsed_args::last(const std::string& name) const {
    const auto range = values.equal_range(name);
    if (range.first == range.second) return std::nullopt;
    return std::prev(range.second)->second;
}

std::vector<std::string> parsed_args::all(const std::string& name) const {
    std::vector<std::string> out;
    const auto range = values.equal_range(name);
    for (auto it = range.first; it != range.second; ++it) out.push_back(it->second);
    return out;
}

result<parsed_args> parse_args(const std::vector<std::string>& args, const arg_spec& spec) {
    parsed_args out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a.size() < 3 || a.rfind("--", 0) != 0) {
            out.positional.push_back(a);
            continue;
        }
        const auto eq = a.find('=');
        const std::string name = a.substr(0, eq);
        if (spec.switches.count(name) != 0) {
            if (eq != std::string::npos) return failure{name + " takes no value"};
            out.switches.insert(name);
        } else if (spec.valued.count(name) != 0) {
            if (eq != std::string::npos) {
                out.values.emplace(name, a.substr(eq + 1));
            } else if (i + 1 < args.size()) {
                out.values.emplace(name, args[++i]);
            } else {
                return failure{name + " needs a value"};
            }
        } else {
            return failure{"unknown option " + name};
        }
    }
    return out;
}

}  // namespace tokengate::cli
