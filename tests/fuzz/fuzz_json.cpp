// Arbitrary bytes as a JOSE header or claims set: the parser that sees attacker JSON first.

#include "fuzz_check.hpp"

#include "tokengate/jose/json.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using tokengate::fuzz::require;

namespace {

// The depth tokengate parses tokens with (jose::parse_limits default).
constexpr int max_depth = 16;

std::string_view text_of(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

// RapidJSON 1.1 parses without kParseFullPrecisionFlag, which may land a few ulp off the
// correctly rounded double; harmless for NumericDates, so numbers compare with that slack.
bool close(const rapidjson::Value& a, const rapidjson::Value& b) {
    if (a.IsInt64() && b.IsInt64()) return a.GetInt64() == b.GetInt64();
    if (a.IsUint64() && b.IsUint64()) return a.GetUint64() == b.GetUint64();
    const double x = a.GetDouble(), y = b.GetDouble();
    const double scale = std::max(std::fabs(x), std::fabs(y));
    return std::fabs(x - y) <= 4 * std::numeric_limits<double>::epsilon() * scale ||
           std::fabs(x - y) <= 4 * std::numeric_limits<double>::denorm_min();
}

// Same tree, member order and values; walked with an explicit stack like the parser.
bool same(const rapidjson::Value& a, const rapidjson::Value& b) {
    std::vector<std::pair<const rapidjson::Value*, const rapidjson::Value*>> todo{{&a, &b}};
    while (!todo.empty()) {
        const auto [x, y] = todo.back();
        todo.pop_back();
        if (x->GetType() != y->GetType()) return false;
        if (x->IsObject()) {
            if (x->MemberCount() != y->MemberCount()) return false;
            for (auto i = x->MemberBegin(), j = y->MemberBegin(); i != x->MemberEnd(); ++i, ++j) {
                if (text_of(i->name) != text_of(j->name)) return false;
                todo.emplace_back(&i->value, &j->value);
            }
        } else if (x->IsArray()) {
            if (x->Size() != y->Size()) return false;
            for (rapidjson::SizeType i = 0; i < x->Size(); ++i) todo.emplace_back(&(*x)[i], &(*y)[i]);
        } else if (x->IsString()) {
            if (text_of(*x) != text_of(*y)) return false;
        } else if (x->IsNumber()) {
            if (!close(*x, *y)) return false;
        }
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace jose = tokengate::jose;
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    const jose::json_parse p = jose::parse_json_object(text, max_depth);
    if (p.error != jose::json_error::none) {
        require(p.offset <= text.size(), "error offset past the end");
        return 0;
    }
    require(p.doc.IsObject(), "accepted a non-object");
    // RFC 8259 has no place for a raw NUL byte (strings must escape control characters),
    // so accepting one means bytes were skipped: what we verified is not what we parsed.
    require(text.find('\0') == std::string_view::npos, "accepted JSON text holding a raw NUL byte");
    // What we accepted must survive re-serialisation: same depth, no duplicates, valid
    // UTF-8 in every string, same values.
    const jose::json_parse again = jose::parse_json_object(jose::to_json(p.doc), max_depth);
    require(again.error == jose::json_error::none, "re-serialised object does not parse");
    require(same(p.doc, again.doc), "re-serialised object differs");
    return 0;
}
