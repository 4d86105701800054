#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tokengate::jose {

/** Why a JSON text was refused. */
enum class json_error {
    none,
    syntax,          //!< not JSON (RapidJSON's message and offset say where)
    truncated,       //!< the text ends before the JSON value does
    bad_utf8,        //!< invalid UTF-8
    too_deep,        //!< nesting deeper than the bound
    duplicate_name,  //!< an object repeats a member name
    not_object,      //!< top level is not an object
};

/** Memory of a parsed document, in chunks sized to its text. RapidJSON's own default is
 *  a 64 KiB first chunk per document: each parsed token would take two of them, and the
 *  verified-token cache keeps thousands of parsed tokens. */
using json_allocator = rapidjson::MemoryPoolAllocator<>;

/** A parsed JSON object, or the reason it is not one. */
struct json_parse {
    explicit json_parse(std::size_t chunk_bytes)
        : allocator(std::make_unique<json_allocator>(chunk_bytes)), doc(allocator.get()) {}

    /** Owns the document's memory; declared first, so it outlives the document. A moved
     *  document keeps pointing into it: move both together. */
    std::unique_ptr<json_allocator> allocator;
    rapidjson::Document doc;
    json_error error = json_error::none;
    std::size_t offset = 0;   //!< byte offset of the error
    std::string detail;       //!< e.g. the duplicated name, or the parser's message
};

/** Parses an attacker-supplied JSON object: iterative (no recursion), UTF-8 validated,
 *  nesting bounded by `max_depth`, duplicate member names refused at every level. */
json_parse parse_json_object(std::string_view text, int max_depth);

std::string_view to_string(json_error e) noexcept;

/** Outcome of a typed member lookup (jwt_verify_lib's struct_utils idea). */
enum class field { found, missing, wrong_type };

/** Human word for a JSON value's type ("a string", "an array", …) for hints. */
std::string_view type_name(const rapidjson::Value& v) noexcept;

field get_string(const rapidjson::Value& obj, std::string_view name, std::string_view& out);
field get_number(const rapidjson::Value& obj, std::string_view name, double& out);
field get_bool(const rapidjson::Value& obj, std::string_view name, bool& out);
/** A string or an array of strings (as `aud`); any other element type is wrong_type. */
field get_string_or_array(const rapidjson::Value& obj, std::string_view name,
                          std::vector<std::string>& out);
/** Member lookup by string_view (RapidJSON wants a Value or a NUL-terminated name). */
const rapidjson::Value* find_member(const rapidjson::Value& obj, std::string_view name);

/** Serialises a value back to compact JSON (for output, never for verification). */
std::string to_json(const rapidjson::Value& v);

}  // namespace tokengate::jose
