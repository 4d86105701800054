#include "tokengate/metrics/exposition.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace tokengate::metrics {
namespace {

TEST(ExpositionTest, LabelValueEscapesBackslashQuoteAndLineFeed) {
    // Verifies the three escapes of text format 0.0.4 label values, and nothing else escaped.
    EXPECT_EQ(escape_label_value(R"(a\b"c)" "\n" "d\te/é"), R"(a\\b\"c\nd)" "\te/é");
}

TEST(ExpositionTest, HelpEscapesBackslashAndLineFeedButNotQuotes) {
    // Verifies HELP text escaping: quotes stay as written there.
    EXPECT_EQ(escape_help("say \"hi\" \\ bye\nnext"), R"(say "hi" \\ bye\nnext)");
}

TEST(ExpositionTest, ValuesSpelledAsTheTextFormatExpects) {
    // Verifies integers without exponent or fraction, short fixed fractions, and the
    // special values +Inf, -Inf and NaN.
    EXPECT_EQ(format_value(0), "0");
    EXPECT_EQ(format_value(42), "42");
    EXPECT_EQ(format_value(-3), "-3");
    EXPECT_EQ(format_value(1e15), "1000000000000000");
    EXPECT_EQ(format_value(0.25), "0.25");
    EXPECT_EQ(format_value(0.00001), "0.00001");
    EXPECT_EQ(format_value(0.000025), "0.000025");
    EXPECT_EQ(format_value(2.5), "2.5");
    EXPECT_EQ(format_value(1e-9), "1e-09");
    EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
    EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
    EXPECT_EQ(format_value(std::nan("")), "NaN");
    EXPECT_EQ(std::stod(format_value(0.1 + 0.2)), 0.1 + 0.2) << "round trip";
}

TEST(ExpositionTest, FamilyWritesHelpThenType) {
    // Verifies the two comment lines of a family, HELP escaped.
    text_writer w;

    w.family("tokengate_x_total", metric_type::counter, "line one\nline two");

    EXPECT_EQ(w.text(), "# HELP tokengate_x_total line one\\nline two\n# TYPE tokengate_x_total counter\n");
}

TEST(ExpositionTest, SamplesWithAndWithoutLabels) {
    // Verifies sample lines: labels in the given order with escaped values, none → no braces.
    text_writer w;

    w.sample("a_total", std::uint64_t{7});
    w.sample("b", {{"provider", "x\"y"}, {"route", ""}}, 1.5);

    EXPECT_EQ(w.text(), "a_total 7\nb{provider=\"x\\\"y\",route=\"\"} 1.5\n");
}

TEST(ExpositionTest, HistogramWritesCumulativeBucketsInfSumAndCount) {
    // Verifies the histogram series: a _bucket per bound with le appended after the
    // labels, le="+Inf" equal to the count, then _sum and _count.
    text_writer w;
    const std::array<double, 2> bounds = {0.5, 1};
    const std::array<std::uint64_t, 3> cumulative = {1, 3, 4};
    const std::array<label, 1> labels = {label{"route", "/a"}};

    w.histogram("h_seconds", labels, bounds, cumulative, 3.25);

    EXPECT_EQ(w.text(),
              "h_seconds_bucket{route=\"/a\",le=\"0.5\"} 1\n"
              "h_seconds_bucket{route=\"/a\",le=\"1\"} 3\n"
              "h_seconds_bucket{route=\"/a\",le=\"+Inf\"} 4\n"
              "h_seconds_sum{route=\"/a\"} 3.25\n"
              "h_seconds_count{route=\"/a\"} 4\n");
}

TEST(ExpositionTest, TypeNames) {
    // Verifies the TYPE keywords.
    EXPECT_EQ(to_string(metric_type::counter), "counter");
    EXPECT_EQ(to_string(metric_type::gauge), "gauge");
    EXPECT_EQ(to_string(metric_type::histogram), "histogram");
}

}  // namespace
}  // namespace tokengate::metrics
