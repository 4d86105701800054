// Path normalisation bypasses beyond ProxyHttpTest.PathTricksCannotReachProtectedRouteUnauthenticated
// (dot segments, %2e%2e, %2F, %5C, NUL, //): path parameters on dot segments, double and
// overlong encodings, case, fragments and non-origin targets. A public prefix must never
// lead to a protected path, and what the upstream receives is exactly the path that was
// routed.
#include "attack_fixture.hpp"

namespace tokengate::test {
namespace {

using PathBypassTest = AttackTest;

TEST_F(PathBypassTest, TargetsResolvingOutOfThePublicPrefixNeedAToken) {
    // Verifies: targets that start under /public/ but resolve elsewhere (encoded dots, '#' and '%23' before dot
    // segments, case) are missing_token (401) with an auth.reject line; the upstream sees none of them.
    start();
    for (const char* target : {"/public/.%2E/admin", "/public/%2e./%2E%2e/admin", "/public/x#/../../admin",
                               "/public/x%23/../../admin", "/PUBLIC/x", "/Public/x", "/public", "/publicx/y",
                               "/public/x/../../../../admin"}) {
        SCOPED_TRACE(target);
        std::string id;
        const auto r = get_as(target, {}, id);

        expect_rejected(r, 401, "missing_token", id);
    }
    expect_upstream_untouched();
}

TEST_F(PathBypassTest, AmbiguousTargetsRefusedWith400) {
    // Verifies: "..;" (also with %2e), encoded slashes after dot segments, IIS-style %u escapes, a lone '%',
    // absolute-form, asterisk-form and relative targets are 400 with a request.refused line, never forwarded.
    start();
    for (const char* target : {"/public/..;/admin", "/public/%2e%2e;/admin", "/public/.;/../admin",
                               "/public/%2e%2e%2fadmin", "/public/..%2F..%2Fadmin", "/public/%u002e%u002e/admin",
                               "/public/%", "http://127.0.0.1/admin", "*", "admin"}) {
        SCOPED_TRACE(target);
        expect_refused(send_raw(std::string("GET ") + target + " HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
    }
    expect_upstream_untouched();
}

TEST_F(PathBypassTest, EncodingsThatStayEncodedAreForwardedAsRouted) {
    // Verifies: double-encoded dots (%252e) and overlong UTF-8 dots (%c0%ae) are not dot segments: the request is
    // routed as public and the upstream receives exactly that path (escapes upper-cased), never /admin.
    start();
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"/public/%252e%252e/admin", "/public/%252e%252e/admin"},
        {"/public/%c0%ae%c0%ae/admin", "/public/%C0%AE%C0%AE/admin"},
        {"/public/..%00/admin", ""},  // refused: encoded NUL
    };
    std::size_t forwarded = 0;
    for (const auto& [target, upstream_target] : cases) {
        SCOPED_TRACE(target);
        const auto r = send_raw("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
        if (upstream_target.empty()) {
            expect_refused(r, 400);
            continue;
        }
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->status, 200) << r->body;
        const auto heads = upstream->heads();
        ASSERT_EQ(heads.size(), ++forwarded);
        EXPECT_EQ(heads.back().substr(0, heads.back().find("\r\n")), "GET " + upstream_target + " HTTP/1.1");
    }
}

}  // namespace
}  // namespace tokengate::test
