#pragma once

#include "tokengate/config/load.hpp"

#include <rapidjson/document.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tokengate::config {

/** Deepest nesting a config file may have; the deepest real member (a JWK field inside an
 *  inline JWKS inside a provider) sits at depth 5. */
inline constexpr int max_config_depth = 32;

/** Largest config file accepted. */
inline constexpr std::size_t max_config_bytes = 4 * 1024 * 1024;

/** Line and column (1-based, columns in UTF-8 characters) of byte offsets in one text. */
class line_index {
public:
    explicit line_index(std::string_view text);
    source_position at(std::size_t offset) const;

private:
    std::string_view text_;
    std::vector<std::size_t> line_starts_;
};

/** A config document with the byte offset where each value and each member name starts,
 *  keyed by JSON path ("$.providers[0].issuer"). RapidJSON's DOM keeps no positions, so
 *  parse_located records them during the SAX pass that builds the DOM. */
struct located_json {
    rapidjson::Document doc;
    std::unordered_map<std::string, std::size_t> value_offsets;
    std::unordered_map<std::string, std::size_t> key_offsets;
    std::optional<diagnostic> error;  //!< syntax, encoding, depth or duplicate-key error
};

/** Parses config text: iterative, UTF-8 validated, // line and block comments allowed,
 *  nesting bounded by max_config_depth, duplicate member names refused. `lines` must
 *  index the same text. */
located_json parse_located(std::string_view text, const line_index& lines);

/** "$.a" + "b" → "$.a.b"; names that are not identifiers use brackets: $.a["x-y"]. */
std::string member_path(std::string_view parent, std::string_view name);

/** "$.a" + 2 → "$.a[2]". */
std::string element_path(std::string_view parent, std::size_t index);

}  // namespace tokengate::config
