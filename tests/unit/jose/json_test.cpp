#include "tokengate/jose/json.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace tokengate::jose {
namespace {

using namespace std::string_view_literals;

constexpr int depth_limit = 16;

// `depth` containers in total: the top-level object holding `depth - 1` nested arrays.
std::string nested_arrays(int depth) {
    const auto inner = static_cast<std::size_t>(depth - 1);
    return R"({"a":)" + std::string(inner, '[') + std::string(inner, ']') + "}";
}

// `depth` objects in total, each holding the next under "a".
std::string nested_objects(int depth) {
    std::string text;
    for (int i = 0; i < depth - 1; ++i) text += R"({"a":)";
    text += "{}";
    text += std::string(static_cast<std::size_t>(depth - 1), '}');
    return text;
}

// A flat object with members of every JSON type parses into the document.
TEST(JsonTest, ObjectParsesWithEveryMemberType) {
    // Act
    const json_parse p = parse_json_object(
        R"({"s":"text","n":42,"f":1.5,"t":true,"z":null,"a":["x","y"],"o":{"k":1}})", depth_limit);

    // Check
    ASSERT_EQ(p.error, json_error::none) << p.detail;
    EXPECT_TRUE(p.detail.empty());
    ASSERT_TRUE(p.doc.IsObject());
    EXPECT_EQ(p.doc.MemberCount(), 7u);
    EXPECT_STREQ(p.doc["s"].GetString(), "text");
    EXPECT_EQ(p.doc["n"].GetInt(), 42);
    EXPECT_TRUE(p.doc["o"].IsObject());
}

// The empty object and surrounding JSON whitespace are fine.
TEST(JsonTest, EmptyObjectWithWhitespaceParses) {
    const json_parse p = parse_json_object(" \t\r\n{ }\n", depth_limit);
    EXPECT_EQ(p.error, json_error::none) << p.detail;
    EXPECT_TRUE(p.doc.IsObject());
}

// A repeated top-level name is refused, and the detail names it.
TEST(JsonTest, DuplicateTopLevelNameRefusedWithName) {
    const json_parse p = parse_json_object(R"({"alg":"RS256","kid":"a","alg":"none"})", depth_limit);
    EXPECT_EQ(p.error, json_error::duplicate_name);
    EXPECT_EQ(p.detail, "alg");
}

// A repeated name inside an object inside an array is found too.
TEST(JsonTest, DuplicateNameInObjectInsideArrayRefusedWithName) {
    const json_parse p =
        parse_json_object(R"({"keys":[{"kty":"RSA"},{"kid":"x","use":"sig","kid":"y"}]})", depth_limit);
    EXPECT_EQ(p.error, json_error::duplicate_name);
    EXPECT_EQ(p.detail, "kid");
}

// The same name in sibling objects is not a duplicate.
TEST(JsonTest, SameNameInSiblingObjectsAccepted) {
    const json_parse p = parse_json_object(R"({"a":{"kid":1},"b":{"kid":2},"kid":3})", depth_limit);
    EXPECT_EQ(p.error, json_error::none) << p.detail;
}

// Names that differ only after an embedded NUL are distinct (compared by length, not C string).
TEST(JsonTest, NamesDifferingAfterNulAreDistinct) {
    const json_parse p = parse_json_object(R"({"a\u0000b":1,"a\u0000c":2})", depth_limit);
    EXPECT_EQ(p.error, json_error::none) << p.detail;
}

// Arrays nested exactly to the limit parse; one more level is refused as too_deep.
TEST(JsonTest, ArrayDepthAtLimitAcceptedAndBeyondRefused) {
    const json_parse at_limit = parse_json_object(nested_arrays(depth_limit), depth_limit);
    const json_parse beyond = parse_json_object(nested_arrays(depth_limit + 1), depth_limit);

    EXPECT_EQ(at_limit.error, json_error::none) << at_limit.detail;
    EXPECT_EQ(beyond.error, json_error::too_deep);
    EXPECT_EQ(beyond.detail, "nesting deeper than 16");
}

// Objects nested exactly to the limit parse; one more level is refused as too_deep.
TEST(JsonTest, ObjectDepthAtLimitAcceptedAndBeyondRefused) {
    const json_parse at_limit = parse_json_object(nested_objects(depth_limit), depth_limit);
    const json_parse beyond = parse_json_object(nested_objects(depth_limit + 1), depth_limit);

    EXPECT_EQ(at_limit.error, json_error::none) << at_limit.detail;
    EXPECT_EQ(beyond.error, json_error::too_deep);
    EXPECT_EQ(beyond.detail, "nesting deeper than 16");
}

// 100000 open brackets stop the parse at the first level past the bound: no stack overflow,
// and the work done is bounded by the limit, not by the input.
TEST(JsonTest, HundredThousandDeepNestingRefusedEarly) {
    // Setup
    const std::string arrays = R"({"a":)" + std::string(100000, '[');
    std::string objects;
    for (int i = 0; i < 100000; ++i) objects += R"({"a":)";

    // Act
    const json_parse a = parse_json_object(arrays, depth_limit);
    const json_parse o = parse_json_object(objects, depth_limit);

    // Check: the offset shows where parsing stopped, a few bytes past the 17th container.
    EXPECT_EQ(a.error, json_error::too_deep);
    EXPECT_LE(a.offset, 32u);
    EXPECT_EQ(o.error, json_error::too_deep);
    EXPECT_LE(o.offset, 17u * 5u + 1u);
}

// Raw invalid UTF-8 in a string value is bad_utf8 at the offending byte.
TEST(JsonTest, InvalidUtf8InValueRefusedAtByte) {
    const json_parse p = parse_json_object("{\"a\":\"abcd\xff\"}", depth_limit);
    EXPECT_EQ(p.error, json_error::bad_utf8);
    EXPECT_EQ(p.offset, 10u);
    EXPECT_EQ(p.detail, "invalid UTF-8");
}

// Invalid UTF-8 in a member name is refused as well.
TEST(JsonTest, InvalidUtf8InNameRefused) {
    const json_parse p = parse_json_object("{\"ok\":1,\"b\x80\":1}", depth_limit);
    EXPECT_EQ(p.error, json_error::bad_utf8);
    EXPECT_EQ(p.offset, 10u);
}

// Overlong forms, raw UTF-16 surrogates, code points past U+10FFFF and cut sequences are all
// bad_utf8: each could smuggle a character past a byte-wise comparison.
TEST(JsonTest, OverlongSurrogateAndOutOfRangeSequencesRefused) {
    const std::vector<std::string> bad = {
        "\xc0\xaf",          // '/' as a 2-byte overlong
        "\xc1\xbf",          // 2-byte overlong of U+007F
        "\xe0\x80\xaf",      // '/' as a 3-byte overlong
        "\xf0\x80\x80\xaf",  // '/' as a 4-byte overlong
        "\xed\xa0\x80",      // U+D800 encoded directly (CESU-8)
        "\xed\xbf\xbf",      // U+DFFF encoded directly
        "\xf4\x90\x80\x80",  // U+110000
        "\xf8\x88\x80\x80\x80",  // 5-byte form
        "\xc3",              // lead byte without its continuation
        "\x80",              // lone continuation byte
    };
    for (const std::string& seq : bad) {
        const json_parse p = parse_json_object("{\"a\":\"" + seq + "\"}", depth_limit);
        EXPECT_EQ(p.error, json_error::bad_utf8) << testing::PrintToString(seq);
        EXPECT_EQ(p.offset, 6u) << testing::PrintToString(seq);
    }
}

// Valid multi-byte UTF-8 and an escaped surrogate pair are accepted.
TEST(JsonTest, ValidUtf8AndEscapedSurrogatePairAccepted) {
    const json_parse raw = parse_json_object("{\"name\":\"J\xc3\xa9r\xc3\xb4me \xf0\x9f\x98\x80\"}", depth_limit);
    const json_parse escaped = parse_json_object(R"({"e":"\ud83d\ude00"})", depth_limit);

    EXPECT_EQ(raw.error, json_error::none) << raw.detail;
    ASSERT_EQ(escaped.error, json_error::none) << escaped.detail;
    EXPECT_STREQ(escaped.doc["e"].GetString(), "\xf0\x9f\x98\x80");
}

// An escaped lone high surrogate is refused. RapidJSON reports it as a syntax error (its
// "surrogate pair" message), not as bad_utf8, because the bytes themselves are ASCII.
TEST(JsonTest, EscapedLoneHighSurrogateRefused) {
    for (const char* text : {R"({"a":"\ud800"})", R"({"a":"\ud800x"})", R"({"a":"\udbff\u0041"})"}) {
        const json_parse p = parse_json_object(text, depth_limit);
        EXPECT_EQ(p.error, json_error::syntax) << text;
        EXPECT_EQ(p.offset, 6u) << text;
        EXPECT_NE(p.detail.find("surrogate"), std::string::npos) << p.detail;
    }
}

// An escaped lone low surrogate must be refused like the high one. RapidJSON 1.1 accepts it
// and stores the bytes ED B0 80 (not UTF-8), so this fails against src/jose/json.cpp today;
// enable it once the parser validates escaped code points (see the test report).
TEST(JsonTest, EscapedLoneLowSurrogateRefused) {
    for (const char* text : {R"({"a":"\udc00"})", R"({"a":"x\udfff"})", R"({"\udc00":1})"}) {
        const json_parse p = parse_json_object(text, depth_limit);
        EXPECT_NE(p.error, json_error::none) << text << " was accepted";
    }
}

// Text that ends before the object does is truncated, whatever was open.
TEST(JsonTest, CutShortTextRefusedAsTruncated) {
    for (std::string_view text : {R"({"a":1)"sv, R"({"a":"b)"sv, "{"sv, R"({"a":)"sv, R"({"a":[1,)"sv, ""sv}) {
        const json_parse p = parse_json_object(text, depth_limit);
        EXPECT_EQ(p.error, json_error::truncated) << text;
        EXPECT_EQ(p.offset, text.size()) << text;
        EXPECT_EQ(p.detail, "ends mid-way") << text;
    }
}

// Anything after the object is a syntax error, reported where the garbage starts.
TEST(JsonTest, TrailingGarbageRefusedAsSyntax) {
    const json_parse spaced = parse_json_object(R"({"a":1} x)", depth_limit);
    const json_parse second = parse_json_object(R"({"a":1}{})", depth_limit);

    EXPECT_EQ(spaced.error, json_error::syntax);
    EXPECT_EQ(spaced.offset, 8u);
    EXPECT_NE(spaced.detail.find("must not be followed by other values"), std::string::npos) << spaced.detail;
    EXPECT_EQ(second.error, json_error::syntax);
    EXPECT_EQ(second.offset, 7u);
}

// A syntax error carries RapidJSON's message and its offset.
TEST(JsonTest, SyntaxErrorCarriesMessageAndOffset) {
    const json_parse p = parse_json_object(R"({"alg":"HS256",})", depth_limit);
    EXPECT_EQ(p.error, json_error::syntax);
    EXPECT_EQ(p.offset, 15u);
    EXPECT_EQ(p.detail, "Missing a name for object member.");
}

// A JSON value that is not an object is not_object, and the detail names its type.
TEST(JsonTest, NonObjectTopLevelRefusedWithType) {
    const json_parse arr = parse_json_object("[1,2]", depth_limit);
    const json_parse str = parse_json_object(R"("eyJ")", depth_limit);
    const json_parse num = parse_json_object("42", depth_limit);
    const json_parse nul = parse_json_object("null", depth_limit);

    EXPECT_EQ(arr.error, json_error::not_object);
    EXPECT_EQ(arr.detail, "top level is an array");
    EXPECT_EQ(str.error, json_error::not_object);
    EXPECT_EQ(str.detail, "top level is a string");
    EXPECT_EQ(num.error, json_error::not_object);
    EXPECT_EQ(num.detail, "top level is a number");
    EXPECT_EQ(nul.error, json_error::not_object);
    EXPECT_EQ(nul.detail, "top level is null");
}

// get_string, get_number and get_bool report found / missing / wrong_type.
TEST(JsonTest, TypedGettersReportFoundMissingWrongType) {
    // Setup
    const json_parse p = parse_json_object(R"({"s":"v","n":1.25,"i":7,"b":false})", depth_limit);
    ASSERT_EQ(p.error, json_error::none);
    std::string_view s;
    double n = 0;
    bool b = true;

    // Act / Check
    EXPECT_EQ(get_string(p.doc, "s", s), field::found);
    EXPECT_EQ(s, "v");
    EXPECT_EQ(get_string(p.doc, "absent", s), field::missing);
    EXPECT_EQ(get_string(p.doc, "n", s), field::wrong_type);

    EXPECT_EQ(get_number(p.doc, "n", n), field::found);
    EXPECT_DOUBLE_EQ(n, 1.25);
    EXPECT_EQ(get_number(p.doc, "i", n), field::found);
    EXPECT_DOUBLE_EQ(n, 7.0);
    EXPECT_EQ(get_number(p.doc, "absent", n), field::missing);
    EXPECT_EQ(get_number(p.doc, "s", n), field::wrong_type);

    EXPECT_EQ(get_bool(p.doc, "b", b), field::found);
    EXPECT_FALSE(b);
    EXPECT_EQ(get_bool(p.doc, "absent", b), field::missing);
    EXPECT_EQ(get_bool(p.doc, "i", b), field::wrong_type);
}

// get_string_or_array takes a string or an array of strings; a mixed array is wrong_type.
TEST(JsonTest, StringOrArrayAcceptsBothFormsAndRefusesMixedArray) {
    // Setup
    const json_parse p = parse_json_object(
        R"({"one":"api","many":["api","web"],"none":[],"mixed":["api",1],"num":5})", depth_limit);
    ASSERT_EQ(p.error, json_error::none);
    std::vector<std::string> out;

    // Act / Check
    EXPECT_EQ(get_string_or_array(p.doc, "one", out), field::found);
    EXPECT_EQ(out, std::vector<std::string>{"api"});
    EXPECT_EQ(get_string_or_array(p.doc, "many", out), field::found);
    EXPECT_EQ(out, (std::vector<std::string>{"api", "web"}));
    EXPECT_EQ(get_string_or_array(p.doc, "none", out), field::found);
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(get_string_or_array(p.doc, "mixed", out), field::wrong_type);
    EXPECT_EQ(get_string_or_array(p.doc, "num", out), field::wrong_type);
    EXPECT_EQ(get_string_or_array(p.doc, "absent", out), field::missing);
}

// find_member compares whole names (embedded NUL included) and is null on non-objects.
TEST(JsonTest, FindMemberMatchesExactNameOnly) {
    const json_parse p = parse_json_object(R"({"a\u0000b":1,"ab":2})", depth_limit);
    ASSERT_EQ(p.error, json_error::none);

    const rapidjson::Value* nul_name = find_member(p.doc, "a\0b"sv);
    ASSERT_NE(nul_name, nullptr);
    EXPECT_EQ(nul_name->GetInt(), 1);
    EXPECT_EQ(find_member(p.doc, "a"), nullptr);
    EXPECT_EQ(find_member(p.doc["ab"], "ab"), nullptr);
}

// type_name gives the article-prefixed words hints use; to_json writes compact JSON.
TEST(JsonTest, TypeNamesAndCompactSerialisation) {
    const json_parse p = parse_json_object(R"({ "b" : true , "a" : [ 1 , "x" ] })", depth_limit);
    ASSERT_EQ(p.error, json_error::none);

    EXPECT_EQ(type_name(p.doc["b"]), "a boolean");
    EXPECT_EQ(type_name(p.doc["a"]), "an array");
    EXPECT_EQ(type_name(p.doc), "an object");
    EXPECT_EQ(to_json(p.doc), R"({"b":true,"a":[1,"x"]})");
}

}  // namespace
}  // namespace tokengate::jose
