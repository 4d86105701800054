#include "tokengate/metrics/exposition.hpp"

#include <array>
#include <charconv>
#include <cmath>

namespace tokengate::metrics {

std::string_view to_string(metric_type t) noexcept {
    switch (t) {
    case metric_type::counter: return "counter";
    case metric_type::gauge: return "gauge";
    case metric_type::histogram: return "histogram";
    }
    return "untyped";  // unreachable for valid enumerators; keeps -Wreturn-type quiet
}

std::string escape_label_value(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (const char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string escape_help(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (const char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string format_value(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    std::array<char, 64> buf{};
    // Whole numbers below 2^53 are exact as integers: "42", not "42.0" or "4.2e+01".
    if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {
        const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), static_cast<std::int64_t>(v));
        return std::string(buf.data(), r.ptr);
    }
    // Fixed notation where it stays short ("0.0001" rather than the equally exact "1e-04"),
    // as bucket bounds read best; the shortest exact digits either way.
    const double mag = std::fabs(v);
    const auto fmt = mag >= 1e-6 && mag < 1e15 ? std::chars_format::fixed : std::chars_format::general;
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v, fmt);
    return std::string(buf.data(), r.ptr);
}

void text_writer::family(std::string_view name, metric_type type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += escape_help(help);
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += to_string(type);
    out_ += '\n';
}

void text_writer::series(std::string_view name, std::string_view suffix, std::span<const label> labels,
                         const label* extra) {
    out_ += name;
    out_ += suffix;
    if (labels.empty() && extra == nullptr) {
        out_ += ' ';
        return;
    }
    out_ += '{';
    bool first = true;
    const auto put = [&](const label& l) {
        if (!first) out_ += ',';
        first = false;
        out_ += l.name;
        out_ += "=\"";
        out_ += escape_label_value(l.value);
        out_ += '"';
    };
    for (const auto& l : labels) put(l);
    if (extra != nullptr) put(*extra);
    out_ += "} ";
}

void text_writer::sample(std::string_view name, std::span<const label> labels, double value) {
    series(name, {}, labels, nullptr);
    out_ += format_value(value);
    out_ += '\n';
}

void text_writer::sample(std::string_view name, std::span<const label> labels, std::uint64_t value) {
    series(name, {}, labels, nullptr);
    out_ += std::to_string(value);
    out_ += '\n';
}

void text_writer::histogram(std::string_view name, std::span<const label> labels, std::span<const double> bounds,
                            std::span<const std::uint64_t> cumulative, double sum) {
    for (std::size_t i = 0; i <= bounds.size() && i < cumulative.size(); ++i) {
        const std::string le = i < bounds.size() ? format_value(bounds[i]) : "+Inf";
        const label bucket{"le", le};
        series(name, "_bucket", labels, &bucket);
        out_ += std::to_string(cumulative[i]);
        out_ += '\n';
    }
    series(name, "_sum", labels, nullptr);
    out_ += format_value(sum);
    out_ += '\n';
    series(name, "_count", labels, nullptr);
    out_ += std::to_string(cumulative.empty() ? 0 : cumulative.back());
    out_ += '\n';
}

}  // namespace tokengate::metrics
