#include "tokengate/config/suggest.hpp"

#include <algorithm>
#include <cctype>
#include <numeric>

namespace tokengate::config {
namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool equal_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
    // One row of the dynamic-programming table: row[j] = distance(a[0..i), b[0..j)).
    std::vector<std::size_t> row(b.size() + 1);
    std::iota(row.begin(), row.end(), std::size_t{0});
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0U : 1U)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::optional<std::string> nearest(std::string_view typo, const std::vector<std::string_view>& candidates) {
    std::optional<std::string_view> best;
    std::size_t best_distance = 0;
    for (std::string_view c : candidates) {
        if (equal_ignoring_case(typo, c)) return std::string(c);
        const std::size_t d = edit_distance(typo, c);
        if (!best || d < best_distance) {
            best = c;
            best_distance = d;
        }
    }
    if (!best) return std::nullopt;
    const std::size_t allowed = std::max<std::size_t>(2, std::max(typo.size(), best->size()) / 3);
    if (best_distance > allowed) return std::nullopt;
    return std::string(*best);
}

std::string did_you_mean(std::string_view typo, const std::vector<std::string_view>& candidates) {
    const auto n = nearest(typo, candidates);
    return n ? " (did you mean \"" + *n + "\"?)" : "";
}

}  // namespace tokengate::config
