#include "tokengate/config/load.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tokengate::config {
namespace {

// A valid one-provider config with `log` as its "log" member.
std::string with_log(const std::string& log) {
    return R"({"providers": [{"name": "main", "issuer": "https://idp.example.com/", "audiences": ["api"],
               "algorithms": ["RS256"], "jwks_url": "https://idp.example.com/jwks.json"}], "log": )" +
           log + "}";
}

std::string all_findings(const load_result& r) {
    std::string out;
    for (const auto& d : r.errors) out += "error: " + to_string(d) + "\n";
    for (const auto& d : r.warnings) out += "warning: " + to_string(d) + "\n";
    return out;
}

TEST(LogSectionTest, DefaultsArePlainSubAndNoAccessLog) {
    // Verifies: without "log", lines are JSON, sub is written as is, and there is no access log.
    const load_result r = parse_config(with_log("{}"));

    ASSERT_TRUE(r.cfg.has_value()) << all_findings(r);
    EXPECT_EQ(r.cfg->logging.format, "json");
    EXPECT_EQ(r.cfg->logging.sub, log_config::sub_mode::plain);
    EXPECT_FALSE(r.cfg->logging.access_log);
    EXPECT_EQ(r.cfg->logging.access_log_sample, 1.0);
    EXPECT_TRUE(r.warnings.empty()) << all_findings(r);
}

TEST(LogSectionTest, EveryKeyIsRead) {
    // Verifies: format, sub, access_log and access_log_sample are all read.
    const load_result r =
        parse_config(with_log(R"({"format": "text", "sub": "hash", "access_log": true, "access_log_sample": 0.25})"));

    ASSERT_TRUE(r.cfg.has_value()) << all_findings(r);
    EXPECT_EQ(r.cfg->logging.format, "text");
    EXPECT_EQ(r.cfg->logging.sub, log_config::sub_mode::hash);
    EXPECT_TRUE(r.cfg->logging.access_log);
    EXPECT_EQ(r.cfg->logging.access_log_sample, 0.25);
}

TEST(LogSectionTest, SubOmitAndIntegerSampleAccepted) {
    // Verifies: "omit" is a sub policy and a sample of 0 or 1 may be written as an integer.
    const load_result omit = parse_config(with_log(R"({"sub": "omit", "access_log": true, "access_log_sample": 0})"));
    const load_result all = parse_config(with_log(R"({"access_log": true, "access_log_sample": 1})"));

    ASSERT_TRUE(omit.cfg.has_value()) << all_findings(omit);
    EXPECT_EQ(omit.cfg->logging.sub, log_config::sub_mode::omit);
    EXPECT_EQ(omit.cfg->logging.access_log_sample, 0.0);
    ASSERT_TRUE(all.cfg.has_value()) << all_findings(all);
    EXPECT_EQ(all.cfg->logging.access_log_sample, 1.0);
}

TEST(LogSectionTest, BadValuesAreErrorsWithThePath) {
    // Verifies: an unknown sub policy, a non-boolean access_log and a sample outside 0–1 are each an error at their path.
    const load_result r =
        parse_config(with_log(R"({"sub": "hashed", "access_log": "yes", "access_log_sample": 1.5, "format": "xml"})"));

    EXPECT_FALSE(r.cfg.has_value());
    ASSERT_EQ(r.errors.size(), 4U) << all_findings(r);
    EXPECT_EQ(r.errors[0].path, "$.log.sub");
    EXPECT_EQ(r.errors[0].message, R"("hashed" is not one of "plain", "hash", "omit" (did you mean "hash"?))");
    EXPECT_EQ(r.errors[1].path, "$.log.access_log");
    EXPECT_EQ(r.errors[1].message, "expected true or false, got a string");
    EXPECT_EQ(r.errors[2].path, "$.log.access_log_sample");
    EXPECT_EQ(r.errors[2].message, "must be a number from 0 to 1, got 1.5");
    EXPECT_EQ(r.errors[3].path, "$.log.format");
}

TEST(LogSectionTest, NegativeOrStringSampleRefused) {
    // Verifies: a negative sample and a sample written as a string are refused, not clamped or parsed.
    const load_result negative = parse_config(with_log(R"({"access_log": true, "access_log_sample": -0.1})"));
    const load_result text = parse_config(with_log(R"({"access_log": true, "access_log_sample": "0.5"})"));

    ASSERT_EQ(negative.errors.size(), 1U) << all_findings(negative);
    EXPECT_EQ(negative.errors[0].message, "must be a number from 0 to 1, got -0.1");
    ASSERT_EQ(text.errors.size(), 1U) << all_findings(text);
    EXPECT_EQ(text.errors[0].message, "expected a number, got a string");
}

TEST(LogSectionTest, UnknownKeyIsAnErrorWithSuggestion) {
    // Verifies: a misspelt log key is refused like any other typo, with the nearest key suggested.
    const load_result r = parse_config(with_log(R"({"acces_log": true})"));

    ASSERT_EQ(r.errors.size(), 1U) << all_findings(r);
    EXPECT_EQ(r.errors[0].path, "$.log.acces_log");
    EXPECT_EQ(r.errors[0].message, R"(unknown key "acces_log" (did you mean "access_log"?))");
}

TEST(LogSectionTest, SampleWithoutAccessLogWarns) {
    // Verifies: a sample rate while the access log is off is accepted with a warning that it does nothing.
    const load_result r = parse_config(with_log(R"({"access_log_sample": 0.5})"));

    ASSERT_TRUE(r.cfg.has_value()) << all_findings(r);
    ASSERT_EQ(r.warnings.size(), 1U) << all_findings(r);
    EXPECT_EQ(r.warnings[0].path, "$.log.access_log_sample");
    EXPECT_EQ(r.warnings[0].message, R"(has no effect while "access_log" is not true)");
}

}  // namespace
}  // namespace tokengate::config
