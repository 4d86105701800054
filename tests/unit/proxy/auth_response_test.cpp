#include "tokengate/proxy/auth_response.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>
#include <string_view>
#include <vector>

namespace tokengate::proxy {
namespace {

using boost::beast::http::status;

const std::string realm = "tokengate";
const std::string request_id = "req-7f3a";
const std::string hint = "expired 3m12s ago (exp 2027-01-15T07:56:48Z, now 2027-01-15T08:00:00Z, leeway 30 s)";

rapidjson::Document body_of(const auth_response& r) {
    rapidjson::Document d;
    d.Parse(r.body.c_str(), r.body.size());
    EXPECT_FALSE(d.HasParseError()) << r.body;
    EXPECT_TRUE(d.IsObject()) << r.body;
    return d;
}

std::string member(const rapidjson::Document& d, const char* name) {
    if (!d.IsObject() || !d.HasMember(name) || !d[name].IsString()) return "<absent>";
    return {d[name].GetString(), d[name].GetStringLength()};
}

std::vector<std::string> member_names(const rapidjson::Document& d) {
    std::vector<std::string> out;
    if (!d.IsObject()) return out;
    for (const auto& m : d.GetObject()) out.emplace_back(m.name.GetString(), m.name.GetStringLength());
    return out;
}

// Each reason gets its status and RFC 6750 §3 challenge: 401 invalid_token unless missing/scope/keys.
TEST(AuthResponseTest, EveryReasonMapsToStatusAndChallenge) {
    for (const reason r : all_reasons) {
        const std::string code(to_string(r));
        SCOPED_TRACE(code);

        const auth_response res = to_http(rejection{r, hint}, realm, request_id, false);

        switch (r) {
        case reason::missing_token:
            EXPECT_EQ(res.status, status::unauthorized);
            EXPECT_EQ(res.www_authenticate, R"(Bearer realm="tokengate")");
            break;
        case reason::insufficient_scope:
            EXPECT_EQ(res.status, status::forbidden);
            EXPECT_EQ(res.www_authenticate,
                      R"(Bearer realm="tokengate", error="insufficient_scope", )"
                      R"(error_description="insufficient_scope")");
            break;
        case reason::keys_unavailable:
            EXPECT_EQ(res.status, status::service_unavailable);
            EXPECT_EQ(res.www_authenticate, "");
            break;
        default:
            EXPECT_EQ(res.status, status::unauthorized);
            EXPECT_EQ(res.www_authenticate,
                      R"(Bearer realm="tokengate", error="invalid_token", error_description=")" + code + "\"");
        }
    }
}

// Only a 503 carries Retry-After, and it asks for a positive delay.
TEST(AuthResponseTest, RetryAfterOnlyForKeysUnavailable) {
    for (const reason r : all_reasons) {
        SCOPED_TRACE(std::string(to_string(r)));

        const auth_response res = to_http(rejection{r, hint}, realm, request_id, false);

        if (r == reason::keys_unavailable) {
            ASSERT_TRUE(res.retry_after_s.has_value());
            EXPECT_GT(*res.retry_after_s, 0);
        } else {
            EXPECT_FALSE(res.retry_after_s.has_value());
        }
    }
}

// No bearer token sent: the challenge has no error member, even when another scheme was.
TEST(AuthResponseTest, MissingTokenChallengeHasNoError) {
    const auth_response res = to_http(rejection{reason::missing_token,
                                                "Authorization header present with scheme Basic, expected Bearer"},
                                      realm, request_id, false);

    EXPECT_EQ(res.www_authenticate.find("error"), std::string::npos);
}

// The body is exactly {error, reason, request_id} and never carries the hint.
TEST(AuthResponseTest, BodyHasErrorReasonRequestIdAndNoHint) {
    // Hints stay in logs: a client could use them to probe the policy.
    for (const reason r : all_reasons) {
        const std::string code(to_string(r));
        SCOPED_TRACE(code);

        const auth_response res = to_http(rejection{r, hint}, realm, request_id, false);

        const rapidjson::Document d = body_of(res);
        EXPECT_EQ(member_names(d), (std::vector<std::string>{"error", "reason", "request_id"}));
        EXPECT_NE(member(d, "error"), "<absent>");
        EXPECT_EQ(member(d, "reason"), code);
        EXPECT_EQ(member(d, "request_id"), request_id);
        EXPECT_EQ(res.body.find("expired 3m12s"), std::string::npos);
        EXPECT_EQ(res.body.find("leeway"), std::string::npos);
    }
}

// The body's error matches the challenge's error where there is one.
TEST(AuthResponseTest, BodyErrorMatchesChallenge) {
    EXPECT_EQ(member(body_of(to_http(rejection{reason::expired, hint}, realm, request_id, false)), "error"),
              "invalid_token");
    EXPECT_EQ(member(body_of(to_http(rejection{reason::insufficient_scope, "missing scope admin"}, realm, request_id,
                                     false)),
                     "error"),
              "insufficient_scope");
}

// With the debug option the hint is added to the body (and only to the body).
TEST(AuthResponseTest, ExposeHintAddsHintMember) {
    const auth_response res = to_http(rejection{reason::expired, hint}, realm, request_id, true);

    const rapidjson::Document d = body_of(res);
    EXPECT_EQ(member(d, "hint"), hint);
    EXPECT_EQ(member(d, "reason"), "expired");
    EXPECT_EQ(res.www_authenticate.find("3m12s"), std::string::npos);
}

// An empty hint is not exposed as an empty member.
TEST(AuthResponseTest, ExposeEmptyHintOmitted) {
    const auth_response res = to_http(rejection{reason::missing_token, ""}, realm, request_id, true);

    EXPECT_EQ(member_names(body_of(res)), (std::vector<std::string>{"error", "reason", "request_id"}));
}

// A configured realm with a quote or backslash is escaped as an RFC 9110 §5.6.4 quoted-string.
TEST(AuthResponseTest, RealmWithQuoteEscaped) {
    const auth_response res = to_http(rejection{reason::bad_signature, ""}, R"(my "api" \ prod)", request_id, false);

    EXPECT_EQ(res.www_authenticate,
              R"(Bearer realm="my \"api\" \\ prod", error="invalid_token", error_description="bad_signature")");
}

// A hostile request id (client-supplied X-Request-Id) stays inside its JSON string.
TEST(AuthResponseTest, RequestIdWithQuoteEscapedInBody) {
    const std::string hostile = R"(x","reason":"ok)";

    const auth_response res = to_http(rejection{reason::expired, hint}, realm, hostile, false);

    const rapidjson::Document d = body_of(res);
    EXPECT_EQ(member(d, "request_id"), hostile);
    EXPECT_EQ(member(d, "reason"), "expired");
}

// Proxy-level error bodies share the shape: error, reason (the detail), request_id.
TEST(AuthResponseTest, ErrorBodyShape) {
    rapidjson::Document d;
    const std::string body = error_body("bad_request", "encoded slash or backslash (%2F/%5C) in path", request_id);
    d.Parse(body.c_str(), body.size());

    ASSERT_FALSE(d.HasParseError()) << body;
    EXPECT_EQ(member(d, "error"), "bad_request");
    EXPECT_EQ(member(d, "reason"), "encoded slash or backslash (%2F/%5C) in path");
    EXPECT_EQ(member(d, "request_id"), request_id);
}

}  // namespace
}  // namespace tokengate::proxy
