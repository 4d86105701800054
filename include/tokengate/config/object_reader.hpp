#pragma once

#include "tokengate/config/json_source.hpp"
#include "tokengate/config/load.hpp"

#include <rapidjson/document.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tokengate::config {

/** What every section reader shares: where values sit in the text, and the findings. */
struct load_context {
    const located_json& src;
    const line_index& lines;
    std::vector<diagnostic> errors;
    std::vector<diagnostic> warnings;

    /** An error located at the value of `path`. */
    void error(const std::string& path, std::string message);
    /** An error located at the member name of `path` (unknown or misplaced keys). */
    void key_error(const std::string& path, std::string message);
    void warning(const std::string& path, std::string message);
    /** Where the value of `path` starts, or {0, 0}. */
    source_position position(const std::string& path) const;
};

/** Reads one JSON object's members with type and range checks; every problem becomes an
 *  error at the member's path, and the getters return nullopt for missing or bad values
 *  so callers keep their defaults. Unknown members are reported on construction. */
class object_reader {
public:
    object_reader(load_context& ctx, const rapidjson::Value& obj, std::string path,
                  std::initializer_list<std::string_view> known);

    load_context& ctx() { return ctx_; }
    const std::string& path() const { return path_; }
    std::string path(std::string_view key) const { return member_path(path_, key); }
    const rapidjson::Value* find(std::string_view key) const;
    bool has(std::string_view key) const { return find(key) != nullptr; }

    /** An error "missing required key" at this object unless `key` is present. */
    bool require(std::string_view key);
    /** A string; empty strings are errors unless `allow_empty`. */
    std::optional<std::string> string(std::string_view key, bool allow_empty = false);
    /** A string that must be one of `choices` (the error lists them). */
    std::optional<std::string> choice(std::string_view key, std::initializer_list<std::string_view> choices);
    std::optional<bool> boolean(std::string_view key);
    /** An integer in [min, max]. */
    std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max);
    /** A number (integer or fraction) in [min, max]. */
    std::optional<double> number(std::string_view key, double min, double max);
    /** An array of non-empty strings. */
    std::optional<std::vector<std::string>> strings(std::string_view key);
    const rapidjson::Value* object(std::string_view key);
    const rapidjson::Value* array(std::string_view key);
    bool is_null(std::string_view key) const;

private:
    const rapidjson::Value* typed(std::string_view key, bool ok, std::string_view expected);

    load_context& ctx_;
    const rapidjson::Value& obj_;
    std::string path_;
};

/** "expected a string, got a number" (for array elements read by hand). */
std::string type_mismatch(std::string_view expected, const rapidjson::Value& got);

/** `v` as a string_view (v must be a string). */
std::string_view view_of(const rapidjson::Value& v);

}  // namespace tokengate::config
