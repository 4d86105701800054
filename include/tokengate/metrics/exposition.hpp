#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace tokengate::metrics {

/** The metric types tokengate exposes (Prometheus text format 0.0.4 `# TYPE`). */
enum class metric_type { counter, gauge, histogram };

/** "counter", "gauge", "histogram". */
std::string_view to_string(metric_type t) noexcept;

/** One label of a sample; the value is escaped when written. */
struct label {
    std::string_view name;
    std::string_view value;
};

/** Writes the Prometheus text exposition format, version 0.0.4: `# HELP` and `# TYPE`
 *  once per family, then its samples, label values escaped, no timestamps. Names are the
 *  caller's (tokengate's declared list), so they are not checked here. */
class text_writer {
public:
    /** Starts a family: `# HELP name help` (escaped) and `# TYPE name type`. */
    void family(std::string_view name, metric_type type, std::string_view help);

    void sample(std::string_view name, double value) { sample(name, std::span<const label>(), value); }
    void sample(std::string_view name, std::uint64_t value) { sample(name, std::span<const label>(), value); }
    void sample(std::string_view name, std::span<const label> labels, double value);
    void sample(std::string_view name, std::span<const label> labels, std::uint64_t value);
    void sample(std::string_view name, std::initializer_list<label> labels, double value) {
        sample(name, std::span<const label>(labels.begin(), labels.size()), value);
    }
    void sample(std::string_view name, std::initializer_list<label> labels, std::uint64_t value) {
        sample(name, std::span<const label>(labels.begin(), labels.size()), value);
    }

    /** A histogram's series: `name_bucket{…,le="b"}` for every bound and `le="+Inf"`,
     *  then `name_sum` and `name_count`. `cumulative` holds bounds.size() + 1 counts, each
     *  including the buckets below it; the last one is the total count. */
    void histogram(std::string_view name, std::span<const label> labels, std::span<const double> bounds,
                   std::span<const std::uint64_t> cumulative, double sum);

    const std::string& text() const noexcept { return out_; }

private:
    void series(std::string_view name, std::string_view suffix, std::span<const label> labels,
                const label* extra);

    std::string out_;
};

/** A label value escaped for the text format: backslash, double quote and line feed. */
std::string escape_label_value(std::string_view v);

/** A HELP text escaped for the text format: backslash and line feed. */
std::string escape_help(std::string_view v);

/** A sample value as the text format spells it: integers without exponent or fraction,
 *  other finite values in the shortest form that reads back exactly, and "+Inf", "-Inf",
 *  "NaN". */
std::string format_value(double v);

}  // namespace tokengate::metrics
