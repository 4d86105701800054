#include "tokengate/log/line.hpp"

#include "tokengate/crypto/digest.hpp"
#include "tokengate/validate/duration_text.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <utility>

namespace tokengate::log {
namespace {

rapidjson::SizeType size_of(std::string_view s) { return static_cast<rapidjson::SizeType>(s.size()); }

// A text-format value must stay one token of one line: anything that could split it
// (space, '=') or the line (control characters), or look like quoting, is JSON-quoted.
bool needs_quotes(std::string_view v) {
    return v.empty() || std::any_of(v.begin(), v.end(), [](char c) {
               const auto u = static_cast<unsigned char>(c);
               return u < 0x20 || u == 0x7f || c == ' ' || c == '"' || c == '=' || c == '\\';
           });
}

std::string quoted(std::string_view v) {
    rapidjson::StringBuffer b;
    rapidjson::Writer<rapidjson::StringBuffer> w(b);
    w.String(v.data(), size_of(v));
    return {b.GetString(), b.GetSize()};
}

}  // namespace

std::string timestamp(std::chrono::system_clock::time_point t) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    const auto whole = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;  // floor, also before 1970
    std::string ts = validate::utc_text(static_cast<double>(whole));
    ts.insert(ts.size() - 1, "." + std::to_string(1000 + (ms - whole * 1000)).substr(1));
    return ts;
}

std::optional<std::string> sub_field(std::string_view sub, config::log_config::sub_mode mode) {
    if (sub.empty()) return std::nullopt;
    switch (mode) {
    case config::log_config::sub_mode::plain: return std::string(sub);
    case config::log_config::sub_mode::hash: return crypto::to_hex(crypto::sha256(sub)).substr(0, 16);
    case config::log_config::sub_mode::omit: return std::nullopt;
    }
    return std::nullopt;  // unreachable for valid enumerators; keeps -Wreturn-type quiet
}

json_line::json_line(std::chrono::system_clock::time_point ts, std::string_view level, std::string_view event)
    : w_(buf_) {
    w_.StartObject();
    str("ts", timestamp(ts));
    str("level", level);
    str("event", event);
}

json_line& json_line::str(std::string_view key, std::string_view value) {
    w_.Key(key.data(), size_of(key));
    w_.String(value.data(), size_of(value));
    return *this;
}

json_line& json_line::integer(std::string_view key, std::int64_t value) {
    w_.Key(key.data(), size_of(key));
    w_.Int64(value);
    return *this;
}

json_line& json_line::number(std::string_view key, double value) {
    w_.Key(key.data(), size_of(key));
    // Exactly representable integers (every NumericDate a token should carry) print
    // without a fraction; anything else, including absurd values, as a double.
    if (value > -9.0e15 && value < 9.0e15 && value == static_cast<double>(static_cast<std::int64_t>(value)))
        w_.Int64(static_cast<std::int64_t>(value));
    else
        w_.Double(value);
    return *this;
}

json_line& json_line::context(const request_context& ctx) {
    return str("request_id", ctx.request_id).str("method", ctx.method).str("path", ctx.path).str("client", ctx.client);
}

json_line& json_line::evidence(const validate::evidence& ev, config::log_config::sub_mode sub, std::int64_t now_s) {
    if (!ev.provider.empty()) str("provider", ev.provider);
    if (!ev.alg.empty()) str("alg", ev.alg);
    if (!ev.kid.empty()) str("kid", ev.kid);
    if (!ev.iss.empty()) str("iss", ev.iss);
    if (!ev.aud.empty()) {
        w_.Key("aud");
        w_.StartArray();
        for (const auto& a : ev.aud) w_.String(a.data(), size_of(a));
        w_.EndArray();
    }
    if (auto s = sub_field(ev.sub, sub)) str("sub", *s);
    if (ev.exp) number("exp", *ev.exp);
    if (ev.iat) number("iat", *ev.iat);
    if (ev.nbf) number("nbf", *ev.nbf);
    integer("now", now_s);
    integer("leeway_s", ev.leeway_s);
    if (!ev.token_fp.empty()) str("token_fp", ev.token_fp);
    return *this;
}

std::string json_line::finish() {
    w_.EndObject();
    return {buf_.GetString(), buf_.GetSize()};
}

std::string to_text(std::string_view json) {
    rapidjson::Document d;
    d.Parse(json.data(), json.size());
    if (d.HasParseError() || !d.IsObject()) return std::string(json);
    std::string out;
    for (const char* k : {"ts", "level", "event"}) {
        if (d.HasMember(k) && d[k].IsString()) out.append(d[k].GetString(), d[k].GetStringLength()).push_back(' ');
    }
    for (const auto& m : std::as_const(d).GetObject()) {
        const std::string_view key(m.name.GetString(), m.name.GetStringLength());
        if (key == "ts" || key == "level" || key == "event") continue;
        std::string value;
        if (m.value.IsString()) {
            const std::string_view v(m.value.GetString(), m.value.GetStringLength());
            value = needs_quotes(v) ? quoted(v) : std::string(v);
        } else {
            rapidjson::StringBuffer vb;
            rapidjson::Writer<rapidjson::StringBuffer> vw(vb);
            m.value.Accept(vw);
            value.assign(vb.GetString(), vb.GetSize());
        }
        out.append(key).append("=").append(value).push_back(' ');
    }
    if (!out.empty()) out.pop_back();
    return out;
}

}  // namespace tokengate::log
