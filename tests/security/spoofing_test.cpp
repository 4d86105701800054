// Identity header spoofing beyond ProxyAuthTest.ValidTokenReachesUpstreamWithIdentityHeadersAndNoSpoofs
// (exact and lower-case copies next to a valid token): copies on routes where no token is
// checked, spellings with '_' that CGI-style upstreams read as the same header, and
// hop-by-hop tricks that try to remove the header tokengate sets.
#include "attack_fixture.hpp"

#include <algorithm>
#include <cctype>

namespace tokengate::test {
namespace {

// Header lines of a raw request head whose name, lower-cased with '_' as '-', is `name`.
std::vector<std::string> lines_named(const std::string& head, std::string_view name) {
    std::vector<std::string> out;
    std::size_t at = head.find("\r\n");
    while (at != std::string::npos && at + 2 < head.size()) {
        const std::size_t end = head.find("\r\n", at + 2);
        const std::string line = head.substr(at + 2, end == std::string::npos ? std::string::npos : end - at - 2);
        std::string field = line.substr(0, line.find(':'));
        std::transform(field.begin(), field.end(), field.begin(), [](unsigned char c) {
            return c == '_' ? '-' : static_cast<char>(std::tolower(c));
        });
        if (field == name) out.push_back(line);
        at = end;
    }
    return out;
}

const header_list spoofs = {{"X-User-Id", "root"},          {"X_User_Id", "root"},
                            {"x-user_id", "root"},          {"X-Jwt-Payload", "eyJzdWIiOiJyb290In0"},
                            {"X_JWT_PAYLOAD", "eyJzdWIiOiJyb290In0"}, {"X-Auth-Provider", "rsa"},
                            {"X_Auth_Provider", "rsa"}};

using SpoofingTest = AttackTest;

TEST_F(SpoofingTest, IdentityHeadersNeverPassWhereNoTokenIsChecked) {
    // Verifies: on a public route and on an optional route without a token, client copies of X-User-Id,
    // X-Jwt-Payload and X-Auth-Provider — also spelt with '_' — are removed before the upstream.
    start();

    const auto pub = get(fx.port(), "/public/page", spoofs);
    const auto opt = get(fx.port(), "/maybe/page", spoofs);

    EXPECT_EQ(pub.status, 200) << pub.body;
    EXPECT_EQ(opt.status, 200) << opt.body;
    const auto heads = upstream->heads();
    ASSERT_EQ(heads.size(), 2u);
    for (const auto& h : heads) {
        for (const char* name : {"x-user-id", "x-jwt-payload", "x-auth-provider"})
            EXPECT_TRUE(lines_named(h, name).empty()) << name << " reached the upstream:\n" << h;
    }
}

TEST_F(SpoofingTest, TokenIdentityWinsOverEverySpoofedSpelling) {
    // Verifies: with a valid token the upstream gets exactly one X-User-Id, the token's sub, whatever copies and
    // '_' spellings the client sent, and naming the header in Connection cannot remove tokengate's own.
    start();
    header_list headers = spoofs;
    headers.emplace_back("Authorization", "Bearer " + rsa_token(good_claims("user-42")));
    headers.emplace_back("Connection", "X-User-Id, X-Auth-Provider, keep-alive");

    const auto r = get(fx.port(), "/api/orders", headers);

    ASSERT_EQ(r.status, 200) << r.body;
    const auto heads = upstream->heads();
    ASSERT_EQ(heads.size(), 1u);
    EXPECT_EQ(lines_named(heads[0], "x-user-id"), std::vector<std::string>{"X-User-Id: user-42"}) << heads[0];
    EXPECT_EQ(lines_named(heads[0], "x-auth-provider"), std::vector<std::string>{"X-Auth-Provider: rsa"}) << heads[0];
    const auto payload = lines_named(heads[0], "x-jwt-payload");
    ASSERT_EQ(payload.size(), 1u) << heads[0];
    EXPECT_EQ(payload[0].find("eyJzdWIiOiJyb290In0"), std::string::npos) << payload[0];
}

TEST_F(SpoofingTest, RejectedSpoofStillReachesNothing) {
    // Verifies: spoofed identity plus an invalid token on a protected route is the token's rejection
    // (bad_signature) and nothing reaches the upstream.
    start();
    header_list headers = spoofs;
    headers.emplace_back("Authorization", "Bearer " + rsa_token(good_claims("root"), R"({"alg":"RS256","kid":"k1","typ":"JWT"})", 1));

    std::string id;
    const auto r = get_as("/admin/users", headers, id);

    expect_rejected(r, 401, "bad_signature", id);
    expect_upstream_untouched();
}

}  // namespace
}  // namespace tokengate::test
