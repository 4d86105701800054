// Tokens built to split parsers: duplicate JSON members (one parser takes the first,
// another the last), nesting deep enough to exhaust a recursive parser, sizes past every
// limit, and bytes that are not UTF-8. All are validly signed by the provider's own key,
// so only the parser stands between them and the upstream.
#include "attack_fixture.hpp"

#include "support/token_builder.hpp"
#include "tokengate/jose/base64url.hpp"

#include <chrono>

namespace tokengate::test {
namespace {

header_list bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

const std::string rs256_header = R"({"alg":"RS256","kid":"k1","typ":"JWT"})";

using TokenParsingTest = AttackTest;

TEST_F(TokenParsingTest, DuplicateMembersRefusedInHeaderAndPayload) {
    // Verifies: a repeated member — alg, iss, sub, also spelt with a \u escape, also nested — is malformed_token
    // even when the signature is good: whichever copy another parser would pick, the token is refused.
    start();
    const std::string iss = std::string(fixture_issuer);
    const std::vector<std::pair<std::string, std::string>> tokens = {
        {R"({"alg":"RS256","kid":"k1","typ":"JWT","alg":"none"})", claims_for(iss)},
        {R"({"alg":"none","alg":"RS256","kid":"k1","typ":"JWT"})", claims_for(iss)},
        {R"({"alg":"RS256","kid":"k1","typ":"JWT","kid":"k2"})", claims_for(iss)},
        {rs256_header, claims_for(iss, R"(,"sub":"admin")")},
        {rs256_header, claims_for(iss, R"(,"s\u0075b":"admin")")},
        {rs256_header, claims_for(iss, R"(,"iss":"https://hmac.test/")")},
        {rs256_header, claims_for(iss, R"(,"ctx":{"role":"user","role":"admin"})")},
    };

    for (const auto& [header, payload] : tokens) {
        SCOPED_TRACE(header + " " + payload);
        std::string id;
        const auto r = get_as("/api/x", bearer(rsa_token(payload, header)), id);

        const std::string line = expect_rejected(r, 401, "malformed_token", id);
        EXPECT_NE(line.find("duplicate"), std::string::npos) << line;
    }
    expect_upstream_untouched();
}

TEST_F(TokenParsingTest, DeepNestingRefusedQuickly) {
    // Verifies: headers and payloads nested as deep as the 8 KiB token limit allows (1,500 arrays, 600 objects)
    // are malformed_token, answered within a second each (iterative, bounded parser: no stack exhaustion).
    start();
    const std::string iss = std::string(fixture_issuer);
    const auto nest = [](int depth, char open, char close, const std::string& inner) {
        std::string s;
        for (int i = 0; i < depth; ++i) s += open == '{' ? std::string(R"({"a":)") : std::string(1, open);
        s += inner;
        s += std::string(static_cast<std::size_t>(depth), close);
        return s;
    };
    const std::vector<std::pair<std::string, std::string>> tokens = {
        {R"({"alg":"RS256","kid":"k1","typ":"JWT","x":)" + nest(1500, '[', ']', "1") + "}", claims_for(iss)},
        {rs256_header, claims_for(iss, R"(,"deep":)" + nest(1500, '[', ']', "0"))},
        {rs256_header, claims_for(iss, R"(,"deep":)" + nest(600, '{', '}', "0"))},
    };

    for (const auto& [header, payload] : tokens) {
        std::string id;
        const auto t0 = std::chrono::steady_clock::now();
        const auto r = get_as("/api/x", bearer(rsa_token(payload, header)), id);

        EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
        const std::string line = expect_rejected(r, 401, "malformed_token", id);
        EXPECT_NE(line.find("deep"), std::string::npos) << line;
    }
    expect_upstream_untouched();
}

TEST_F(TokenParsingTest, OversizedTokensRefusedAtTheTokenOrHeaderLimit) {
    // Verifies: a well-signed 12 KiB token (under the 16 KiB header limit, over max_token_bytes 8 KiB) is
    // token_too_large; a 20 KiB one and a 1 MiB Authorization header are 431 before any token is parsed.
    start();
    const std::string big_claim = R"(,"pad":")" + std::string(9000, 'p') + "\"";
    const std::string twelve_k = rsa_token(claims_for(fixture_issuer, big_claim));
    ASSERT_GT(twelve_k.size(), 12000u);

    std::string id;
    const auto r = get_as("/api/x", bearer(twelve_k), id);
    const std::string line = expect_rejected(r, 401, "token_too_large", id);
    EXPECT_NE(line.find("8192"), std::string::npos) << line;

    const std::string twenty_k = rsa_token(claims_for(fixture_issuer, R"(,"pad":")" + std::string(15000, 'p') + "\""));
    expect_refused(send_raw(make_request("GET", "/api/x", bearer(twenty_k))), 431);
    expect_refused(send_raw(make_request("GET", "/api/x", bearer(std::string(1 << 20, 'a')))), 431);
    expect_upstream_untouched();
}

TEST_F(TokenParsingTest, BytesThatAreNotUtf8Refused) {
    // Verifies: a signed payload or header holding invalid UTF-8 (a stray 0xFF, an overlong '/', a lone
    // surrogate escape, a truncated sequence) is malformed_token; raw non-ASCII bytes in the Authorization
    // value are malformed_token too (outside the base64url alphabet).
    start();
    const std::string iss = std::string(fixture_issuer);
    const std::vector<std::pair<std::string, std::string>> tokens = {
        {rs256_header, claims_for(iss, ",\"name\":\"\xff\"")},
        {rs256_header, claims_for(iss, ",\"path\":\"\xc0\xaf\"")},
        {rs256_header, claims_for(iss, R"(,"sub2":"\ud800")")},
        {rs256_header, claims_for(iss, ",\"cut\":\"\xe2\x82\"")},
        {"{\"alg\":\"RS256\",\"kid\":\"k1\xc0\xaf\",\"typ\":\"JWT\"}", claims_for(iss)},
    };
    for (const auto& [header, payload] : tokens) {
        std::string id;
        const auto r = get_as("/api/x", bearer(rsa_token(payload, header)), id);
        expect_rejected(r, 401, "malformed_token", id);
    }
    std::string token = rsa_token(claims_for(iss));
    token.insert(token.find('.') + 1, "\xc3\xa9");
    std::string id;
    const auto r = get_as("/api/x", bearer(token), id);
    expect_rejected(r, 401, "malformed_token", id);
    expect_upstream_untouched();
}

}  // namespace
}  // namespace tokengate::test
