#include "tokengate/validate/extract.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace tokengate::validate {
namespace {

bool ieq(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

// Only the scheme name is echoed in hints: it is a fixed word, never a credential.
std::string safe_scheme(std::string_view s) {
    const bool word = !s.empty() && s.size() <= 20 &&
                      std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '-'; });
    return word ? std::string(s) : "(unrecognised)";
}

}  // namespace

extraction extract_bearer(std::span<const std::string_view> values) {
    extraction out;
    if (values.empty()) {
        out.error = rejection{reason::missing_token, ""};
        return out;
    }
    if (values.size() > 1) {
        out.error = rejection{reason::malformed_token, std::to_string(values.size()) +
                                                           " Authorization headers: ambiguous, refused"};
        return out;
    }
    const std::string_view v = values.front();
    const auto sp = v.find(' ');
    const std::string_view scheme = v.substr(0, sp);
    if (!ieq(scheme, "Bearer")) {
        if (sp == std::string_view::npos && v.rfind("eyJ", 0) == 0)
            out.error = rejection{reason::missing_token,
                                  "Authorization header holds a bare token: prefix it with the scheme 'Bearer '"};
        else
            out.error = rejection{reason::missing_token, "Authorization header present with scheme " +
                                                             safe_scheme(sp == std::string_view::npos ? std::string_view{} : scheme) + ", expected Bearer"};
        return out;
    }
    const std::string_view rest = sp == std::string_view::npos ? std::string_view{} : v.substr(sp + 1);
    if (rest.empty()) {
        out.error = rejection{reason::missing_token, "Authorization: Bearer with no token"};
        return out;
    }
    out.token = rest;
    return out;
}

}  // namespace tokengate::validate
