#include "tokengate/config/env_expand.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace tokengate::config {

bool is_env_name(std::string_view name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::optional<std::string> expand_env(std::string_view text, std::string& error) {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text.compare(i, 3, "$${") == 0) {
            out += "${";
            i += 3;
            continue;
        }
        if (text.compare(i, 2, "${") != 0) {
            out += text[i++];
            continue;
        }
        const std::size_t close = text.find('}', i + 2);
        if (close == std::string_view::npos) {
            error = "unterminated \"${\"; write \"$${\" for a literal \"${\"";
            return std::nullopt;
        }
        const std::string name(text.substr(i + 2, close - i - 2));
        if (!is_env_name(name)) {
            error = "\"${" + name + "}\" is not an environment variable reference (letters, digits and _ only); "
                    "write \"$${\" for a literal \"${\"";
            return std::nullopt;
        }
        const char* value = std::getenv(name.c_str());
        if (value == nullptr) {
            error = "environment variable " + name + " is not set";
            return std::nullopt;
        }
        out += value;
        i = close + 1;
    }
    return out;
}

}  // namespace tokengate::config
