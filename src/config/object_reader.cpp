#include "tokengate/config/object_reader.hpp"

#include "tokengate/config/suggest.hpp"
#include "tokengate/jose/json.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace tokengate::config {
namespace {

// 0.25, 1, 1e+20: short and exact enough for a range message.
std::string plain_number(double d) {
    std::array<char, 32> buf{};
    std::snprintf(buf.data(), buf.size(), "%g", d);
    return buf.data();
}

}  // namespace

void load_context::error(const std::string& path, std::string message) {
    const source_position p = position(path);
    errors.push_back(diagnostic{path, p.line, p.column, std::move(message)});
}

void load_context::key_error(const std::string& path, std::string message) {
    const auto it = src.key_offsets.find(path);
    const source_position p = it == src.key_offsets.end() ? position(path) : lines.at(it->second);
    errors.push_back(diagnostic{path, p.line, p.column, std::move(message)});
}

void load_context::warning(const std::string& path, std::string message) {
    const source_position p = position(path);
    warnings.push_back(diagnostic{path, p.line, p.column, std::move(message)});
}

source_position load_context::position(const std::string& path) const {
    const auto it = src.value_offsets.find(path);
    return it == src.value_offsets.end() ? source_position{} : lines.at(it->second);
}

std::string type_mismatch(std::string_view expected, const rapidjson::Value& got) {
    return "expected " + std::string(expected) + ", got " + std::string(jose::type_name(got));
}

std::string_view view_of(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

object_reader::object_reader(load_context& ctx, const rapidjson::Value& obj, std::string path,
                             std::initializer_list<std::string_view> known)
    : ctx_(ctx), obj_(obj), path_(std::move(path)) {
    const std::vector<std::string_view> names(known);
    for (const auto& m : obj_.GetObject()) {
        const std::string_view name = view_of(m.name);
        if (std::find(names.begin(), names.end(), name) != names.end()) continue;
        ctx_.key_error(member_path(path_, name), "unknown key \"" + std::string(name) + "\"" + did_you_mean(name, names));
    }
}

const rapidjson::Value* object_reader::find(std::string_view key) const { return jose::find_member(obj_, key); }

bool object_reader::is_null(std::string_view key) const {
    const auto* v = find(key);
    return v != nullptr && v->IsNull();
}

bool object_reader::require(std::string_view key) {
    if (has(key)) return true;
    ctx_.error(path_, "missing required key \"" + std::string(key) + "\"");
    return false;
}

const rapidjson::Value* object_reader::typed(std::string_view key, bool ok, std::string_view expected) {
    if (!ok) {
        ctx_.error(path(key), type_mismatch(expected, *find(key)));
        return nullptr;
    }
    return find(key);
}

std::optional<std::string> object_reader::string(std::string_view key, bool allow_empty) {
    const auto* v = find(key);
    if (v == nullptr || typed(key, v->IsString(), "a string") == nullptr) return std::nullopt;
    if (!allow_empty && v->GetStringLength() == 0) {
        ctx_.error(path(key), "must not be empty");
        return std::nullopt;
    }
    return std::string(view_of(*v));
}

std::optional<std::string> object_reader::choice(std::string_view key, std::initializer_list<std::string_view> choices) {
    auto s = string(key);
    if (!s) return s;
    const std::vector<std::string_view> names(choices);
    if (std::find(names.begin(), names.end(), *s) != names.end()) return s;
    std::string list;
    for (std::string_view c : names) list += (list.empty() ? "\"" : ", \"") + std::string(c) + "\"";
    ctx_.error(path(key), "\"" + *s + "\" is not one of " + list + did_you_mean(*s, names));
    return std::nullopt;
}

std::optional<bool> object_reader::boolean(std::string_view key) {
    const auto* v = find(key);
    if (v == nullptr || typed(key, v->IsBool(), "true or false") == nullptr) return std::nullopt;
    return v->GetBool();
}

std::optional<std::int64_t> object_reader::integer(std::string_view key, std::int64_t min, std::int64_t max) {
    const auto* v = find(key);
    if (v == nullptr || typed(key, v->IsNumber(), "an integer") == nullptr) return std::nullopt;
    const std::string range = "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
    if (v->IsInt64() && v->GetInt64() >= min && v->GetInt64() <= max) return v->GetInt64();
    if (v->IsInt64()) ctx_.error(path(key), range + ", got " + std::to_string(v->GetInt64()));
    else if (v->IsUint64()) ctx_.error(path(key), range + ", got " + std::to_string(v->GetUint64()));
    else ctx_.error(path(key), range + ", got a fraction or exponent");
    return std::nullopt;
}

std::optional<double> object_reader::number(std::string_view key, double min, double max) {
    const auto* v = find(key);
    if (v == nullptr || typed(key, v->IsNumber(), "a number") == nullptr) return std::nullopt;
    const double d = v->GetDouble();
    if (d >= min && d <= max) return d;
    ctx_.error(path(key), "must be a number from " + plain_number(min) + " to " + plain_number(max) + ", got " +
                              plain_number(d));
    return std::nullopt;
}

std::optional<std::vector<std::string>> object_reader::strings(std::string_view key) {
    const auto* v = array(key);
    if (v == nullptr) return std::nullopt;
    std::vector<std::string> out;
    bool ok = true;
    for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
        const auto& e = (*v)[i];
        const std::string at = element_path(path(key), i);
        if (!e.IsString()) ctx_.error(at, type_mismatch("a string", e));
        else if (e.GetStringLength() == 0) ctx_.error(at, "must not be empty");
        else out.emplace_back(view_of(e));
        ok = ok && e.IsString() && e.GetStringLength() > 0;
    }
    if (!ok) return std::nullopt;
    return out;
}

const rapidjson::Value* object_reader::object(std::string_view key) {
    const auto* v = find(key);
    return v == nullptr ? nullptr : typed(key, v->IsObject(), "an object");
}

const rapidjson::Value* object_reader::array(std::string_view key) {
    const auto* v = find(key);
    return v == nullptr ? nullptr : typed(key, v->IsArray(), "an array");
}

}  // namespace tokengate::config
