#include "tokengate/config/check.hpp"

#include <algorithm>
#include <climits>
#include <utility>

namespace tokengate::config {
namespace {

void add(check_report& r, bool error, const std::vector<diagnostic>& ds) {
    for (const auto& d : ds) r.findings.push_back(finding{error, d});
    (error ? r.errors : r.warnings) += ds.size();
}

}  // namespace

check_report check_config_file(const std::string& path) {
    check_report r;
    const load_result loaded = load_config_file(path);
    add(r, true, loaded.errors);
    add(r, false, loaded.warnings);
    // serve builds the trust only from a config that loaded; so does the check, or key
    // file errors would pile onto a typo that serve reports alone.
    if (loaded.cfg) {
        const trust_result built = build_trust(*loaded.cfg);
        add(r, true, built.errors);
        add(r, false, built.warnings);
    }
    std::stable_sort(r.findings.begin(), r.findings.end(), [](const finding& a, const finding& b) {
        const auto key = [](const diagnostic& d) { return std::pair(d.line == 0 ? INT_MAX : d.line, d.column); };
        return key(a.where) < key(b.where);
    });
    return r;
}

}  // namespace tokengate::config
