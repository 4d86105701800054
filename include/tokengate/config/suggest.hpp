#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tokengate::config {

/** Levenshtein distance (insert, delete, substitute: cost 1 each) between two names. */
std::size_t edit_distance(std::string_view a, std::string_view b);

/** The candidate closest to `typo`, when close enough to be the likely intent: equal
 *  ignoring case, or within a third of the longer name's length (at least 2 edits). */
std::optional<std::string> nearest(std::string_view typo, const std::vector<std::string_view>& candidates);

/** " (did you mean \"x\"?)" for the nearest candidate, or "". */
std::string did_you_mean(std::string_view typo, const std::vector<std::string_view>& candidates);

}  // namespace tokengate::config
