#include "tokengate/log/event_log.hpp"

#include "tokengate/validate/duration_text.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cmath>
#include <mutex>
#include <utility>

namespace tokengate::log {
namespace {

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

bool text_format = false;

// Per-reason budget of lines per second; beyond it lines are counted, and the count is
// reported once the next second opens, so a flood cannot fill a disk.
constexpr int lines_per_second = 20;

struct budget {
    std::int64_t second = 0;
    int used = 0;
    std::uint64_t suppressed = 0;
};

std::mutex budget_mutex;
std::array<budget, all_reasons.size()> budgets;

std::shared_ptr<spdlog::logger> logger() {
    static auto l = [] {
        auto lg = spdlog::stdout_logger_mt("tokengate");
        lg->set_pattern("%v");
        lg->flush_on(spdlog::level::info);
        return lg;
    }();
    return l;
}

void str(writer& w, const char* key, std::string_view v) {
    w.Key(key);
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}

void head(writer& w, std::string_view level, std::string_view name) {
    const auto now = std::chrono::system_clock::now();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    std::string ts = validate::utc_text(static_cast<double>(ms / 1000));
    ts.insert(ts.size() - 1, "." + std::to_string(1000 + ms % 1000).substr(1));
    str(w, "ts", ts);
    str(w, "level", level);
    str(w, "event", name);
}

void context(writer& w, const request_context& ctx) {
    str(w, "request_id", ctx.request_id);
    str(w, "method", ctx.method);
    str(w, "path", ctx.path);
    str(w, "client", ctx.client);
}

void optional_number(writer& w, const char* key, const std::optional<double>& v) {
    if (!v) return;
    w.Key(key);
    if (*v == static_cast<double>(static_cast<std::int64_t>(*v))) w.Int64(static_cast<std::int64_t>(*v));
    else w.Double(*v);
}

void evidence_fields(writer& w, const validate::evidence& ev) {
    if (!ev.provider.empty()) str(w, "provider", ev.provider);
    if (!ev.alg.empty()) str(w, "alg", ev.alg);
    if (!ev.kid.empty()) str(w, "kid", ev.kid);
    if (!ev.iss.empty()) str(w, "iss", ev.iss);
    if (!ev.aud.empty()) {
        w.Key("aud");
        w.StartArray();
        for (const auto& a : ev.aud) w.String(a.c_str());
        w.EndArray();
    }
    if (!ev.sub.empty()) str(w, "sub", ev.sub);
    optional_number(w, "exp", ev.exp);
    optional_number(w, "iat", ev.iat);
    optional_number(w, "nbf", ev.nbf);
    w.Key("now");
    w.Int64(ev.now);
    w.Key("leeway_s");
    w.Int64(ev.leeway_s);
    str(w, "token_fp", ev.token_fp);
}

// The human format for local runs: "ts level event key=value …", built from the same JSON
// object so both formats carry exactly the same (redacted) fields.
std::string to_text(std::string_view json) {
    rapidjson::Document d;
    d.Parse(json.data(), json.size());
    if (!d.IsObject()) return std::string(json);
    std::string out;
    for (const char* k : {"ts", "level", "event"}) {
        if (d.HasMember(k) && d[k].IsString()) out += std::string(d[k].GetString()) + " ";
    }
    for (const auto& m : std::as_const(d).GetObject()) {
        const std::string_view key(m.name.GetString(), m.name.GetStringLength());
        if (key == "ts" || key == "level" || key == "event") continue;
        std::string value;
        if (m.value.IsString()) value.assign(m.value.GetString(), m.value.GetStringLength());
        else {
            rapidjson::StringBuffer vb;
            rapidjson::Writer<rapidjson::StringBuffer> vw(vb);
            m.value.Accept(vw);
            value.assign(vb.GetString(), vb.GetSize());
        }
        if (value.find(' ') != std::string::npos) value = "\"" + value + "\"";
        out += std::string(key) + "=" + value + " ";
    }
    if (!out.empty()) out.pop_back();
    return out;
}

void emit(const rapidjson::StringBuffer& sb, std::string_view level) {
    const std::string text = text_format ? to_text({sb.GetString(), sb.GetSize()}) : std::string();
    const std::string_view line = text_format ? std::string_view(text) : std::string_view(sb.GetString(), sb.GetSize());
    if (level == "error") logger()->error("{}", line);
    else if (level == "warn") logger()->warn("{}", line);
    else logger()->info("{}", line);
}

// Returns how many lines were suppressed in the previous window when a new one opens
// (to report), and whether this line may be written.
std::pair<bool, std::uint64_t> take_budget(reason r) {
    const auto sec = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::steady_clock::now().time_since_epoch()).count();
    std::lock_guard lock(budget_mutex);
    budget& b = budgets[static_cast<std::size_t>(r)];
    std::uint64_t report = 0;
    if (b.second != sec) {
        report = b.suppressed;
        b = budget{sec, 0, 0};
    }
    if (b.used >= lines_per_second) {
        ++b.suppressed;
        return {false, report};
    }
    ++b.used;
    return {true, report};
}

}  // namespace

void init(std::string_view format) {
    text_format = format == "text";
    (void)logger();
}

void reject(const request_context& ctx, const rejection& r, const validate::evidence* ev, int status) {
    const auto [allowed, suppressed] = take_budget(r.code);
    if (suppressed > 0) {
        rapidjson::StringBuffer sb;
        writer w(sb);
        w.StartObject();
        head(w, "warn", "auth.reject.suppressed");
        str(w, "reason", to_string(r.code));
        w.Key("suppressed");
        w.Uint64(suppressed);
        str(w, "message", "similar rejections suppressed in the last second");
        w.EndObject();
        emit(sb, "warn");
    }
    if (!allowed) return;
    rapidjson::StringBuffer sb;
    writer w(sb);
    w.StartObject();
    head(w, "info", "auth.reject");
    context(w, ctx);
    w.Key("status");
    w.Int(status);
    str(w, "reason", to_string(r.code));
    if (!r.hint.empty()) str(w, "hint", r.hint);
    if (ev != nullptr) evidence_fields(w, *ev);
    w.EndObject();
    emit(sb, "info");
}

void clock_drift(const validate::evidence& ev, double ahead_s, double now_s) {
    const std::int64_t ahead = std::llround(ahead_s);
    rapidjson::StringBuffer sb;
    writer w(sb);
    w.StartObject();
    head(w, "warn", "clock.drift");
    str(w, "provider", ev.provider);
    if (!ev.iss.empty()) str(w, "iss", ev.iss);
    if (!ev.kid.empty()) str(w, "kid", ev.kid);
    optional_number(w, "iat", ev.iat);
    w.Key("now");
    w.Int64(static_cast<std::int64_t>(now_s));
    w.Key("leeway_s");
    w.Int64(ev.leeway_s);
    w.Key("offset_s");
    w.Int64(ahead);  // whole seconds, as iat is written
    str(w, "token_fp", ev.token_fp);
    str(w, "message", "token iat is " + std::to_string(ahead) + " s ahead of this host's clock (inside the " +
                          std::to_string(ev.leeway_s) + " s leeway): the issuer's clock or this host's is off; "
                          "check NTP before tokens fail as issued_in_future");
    w.EndObject();
    emit(sb, "warn");
}

void event(std::string_view level, std::string_view name, std::string_view message, const request_context* ctx,
           int status, std::initializer_list<std::pair<std::string_view, std::string_view>> extra) {
    rapidjson::StringBuffer sb;
    writer w(sb);
    w.StartObject();
    head(w, level, name);
    if (ctx != nullptr) context(w, *ctx);
    if (status != 0) {
        w.Key("status");
        w.Int(status);
    }
    str(w, "message", message);
    for (const auto& [k, v] : extra) {
        w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
        w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
    }
    w.EndObject();
    emit(sb, level);
}

}  // namespace tokengate::log
