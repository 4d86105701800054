#include "tokengate/cli/explain.hpp"

#include "tokengate/jose/json.hpp"
#include "tokengate/validate/duration_text.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <ostream>

namespace tokengate::cli {
namespace {

bool is_time_claim(std::string_view name) { return name == "exp" || name == "iat" || name == "nbf" || name == "auth_time"; }

std::string relative(double t, double now) {
    const double delta = t - now;
    if (std::fabs(delta) < 1) return "now";
    return delta < 0 ? validate::duration_text(delta) + " ago" : "in " + validate::duration_text(delta);
}

void print_members(std::ostream& out, const rapidjson::Value& obj, double now) {
    for (const auto& m : obj.GetObject()) {
        const std::string_view name(m.name.GetString(), m.name.GetStringLength());
        out << "  " << name << std::string(name.size() < 10 ? 10 - name.size() : 1, ' ') << jose::to_json(m.value);
        if (is_time_claim(name) && m.value.IsNumber() && m.value.GetDouble() < 1e11)
            out << "  " << validate::utc_text(m.value.GetDouble()) << " (" << relative(m.value.GetDouble(), now) << ")";
        out << "\n";
    }
}

std::string json_string(std::string_view s) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    return sb.GetString();
}

// Header/claims of a token refused before it was fully parsed: members when the segment
// is a JSON object, else the decoded text, escaped.
void print_partial(std::ostream& out, const char* title, const std::string& text, double now) {
    const jose::json_parse p = jose::parse_json_object(text, 64);
    if (p.error == jose::json_error::none) {
        out << title << "\n";
        print_members(out, p.doc, now);
    } else {
        out << title << " (not JSON)  " << json_string(text) << "\n";
    }
}

std::string verdict(const validate::decision& d) {
    if (!d.accepted()) return "rejected";
    return d.signature_checked ? "accepted" : "unverified";
}


// A segment that decoded to a JSON object is written as that object (the parser already
// vetted it), so consumers see one type; anything else is null.
template <class Writer>
void write_partial(Writer& w, const std::optional<std::string>& text) {
    if (!text) {
        w.Null();
        return;
    }
    const jose::json_parse p = jose::parse_json_object(*text, 64);
    if (p.error == jose::json_error::none) p.doc.Accept(w);
    else w.Null();
}

}  // namespace

void print_human(std::ostream& out, const validate::decision& d, const explain_policy& policy,
                 const jose::compact_parse* partial) {
    const double now = static_cast<double>(d.ev.now);
    out << "token fingerprint  " << d.ev.token_fp << "  (the token itself is never printed)\n";
    out << "evaluated at       " << validate::utc_text(now) << "\n";
    if (d.token) {
        out << "header\n";
        print_members(out, d.token->header, now);
        out << "claims\n";
        print_members(out, d.token->payload, now);
    } else if (partial != nullptr && partial->header_text) {
        print_partial(out, "header", *partial->header_text, now);
        if (partial->payload_text) print_partial(out, "claims", *partial->payload_text, now);
    }
    if (d.signature_checked) out << "signature          verified\n";
    else if (!policy.have_key)
        out << "signature          NOT CHECKED: no key given (use --jwks, --secret-file or --secret-env)\n";
    else out << "signature          not verified\n";
    for (const auto& n : policy.notes) out << "note               " << n << "\n";
    if (d.accepted()) {
        out << "verdict            " << (d.signature_checked ? "ACCEPTED" : "NOT VERIFIED (claims checks passed)") << "\n";
        return;
    }
    out << "verdict            REJECTED\n";
    out << "reason             " << to_string(d.rejected->code) << "\n";
    if (!d.rejected->hint.empty()) out << "hint               " << d.rejected->hint << "\n";
}

void print_json(std::ostream& out, const validate::decision& d, const explain_policy& policy,
                const jose::compact_parse* partial) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.StartObject();
    w.Key("verdict");
    w.String(verdict(d).c_str());
    w.Key("reason");
    if (d.rejected) w.String(std::string(to_string(d.rejected->code)).c_str());
    else w.Null();
    w.Key("hint");
    if (d.rejected && !d.rejected->hint.empty()) w.String(d.rejected->hint.c_str());
    else w.Null();
    w.Key("signature_checked");
    w.Bool(d.signature_checked);
    w.Key("provider");
    w.String(d.ev.provider.c_str());
    w.Key("token_fp");
    w.String(d.ev.token_fp.c_str());
    w.Key("now");
    w.Int64(d.ev.now);
    w.Key("header");
    if (d.token) d.token->header.Accept(w);
    else write_partial(w, partial != nullptr ? partial->header_text : std::nullopt);
    w.Key("claims");
    if (d.token) d.token->payload.Accept(w);
    else write_partial(w, partial != nullptr ? partial->payload_text : std::nullopt);
    w.Key("notes");
    w.StartArray();
    for (const auto& n : policy.notes) w.String(n.c_str());
    w.EndArray();
    w.EndObject();
    out << sb.GetString() << "\n";
}

}  // namespace tokengate::cli
