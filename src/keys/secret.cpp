#include "tokengate/keys/secret.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

namespace tokengate::keys {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string where(char c) {
    switch (c) {
    case '\n': return "a newline";
    case '\r': return "a carriage return";
    case '\t': return "a tab";
    default: return "a space";
    }
}

}  // namespace

result<std::string> read_file(const std::string& path, std::size_t max_bytes) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return failure{"cannot open " + path + ": " + std::strerror(errno)};
    std::string data;
    char buf[4096];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        data.append(buf, static_cast<std::size_t>(in.gcount()));
        if (data.size() > max_bytes) return failure{path + " is larger than " + std::to_string(max_bytes) + " bytes"};
    }
    if (in.bad()) return failure{"cannot read " + path};
    return data;
}

result<std::string> read_secret_file(const std::string& path) {
    auto s = read_file(path, 64 * 1024);
    if (!s) return s;
    if (s->empty()) return failure{"secret file " + path + " is empty"};
    return s;
}

result<std::string> read_secret_env(const std::string& name) {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return failure{"environment variable " + name + " is not set"};
    if (*v == '\0') return failure{"environment variable " + name + " is empty"};
    return std::string(v);
}

std::string secret_whitespace_warning(std::string_view secret) {
    if (secret.empty()) return {};
    if (is_space(secret.back()))
        return "the HMAC secret ends with " + where(secret.back()) +
               " (often from `echo` or a file editor); tokens signed without it will fail";
    if (is_space(secret.front()))
        return "the HMAC secret starts with " + where(secret.front()) + "; tokens signed without it will fail";
    return {};
}

}  // namespace tokengate::keys
