#include "tokengate/config/json_source.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <cctype>
#include <unordered_set>

namespace tokengate::config {
namespace {

using rapidjson::SizeType;

constexpr unsigned parse_flags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag | rapidjson::kParseCommentsFlag;

// Skips what may sit between two tokens (whitespace, ',', ':' and comments) so a
// recorded offset points at the token itself. The text up to the next token has already
// been accepted by the parser, so every comment found here is closed.
std::size_t next_token(std::string_view text, std::size_t i) {
    while (i < text.size()) {
        const char c = text[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == ':') {
            ++i;
        } else if (text.compare(i, 2, "//") == 0) {
            i = std::min(text.find('\n', i), text.size());
        } else if (text.compare(i, 2, "/*") == 0) {
            const auto end = text.find("*/", i + 2);
            i = end == std::string_view::npos ? text.size() : end + 2;
        } else {
            break;
        }
    }
    return i;
}

// Forwards SAX events to the document while tracking the JSON path of the current
// value, recording where each value and member name starts, bounding the depth and
// refusing duplicate member names (RapidJSON's DOM would keep both).
class locating_handler {
public:
    locating_handler(located_json& out, std::string_view text, const line_index& lines,
                     const rapidjson::MemoryStream& in)
        : out_(out), text_(text), lines_(lines), in_(in) {}

    bool Null() { return value() && out_.doc.Null() && done(in_.Tell()); }
    bool Bool(bool b) { return value() && out_.doc.Bool(b) && done(in_.Tell()); }
    bool Int(int i) { return value() && out_.doc.Int(i) && done(in_.Tell()); }
    bool Uint(unsigned u) { return value() && out_.doc.Uint(u) && done(in_.Tell()); }
    bool Int64(std::int64_t i) { return value() && out_.doc.Int64(i) && done(in_.Tell()); }
    bool Uint64(std::uint64_t u) { return value() && out_.doc.Uint64(u) && done(in_.Tell()); }
    bool Double(double d) { return value() && out_.doc.Double(d) && done(in_.Tell()); }
    bool RawNumber(const char* s, SizeType n, bool copy) {
        return value() && out_.doc.RawNumber(s, n, copy) && done(in_.Tell());
    }
    bool String(const char* s, SizeType n, bool copy) {
        return value() && out_.doc.String(s, n, copy) && done(in_.Tell());
    }
    bool Key(const char* s, SizeType n, bool copy);
    bool StartObject() { return open(true) && out_.doc.StartObject(); }
    bool EndObject(SizeType n) { return out_.doc.EndObject(n) && close(); }
    bool StartArray() { return open(false) && out_.doc.StartArray(); }
    bool EndArray(SizeType n) { return out_.doc.EndArray(n) && close(); }

    /** Path of the value being parsed (or of the container, right after it opened). */
    std::string current_path() const;
    /** Why this handler, not the syntax, stopped the parse. */
    struct refusal_info {
        std::string path;
        std::string message;
        std::size_t offset = 0;
    };
    std::optional<refusal_info> refusal;

private:
    struct frame {
        bool is_object = false;
        std::string path;
        std::size_t index = 0;
        std::string key;
        std::unordered_set<std::string> seen;
    };

    // Scalars and keys reach the handler once consumed, so Tell() is their end; brackets
    // reach it before they are consumed, so their end is computed from the text.
    bool value() {
        out_.value_offsets[current_path()] = next_token(text_, last_end_);
        return true;
    }
    bool done(std::size_t end) {
        last_end_ = end;
        if (!stack_.empty() && !stack_.back().is_object) ++stack_.back().index;
        return true;
    }
    bool open(bool is_object);
    bool close() {
        stack_.pop_back();
        return done(next_token(text_, last_end_) + 1);
    }

    located_json& out_;
    std::string_view text_;
    const line_index& lines_;
    const rapidjson::MemoryStream& in_;
    std::vector<frame> stack_;
    std::size_t last_end_ = 0;
};

std::string locating_handler::current_path() const {
    if (stack_.empty()) return "$";
    const frame& f = stack_.back();
    if (!f.is_object) return element_path(f.path, f.index);
    return f.key.empty() && f.seen.empty() ? f.path : member_path(f.path, f.key);
}

bool locating_handler::open(bool is_object) {
    const std::string path = current_path();
    const std::size_t at = next_token(text_, last_end_);
    out_.value_offsets[path] = at;
    last_end_ = at + 1;
    if (stack_.size() >= static_cast<std::size_t>(max_config_depth)) {
        refusal = refusal_info{path, "nested deeper than " + std::to_string(max_config_depth) + " levels", at};
        return false;
    }
    stack_.push_back(frame{is_object, path, 0, {}, {}});
    return true;
}

bool locating_handler::Key(const char* s, SizeType n, bool copy) {
    frame& f = stack_.back();
    f.key.assign(s, n);
    const std::string path = member_path(f.path, f.key);
    const std::size_t at = next_token(text_, last_end_);
    last_end_ = in_.Tell();
    if (!f.seen.insert(f.key).second) {
        refusal = refusal_info{path, "duplicate key \"" + f.key + "\" (first at line " +
                                         std::to_string(lines_.at(out_.key_offsets[path]).line) + ")", at};
        return false;
    }
    out_.key_offsets[path] = at;
    return out_.doc.Key(s, n, copy);
}

// RapidJSON's messages read "Missing a comma or '}' after an object member."; ours are
// lower-case sentences without the full stop.
std::string parse_message(rapidjson::ParseErrorCode code) {
    std::string m = rapidjson::GetParseError_En(code);
    if (!m.empty() && m.back() == '.') m.pop_back();
    if (!m.empty()) m[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(m[0])));
    return m;
}

bool is_identifier(std::string_view s) {
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
    });
}

}  // namespace

line_index::line_index(std::string_view text) : text_(text), line_starts_{0} {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n') line_starts_.push_back(i + 1);
    }
}

source_position line_index::at(std::size_t offset) const {
    offset = std::min(offset, text_.size());
    const auto next = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    const std::size_t start = *(next - 1);
    // Columns count characters, as editors show them: skip UTF-8 continuation bytes.
    const auto chars = std::count_if(text_.begin() + static_cast<std::ptrdiff_t>(start),
                                     text_.begin() + static_cast<std::ptrdiff_t>(offset),
                                     [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
    return {static_cast<int>(next - line_starts_.begin()), static_cast<int>(chars) + 1};
}

located_json parse_located(std::string_view text, const line_index& lines) {
    located_json out;
    rapidjson::MemoryStream in(text.data(), text.size());
    locating_handler handler(out, text, lines, in);
    rapidjson::Reader reader;
    auto generate = [&](rapidjson::Document&) { return !reader.Parse<parse_flags>(in, handler).IsError(); };
    out.doc.Populate(generate);
    if (!reader.HasParseError()) return out;
    diagnostic d;
    std::size_t offset = reader.GetErrorOffset();
    if (handler.refusal) {
        d.path = handler.refusal->path;
        d.message = handler.refusal->message;
        offset = handler.refusal->offset;
    } else {
        d.path = handler.current_path();
        d.message = "syntax error: " + parse_message(reader.GetParseErrorCode());
    }
    const source_position p = lines.at(offset);
    d.line = p.line;
    d.column = p.column;
    out.error = std::move(d);
    return out;
}

std::string member_path(std::string_view parent, std::string_view name) {
    std::string out(parent);
    if (is_identifier(name)) return out.append(".").append(name);
    out += "[\"";
    for (char c : name) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out += "\"]";
}

std::string element_path(std::string_view parent, std::size_t index) {
    return std::string(parent) + "[" + std::to_string(index) + "]";
}

}  // namespace tokengate::config
