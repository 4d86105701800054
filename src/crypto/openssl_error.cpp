#include "tokengate/crypto/openssl_error.hpp"

#include <openssl/err.h>

#include <array>

namespace tokengate::crypto {

std::string drain_openssl_errors() {
    std::string out;
    while (const unsigned long e = ERR_get_error()) {
        std::array<char, 256> buf{};
        ERR_error_string_n(e, buf.data(), buf.size());
        if (!out.empty()) out += "; ";
        out += buf.data();
    }
    return out;
}

}  // namespace tokengate::crypto
