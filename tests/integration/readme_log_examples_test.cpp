// The README's "Reading rejection logs" section shows one auth.reject line per common
// misconfiguration. This test makes each of those mistakes against the real binary and
// compares the lines it logs with the README's, field by field, with the values that
// depend on the moment masked (ts, token_fp, exp/iat/nbf/now and the times and durations
// inside hints): the README cannot drift from what tokengate really prints.
#include "support/http_client.hpp"
#include "support/proxy_fixture.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace tokengate::test {
namespace {

const std::string audience = "api://orders";
const std::string newline_issuer = "https://legacy.test/";
const std::string newline_secret = "legacy-hmac-secret-0123456789abcdef0123";  // the file adds "\n"
const std::string other_secret = "the-issuers-real-secret-0123456789abcdef";
const std::string section_title = "## Reading rejection logs";

struct example {
    std::string id;  // X-Request-Id, and the key the README line is found by
    std::string token;
};

std::string claims(const std::string& iss, const std::string& aud, const std::string& times,
                   const std::string& extra = "") {
    return R"({"iss":")" + iss + R"(","aud":")" + aud + R"(","sub":"user-42",)" + times + extra + "}";
}

std::string t(std::int64_t offset) { return std::to_string(unix_now() + offset); }

std::vector<example> examples() {
    const std::string iss(fixture_issuer);
    const std::string hmac_iss(fixture_hmac_issuer);
    // The signature in standard base64 ('+' and '/'), as some libraries emit it. Only the
    // signature: the hint names the first part affected, and the README shows one.
    std::string std_b64 = rsa_token(claims(iss, audience, "\"iat\":" + t(0) + ",\"exp\":" + t(600)));
    const std::size_t sig = std_b64.rfind('.') + 1;
    for (std::size_t i = sig; i < std_b64.size(); ++i) std_b64[i] = std_b64[i] == '-' ? '+' : std_b64[i] == '_' ? '/' : std_b64[i];
    if (std_b64.find_first_of("+/", sig) == std::string::npos) std_b64.insert(sig, "+/");
    return {
        {"readme-expired", rsa_token(claims(iss, audience, "\"iat\":" + t(-3792) + ",\"exp\":" + t(-192)))},
        {"readme-nbf-future", rsa_token(claims(iss, audience, "\"iat\":" + t(0) + ",\"nbf\":" + t(95) + ",\"exp\":" + t(900)))},
        {"readme-iat-future", rsa_token(claims(iss, audience, "\"iat\":" + t(95) + ",\"exp\":" + t(900)))},
        {"readme-exp-ms", rsa_token(claims(iss, audience, "\"iat\":" + t(0) + ",\"exp\":" + t(600) + "000"))},
        {"readme-client-id-aud",
         rsa_token(claims(iss, "0oa8f5j3ecb5w2bLm5d7", "\"iat\":" + t(0) + ",\"exp\":" + t(600), R"(,"azp":"0oa8f5j3ecb5w2bLm5d7")"))},
        {"readme-issuer-slash", rsa_token(claims("https://issuer.test", audience, "\"iat\":" + t(0) + ",\"exp\":" + t(600)))},
        {"readme-wrong-secret", hmac_token(claims(hmac_iss, audience, "\"iat\":" + t(0) + ",\"exp\":" + t(600)), other_secret)},
        {"readme-secret-newline",
         hmac_token(claims(newline_issuer, audience, "\"iat\":" + t(0) + ",\"exp\":" + t(600)), newline_secret)},
        {"readme-base64", std_b64},
    };
}

// Values that depend on when the test runs, masked in both the README's and the live line.
std::string mask_text(std::string s) {
    static const std::regex iso(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)");
    static const std::regex duration(R"(\b\d+[dhms](\d+[hms])?\b)");
    static const std::regex scientific(R"(\d\.\d+e[+-]\d+)");
    s = std::regex_replace(s, iso, "<time>");
    s = std::regex_replace(s, scientific, "<number>");
    return std::regex_replace(s, duration, "<duration>");
}

// The line as "key=value" pairs in order, with the moment-dependent values masked.
std::vector<std::string> normalised(const std::string& line) {
    rapidjson::Document d;
    d.Parse(line.data(), line.size());
    if (d.HasParseError() || !d.IsObject()) return {"<not a JSON object: " + line + ">"};
    std::vector<std::string> out;
    for (const auto& m : std::as_const(d).GetObject()) {
        const std::string key(m.name.GetString(), m.name.GetStringLength());
        std::string value;
        if (key == "ts" || key == "token_fp" || key == "exp" || key == "iat" || key == "nbf" || key == "now") {
            value = "<masked>";
        } else if (m.value.IsString()) {
            value = mask_text(std::string(m.value.GetString(), m.value.GetStringLength()));
        } else {
            rapidjson::StringBuffer b;
            rapidjson::Writer<rapidjson::StringBuffer> w(b);
            m.value.Accept(w);
            value.assign(b.GetString(), b.GetSize());
        }
        out.push_back(key + "=" + value);
    }
    return out;
}

// The auth.reject lines of the README section, by request_id.
std::map<std::string, std::string> readme_lines() {
    std::ifstream f(std::string(TOKENGATE_SOURCE_DIR) + "/README.md");
    std::stringstream all;
    all << f.rdbuf();
    const std::string text = all.str();
    std::map<std::string, std::string> out;
    const auto start = text.find("\n" + section_title + "\n");
    if (start == std::string::npos) return out;
    const auto end = text.find("\n## ", start + 1);
    std::istringstream section(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    for (std::string line; std::getline(section, line);) {
        if (line.rfind("{\"ts\":", 0) != 0) continue;
        if (auto id = json_field(line, {"request_id"})) out[*id] = line;
    }
    return out;
}

TEST(ReadmeLogExamplesTest, ReadmeShowsTheLinesTokengateReallyLogs) {
    // Verifies: for each common misconfiguration the README shows exactly the auth.reject line the real binary logs
    // (moment-dependent values masked), and shows no example that is not produced here.
    proxy_fixture fx{TOKENGATE_BINARY};
    recording_upstream upstream;
    std::ofstream(fx.dir() / "legacy-secret.txt") << newline_secret << "\n";
    fx.start_proxy(R"({
  "listen": "127.0.0.1:${TOKENGATE_TEST_LISTEN_PORT}",
  "admin_listen": "127.0.0.1:${TOKENGATE_TEST_ADMIN_PORT}",
  "upstream": "http://127.0.0.1:)" + std::to_string(upstream.port()) + R"(",
  "threads": 1,
  "providers": [
    {"name": "orders-idp", "issuer": ")" + std::string(fixture_issuer) + R"(", "audiences": [")" + audience + R"("],
     "algorithms": ["RS256"], "jwks_file": "jwks.json"},
    {"name": "partner", "issuer": ")" + std::string(fixture_hmac_issuer) + R"(", "audiences": [")" + audience + R"("],
     "algorithms": ["HS256"], "secret_file": "secret.txt"},
    {"name": "legacy", "issuer": ")" + newline_issuer + R"(", "audiences": [")" + audience + R"("],
     "algorithms": ["HS256"], "secret_file": "legacy-secret.txt"}
  ]
})");

    std::string live_all;
    std::map<std::string, std::string> live;
    for (const auto& e : examples()) {
        const auto r = get(fx.port(), "/api/orders", {{"Authorization", "Bearer " + e.token}, {"X-Request-Id", e.id}});
        EXPECT_EQ(r.status, 401) << e.id << ": " << r.body;
        const auto line = fx.wait_for_log("request_id", e.id, "auth.reject");
        ASSERT_TRUE(line.has_value()) << "no auth.reject line for " << e.id;
        live[e.id] = *line;
        live_all += *line + "\n";
    }
    EXPECT_EQ(fx.stop_proxy(), 0);

    const auto readme = readme_lines();
    for (const auto& [id, line] : live) {
        SCOPED_TRACE(id);
        const auto it = readme.find(id);
        ASSERT_NE(it, readme.end()) << "README.md \"" << section_title << "\" lacks the line for " << id
                                    << "; the real lines of this run are:\n" << live_all;
        EXPECT_EQ(normalised(it->second), normalised(line))
            << "README.md shows:\n" << it->second << "\ntokengate logs:\n" << line << "\nall lines of this run:\n" << live_all;
    }
    for (const auto& [id, line] : readme)
        EXPECT_TRUE(live.count(id) == 1) << "README.md shows a line no test produces: " << line;
}

TEST(ReadmeLogExamplesTest, MaskingKeepsWhatTheReaderNeeds) {
    // Verifies: the comparison masks only moment-dependent values: reason, hint wording, provider, aud stay compared.
    const std::string a =
        R"j({"ts":"2026-01-01T00:00:00.000Z","reason":"expired","hint":"expired 3m12s ago (exp 2026-01-01T00:00:00Z)","aud":["x"],"exp":1})j";
    const std::string b =
        R"j({"ts":"2027-05-05T11:11:11.111Z","reason":"expired","hint":"expired 3m13s ago (exp 2027-05-05T11:11:11Z)","aud":["x"],"exp":2})j";
    const std::string other_reason =
        R"j({"ts":"2027-05-05T11:11:11.111Z","reason":"not_yet_valid","hint":"expired 3m13s ago (exp 2027-05-05T11:11:11Z)","aud":["x"],"exp":2})j";
    const std::string other_aud =
        R"j({"ts":"2027-05-05T11:11:11.111Z","reason":"expired","hint":"expired 3m13s ago (exp 2027-05-05T11:11:11Z)","aud":["y"],"exp":2})j";

    EXPECT_EQ(normalised(a), normalised(b));
    EXPECT_NE(normalised(a), normalised(other_reason));
    EXPECT_NE(normalised(a), normalised(other_aud));
    EXPECT_EQ(mask_text("exp is in milliseconds (value ≈ 1.78e+12): use seconds"),
              "exp is in milliseconds (value ≈ <number>): use seconds");
}

}  // namespace
}  // namespace tokengate::test
