#include "tokengate/jose/json.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <utility>

namespace tokengate::jose {
namespace {

using rapidjson::SizeType;

// Forwards SAX events to the document and stops the parse when nesting exceeds the
// bound, so a deep payload costs at most `max_depth` levels of work.
class depth_limiter {
public:
    depth_limiter(rapidjson::Document& doc, int max_depth) : doc_(doc), max_depth_(max_depth) {}

    bool Null() { return doc_.Null(); }
    bool Bool(bool b) { return doc_.Bool(b); }
    bool Int(int i) { return doc_.Int(i); }
    bool Uint(unsigned u) { return doc_.Uint(u); }
    bool Int64(int64_t i) { return doc_.Int64(i); }
    bool Uint64(uint64_t u) { return doc_.Uint64(u); }
    bool Double(double d) { return doc_.Double(d); }
    bool RawNumber(const char* s, SizeType n, bool copy) { return doc_.RawNumber(s, n, copy); }
    bool String(const char* s, SizeType n, bool copy) { return doc_.String(s, n, copy); }
    bool Key(const char* s, SizeType n, bool copy) { return doc_.Key(s, n, copy); }
    bool StartObject() { return enter() && doc_.StartObject(); }
    bool EndObject(SizeType n) { --depth_; return doc_.EndObject(n); }
    bool StartArray() { return enter() && doc_.StartArray(); }
    bool EndArray(SizeType n) { --depth_; return doc_.EndArray(n); }

    bool exceeded() const { return exceeded_; }

private:
    bool enter() {
        if (++depth_ > max_depth_) {
            exceeded_ = true;
            return false;
        }
        return true;
    }

    rapidjson::Document& doc_;
    int max_depth_;
    int depth_ = 0;
    bool exceeded_ = false;
};

constexpr unsigned parse_flags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
// RapidJSON validates raw bytes but not what "\u" escapes decode to, so a lone
// surrogate escape would otherwise become invalid UTF-8 in a claim value.
bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        unsigned lo = 0x80, hi = 0xBF;
        if (c < 0x80) len = 1;
        else if (c >= 0xC2 && c <= 0xDF) len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else return false;
        if (i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return false;
        }
        i += len;
    }
    return true;
}

std::string_view view(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

// The first string or member name in the tree that is not valid UTF-8, or nullptr.
// A token's claims fit in this many pending values and member names; room for them up
// front saves the vectors' regrowth on every parse (the walks run for each token).
constexpr std::size_t typical_width = 32;

const rapidjson::Value* find_bad_string(const rapidjson::Value& root) {
    std::vector<const rapidjson::Value*> todo;
    todo.reserve(typical_width);
    todo.push_back(&root);
    while (!todo.empty()) {
        const rapidjson::Value* v = todo.back();
        todo.pop_back();
        if (v->IsString() && !valid_utf8(view(*v))) return v;
        if (v->IsObject()) {
            for (const auto& m : v->GetObject()) {
                if (!valid_utf8(view(m.name))) return &m.name;
                todo.push_back(&m.value);
            }
        } else if (v->IsArray()) {
            for (const auto& e : v->GetArray()) todo.push_back(&e);
        }
    }
    return nullptr;
}

// Finds a repeated member name anywhere in the tree, walking with an explicit stack
// (the depth is already bounded, but recursion on attacker input stays out regardless).
const rapidjson::Value* find_duplicate(const rapidjson::Value& root) {
    std::vector<const rapidjson::Value*> todo;
    todo.reserve(typical_width);
    todo.push_back(&root);
    std::vector<std::string_view> names;
    names.reserve(typical_width);
    while (!todo.empty()) {
        const rapidjson::Value* v = todo.back();
        todo.pop_back();
        if (v->IsObject()) {
            names.clear();
            for (const auto& m : v->GetObject()) {
                names.emplace_back(m.name.GetString(), m.name.GetStringLength());
                todo.push_back(&m.value);
            }
            std::sort(names.begin(), names.end());
            const auto dup = std::adjacent_find(names.begin(), names.end());
            if (dup != names.end()) {
                for (const auto& m : v->GetObject()) {
                    if (std::string_view(m.name.GetString(), m.name.GetStringLength()) == *dup)
                        return &m.name;
                }
            }
        } else if (v->IsArray()) {
            for (const auto& e : v->GetArray()) todo.push_back(&e);
        }
    }
    return nullptr;
}

}  // namespace

json_parse parse_json_object(std::string_view text, int max_depth) {
    // Twice the text covers the DOM of a typical object (16 bytes per value, 32 per
    // member, long strings copied); a larger one just takes another chunk.
    json_parse out(2 * text.size() + 256);
    // RapidJSON's streams read a NUL byte as the end of input, which would hide whatever
    // follows it; raw NUL is never valid JSON (inside strings it must be escaped).
    if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
        out.error = json_error::syntax;
        out.offset = nul;
        out.detail = "raw NUL byte";
        return out;
    }
    depth_limiter limiter(out.doc, max_depth);
    rapidjson::Reader reader;
    rapidjson::MemoryStream ms(text.data(), text.size());
    auto generate = [&](rapidjson::Document&) {
        return !reader.Parse<parse_flags>(ms, limiter).IsError();
    };
    out.doc.Populate(generate);
    if (reader.HasParseError()) {
        out.offset = reader.GetErrorOffset();
        const auto code = reader.GetParseErrorCode();
        if (limiter.exceeded()) {
            out.error = json_error::too_deep;
            out.detail = "nesting deeper than " + std::to_string(max_depth);
        } else if (code == rapidjson::kParseErrorStringInvalidEncoding) {
            out.error = json_error::bad_utf8;
            out.detail = "invalid UTF-8";
        } else if (out.offset >= text.size() && code != rapidjson::kParseErrorDocumentRootNotSingular) {
            out.error = json_error::truncated;
            out.detail = "ends mid-way";
        } else {
            out.error = json_error::syntax;
            out.detail = rapidjson::GetParseError_En(code);
        }
        return out;
    }
    if (!out.doc.IsObject()) {
        out.error = json_error::not_object;
        out.detail = std::string("top level is ") + std::string(type_name(out.doc));
        return out;
    }
    if (find_bad_string(out.doc) != nullptr) {
        out.error = json_error::bad_utf8;
        out.detail = "a \\u escape decodes to invalid UTF-8 (lone surrogate)";
        return out;
    }
    if (const auto* dup = find_duplicate(out.doc)) {
        out.error = json_error::duplicate_name;
        out.detail.assign(dup->GetString(), dup->GetStringLength());
    }
    return out;
}

std::string_view to_string(json_error e) noexcept {
    switch (e) {
    case json_error::none: return "ok";
    case json_error::syntax: return "not JSON";
    case json_error::truncated: return "truncated JSON";
    case json_error::bad_utf8: return "invalid UTF-8";
    case json_error::too_deep: return "nested too deep";
    case json_error::duplicate_name: return "duplicate member name";
    case json_error::not_object: return "not a JSON object";
    }
    return "?";
}

std::string_view type_name(const rapidjson::Value& v) noexcept {
    switch (v.GetType()) {
    case rapidjson::kNullType: return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: return "a boolean";
    case rapidjson::kObjectType: return "an object";
    case rapidjson::kArrayType: return "an array";
    case rapidjson::kStringType: return "a string";
    case rapidjson::kNumberType: return "a number";
    }
    return "?";
}

const rapidjson::Value* find_member(const rapidjson::Value& obj, std::string_view name) {
    if (!obj.IsObject()) return nullptr;
    for (const auto& m : obj.GetObject()) {
        if (std::string_view(m.name.GetString(), m.name.GetStringLength()) == name) return &m.value;
    }
    return nullptr;
}

field get_string(const rapidjson::Value& obj, std::string_view name, std::string_view& out) {
    const auto* v = find_member(obj, name);
    if (!v) return field::missing;
    if (!v->IsString()) return field::wrong_type;
    out = std::string_view(v->GetString(), v->GetStringLength());
    return field::found;
}

field get_number(const rapidjson::Value& obj, std::string_view name, double& out) {
    const auto* v = find_member(obj, name);
    if (!v) return field::missing;
    if (!v->IsNumber()) return field::wrong_type;
    out = v->GetDouble();
    return field::found;
}

field get_bool(const rapidjson::Value& obj, std::string_view name, bool& out) {
    const auto* v = find_member(obj, name);
    if (!v) return field::missing;
    if (!v->IsBool()) return field::wrong_type;
    out = v->GetBool();
    return field::found;
}

field get_string_or_array(const rapidjson::Value& obj, std::string_view name,
                          std::vector<std::string>& out) {
    const auto* v = find_member(obj, name);
    if (!v) return field::missing;
    out.clear();
    if (v->IsString()) {
        out.emplace_back(v->GetString(), v->GetStringLength());
        return field::found;
    }
    if (!v->IsArray()) return field::wrong_type;
    for (const auto& e : v->GetArray()) {
        if (!e.IsString()) return field::wrong_type;
        out.emplace_back(e.GetString(), e.GetStringLength());
    }
    return field::found;
}

std::string to_json(const rapidjson::Value& v) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    v.Accept(w);
    return {sb.GetString(), sb.GetSize()};
}

}  // namespace tokengate::jose
