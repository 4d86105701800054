#include "tokengate/jose/json.hpp"

#include "tokengate/validate/duration_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tokengate::jose {
namespace {

using namespace std::string_literals;

// Regression (fuzz_json): a raw NUL byte must not end the document and hide what follows.
TEST(JsonRegressionTest, RawNulByteRefused) {
    const json_parse p = parse_json_object("{}\0x"s, 16);
    EXPECT_EQ(p.error, json_error::syntax);
    EXPECT_EQ(p.offset, 2u);
    EXPECT_EQ(parse_json_object("{\"a\":\"b\0c\"}"s, 16).error, json_error::syntax);
}

// Regression (fuzz_json): a lone surrogate escape would decode to invalid UTF-8.
TEST(JsonRegressionTest, LoneSurrogateEscapeRefused) {
    EXPECT_EQ(parse_json_object(R"({"a":"\udc00"})", 16).error, json_error::bad_utf8);
    // A lone high surrogate is caught by RapidJSON itself, as a syntax error.
    EXPECT_NE(parse_json_object(R"({"\ud800":1})", 16).error, json_error::none);
    // A proper surrogate pair is fine.
    EXPECT_EQ(parse_json_object(R"({"a":"\ud83d\ude00"})", 16).error, json_error::none);
}

// Regression (fuzz review): absurd durations must not overflow into nonsense text.
TEST(JsonRegressionTest, AbsurdDurationText) {
    EXPECT_EQ(validate::duration_text(1e300), "an absurd time");
    EXPECT_EQ(validate::duration_text(-1e19), "an absurd time");
    EXPECT_EQ(validate::duration_text(192), "3m12s");
}

}  // namespace
}  // namespace tokengate::jose
