#include "tokengate/log/line.hpp"

#include "tokengate/crypto/digest.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tokengate::log {
namespace {

using sub_mode = config::log_config::sub_mode;
using std::chrono::milliseconds;
using std::chrono::system_clock;

// 2026-05-01T12:00:00.250Z
const system_clock::time_point at = system_clock::time_point(milliseconds(1777636800250));

validate::evidence sample_evidence() {
    validate::evidence ev;
    ev.provider = "rsa";
    ev.alg = "RS256";
    ev.kid = "k1";
    ev.iss = "https://issuer.test/";
    ev.sub = "user-42";
    ev.aud = {"api", "other"};
    ev.exp = 1777636700;
    ev.iat = 1777636000.5;
    ev.now = 1;  // stale (a cached decision): the line takes the time it is given instead
    ev.leeway_s = 30;
    ev.token_fp = "0123456789ab";
    return ev;
}

TEST(LineTest, TimestampIsUtcWithMilliseconds) {
    // Verifies: ts is ISO 8601 UTC with exactly three fraction digits, also for whole seconds and before 1970.
    EXPECT_EQ(timestamp(at), "2026-05-01T12:00:00.250Z");
    EXPECT_EQ(timestamp(system_clock::time_point(milliseconds(1777636800000))), "2026-05-01T12:00:00.000Z");
    EXPECT_EQ(timestamp(system_clock::time_point(milliseconds(-1))), "1969-12-31T23:59:59.999Z");
}

TEST(LineTest, RejectLineHasTheStableFieldNamesInOrder) {
    // Verifies: context, reason, hint and evidence come out under the SPEC §8 names, now from the caller, sub plain.
    json_line line(at, "info", "auth.reject");
    line.context({"req-1", "GET", "/api/orders", "10.0.0.7"}).integer("status", 401).str("reason", "expired");
    line.str("hint", "expired 3m12s ago").evidence(sample_evidence(), sub_mode::plain, 1777636800);

    EXPECT_EQ(line.finish(),
              R"({"ts":"2026-05-01T12:00:00.250Z","level":"info","event":"auth.reject","request_id":"req-1",)"
              R"("method":"GET","path":"/api/orders","client":"10.0.0.7","status":401,"reason":"expired",)"
              R"("hint":"expired 3m12s ago","provider":"rsa","alg":"RS256","kid":"k1","iss":"https://issuer.test/",)"
              R"("aud":["api","other"],"sub":"user-42","exp":1777636700,"iat":1777636000.5,"now":1777636800,)"
              R"("leeway_s":30,"token_fp":"0123456789ab"})");
}

TEST(LineTest, SubHashedIsFirst16HexOfSha256) {
    // Verifies: sub "hash" writes the first 16 hex digits of SHA-256(sub), never the value.
    json_line line(at, "info", "auth.accept");
    line.evidence(sample_evidence(), sub_mode::hash, 0);
    const std::string text = line.finish();

    const std::string expected = crypto::to_hex(crypto::sha256("user-42")).substr(0, 16);
    EXPECT_NE(text.find(R"("sub":")" + expected + "\""), std::string::npos) << text;
    EXPECT_EQ(text.find("user-42"), std::string::npos) << text;
    EXPECT_EQ(sub_field("user-42", sub_mode::hash), expected);
    EXPECT_EQ(expected.size(), 16U);
}

TEST(LineTest, SubOmittedLeavesNoField) {
    // Verifies: sub "omit" leaves the field out entirely; an empty sub is never written under any policy.
    json_line line(at, "info", "auth.reject");
    line.evidence(sample_evidence(), sub_mode::omit, 0);
    const std::string text = line.finish();

    EXPECT_EQ(text.find("\"sub\""), std::string::npos) << text;
    EXPECT_EQ(text.find("user-42"), std::string::npos) << text;
    EXPECT_EQ(sub_field("", sub_mode::plain), std::nullopt);
    EXPECT_EQ(sub_field("", sub_mode::hash), std::nullopt);
}

TEST(LineTest, HostileClaimsAreEscapedAndCannotForgeFields) {
    // Verifies: quotes, newlines and control bytes in claims are JSON-escaped: one line, no injected field.
    validate::evidence ev = sample_evidence();
    ev.iss = "x\",\"level\":\"error";
    ev.sub = "eve\n{\"event\":\"auth.accept\"}";
    ev.kid = std::string("k\x01", 2);
    json_line line(at, "info", "auth.reject");
    line.evidence(ev, sub_mode::plain, 0);
    const std::string text = line.finish();

    EXPECT_EQ(text.find('\n'), std::string::npos) << text;
    EXPECT_NE(text.find(R"("iss":"x\",\"level\":\"error")"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("kid":"k\u0001")"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("sub":"eve\n{\"event\":\"auth.accept\"}")"), std::string::npos) << text;
}

TEST(LineTest, NumbersWrittenAsIntegersWhenWhole) {
    // Verifies: whole NumericDates print without a fraction; fractions and absurd values stay doubles.
    json_line line(at, "info", "x");
    line.number("a", 1777636800.0).number("b", 0.5).number("c", 1.8e12).number("d", 1e300);

    EXPECT_EQ(line.finish(), R"({"ts":"2026-05-01T12:00:00.250Z","level":"info","event":"x","a":1777636800,"b":0.5,)"
                             R"("c":1800000000000,"d":1e300})");
}

TEST(LineTest, TextFormatCarriesTheSameFieldsOnOneLine) {
    // Verifies: the text format starts "ts level event", then key=value, quoting values with spaces, quotes or newlines.
    json_line line(at, "info", "auth.reject");
    line.str("reason", "expired").str("hint", "expired 3m12s ago").str("sub", "a\nb=\"c\"").integer("status", 401);
    line.str("empty", "");

    EXPECT_EQ(to_text(line.finish()),
              R"(2026-05-01T12:00:00.250Z info auth.reject reason=expired hint="expired 3m12s ago" )"
              R"(sub="a\nb=\"c\"" status=401 empty="")");
}

TEST(LineTest, TextFormatKeepsArraysAsJson) {
    // Verifies: an aud array stays one JSON token in the text format.
    json_line line(at, "info", "auth.reject");
    line.evidence(sample_evidence(), sub_mode::omit, 7);

    const std::string text = to_text(line.finish());

    EXPECT_NE(text.find(R"(aud=["api","other"])"), std::string::npos) << text;
    EXPECT_NE(text.find("now=7 leeway_s=30 token_fp=0123456789ab"), std::string::npos) << text;
}

}  // namespace
}  // namespace tokengate::log
