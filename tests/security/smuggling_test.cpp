// Request smuggling beyond ProxyHttpTest.SmugglingAttemptsRefusedAndNeverForwarded (CL.TE,
// TE.CL, differing CLs, xchunked, "chunked, identity", space before colon, obs-fold):
// more Transfer-Encoding obfuscations, malformed lengths and chunk sizes, stray line
// endings, HTTP/1.0 with chunking, bodies of rejected requests that carry a second
// request, and what the upstream gets for framing the proxy does accept. Every request
// carries a valid token, so only the framing checks keep it away from the upstream.
#include "attack_fixture.hpp"

#include <chrono>
#include <vector>

namespace tokengate::test {
namespace {

using std::chrono::milliseconds;

std::string auth_line() { return "Authorization: Bearer " + rsa_token(good_claims()) + "\r\n"; }

struct framing_case {
    std::string name;
    std::string request;  // everything sent
    int status;
    bool half_close = false;  // then shut down writing: the proxy sees the end of what was sent
};

using SmugglingTest = AttackTest;

TEST_F(SmugglingTest, ObfuscatedFramingRefusedAndNeverForwarded) {
    // Verifies: each obfuscated or malformed framing gets its exact status (400 for malformed, 501 for a
    // Transfer-Encoding other than one plain "chunked"), a request.refused line, a closed connection, and the
    // upstream sees not one byte.
    start();
    const std::string head = "POST /api/x HTTP/1.1\r\nHost: x\r\n" + auth_line();
    const std::string chunked_body = "5\r\nhello\r\n0\r\n\r\n";
    const std::vector<framing_case> cases = {
        {"TE twice", head + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked_body, 400},
        {"TE identity then chunked", head + "Transfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked_body, 501},
        {"TE chunked, chunked", head + "Transfer-Encoding: chunked, chunked\r\n\r\n" + chunked_body, 501},
        {"TE gzip, chunked", head + "Transfer-Encoding: gzip, chunked\r\n\r\n" + chunked_body, 501},
        {"TE quoted", head + "Transfer-Encoding: \"chunked\"\r\n\r\n" + chunked_body, 501},
        {"TE with parameter", head + "Transfer-Encoding: chunked;q=1\r\n\r\n" + chunked_body, 501},
        {"TE vertical tab", head + "Transfer-Encoding: \x0b" "chunked\r\n\r\n" + chunked_body, 400},
        {"TE tab before colon", head + "Transfer-Encoding\t: chunked\r\n\r\n" + chunked_body, 400},
        {"TE spelled with underscore", head + "Transfer_Encoding: chunked\r\n\r\n" + chunked_body, 400},
        {"CL spelled with underscore", head + "Content_Length: 5\r\n\r\nhello", 400},
        {"TE in HTTP/1.0", "POST /api/x HTTP/1.0\r\nHost: x\r\n" + auth_line() + "Transfer-Encoding: chunked\r\n\r\n" + chunked_body, 400},
        {"CL plus sign", head + "Content-Length: +5\r\n\r\nhello", 400},
        {"CL negative", head + "Content-Length: -5\r\n\r\nhello", 400},
        {"CL hex", head + "Content-Length: 0x5\r\n\r\nhello", 400},
        {"CL two numbers", head + "Content-Length: 5 5\r\n\r\nhello", 400},
        {"CL overflow", head + "Content-Length: 99999999999999999999999\r\n\r\nhello", 400},
        {"chunk size overflow", head + "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffff1\r\nhello\r\n0\r\n\r\n", 400},
        {"chunk size hex prefix", head + "Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n", 400},
        // Never taken as chunk delimiters: the proxy waits for a CRLF until the body ends.
        {"chunk bare LF", head + "Transfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n", 400, true},
        {"bare LF in header block", "POST /api/x HTTP/1.1\r\nHost: x\nTransfer-Encoding: chunked\r\n" + auth_line() + "\r\n" + chunked_body, 400},
        {"bare CR in header value", head + "X-A: a\rTransfer-Encoding: chunked\r\n\r\n" + chunked_body, 400},
        {"NUL in header value", head + std::string("X-A: a\0b\r\nContent-Length: 5\r\n\r\nhello", 36), 400},
    };

    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        http_connection conn(fx.port());
        conn.send(c.request);
        if (c.half_close) conn.shutdown_write();
        std::optional<http_response> r;
        try {
            r = conn.read_response();
        } catch (const http_error& e) {
            ADD_FAILURE() << "no response: " << e.what();
        }
        if (r) {
            EXPECT_EQ(r->status, c.status) << r->body;
            const auto id = json_field(r->body, {"request_id"});
            ASSERT_TRUE(id.has_value()) << r->body;
            EXPECT_TRUE(fx.wait_for_log("request_id", *id, "request.refused").has_value()) << *id;
        }
        EXPECT_TRUE(conn.wait_closed(milliseconds(2000))) << "a connection with broken framing must not be reused";
    }
    expect_upstream_untouched();
}

TEST_F(SmugglingTest, BodyOfARejectedRequestIsNeverReadAsARequest) {
    // Verifies: a 401'd POST whose body (Content-Length or chunked) holds a complete second request with a valid
    // token gets one 401 and a closed connection: the smuggled request is neither answered nor forwarded.
    start();
    const std::string inner = "GET /api/inner HTTP/1.1\r\nHost: x\r\n" + auth_line() + "\r\n";
    const std::string by_length = "POST /api/x HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(inner.size()) +
                                  "\r\n\r\n" + inner;
    char size[32];
    std::snprintf(size, sizeof size, "%zx", inner.size());
    const std::string by_chunks = "POST /api/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                                  std::string(size) + "\r\n" + inner + "\r\n0\r\n\r\n";

    for (const std::string& raw : {by_length, by_chunks}) {
        http_connection conn(fx.port());
        conn.send(raw);
        const auto r = conn.read_response();

        EXPECT_EQ(r.status, 401) << r.body;
        EXPECT_EQ(json_field(r.body, {"reason"}), "missing_token");
        EXPECT_TRUE(conn.wait_closed(milliseconds(2000))) << "the body was left to be read as a request";
        EXPECT_EQ(conn.buffered(), 0u) << "a second response came";
    }
    expect_upstream_untouched();
}

TEST_F(SmugglingTest, PipelinedRequestsAreAuthenticatedEachOnTheirOwn) {
    // Verifies: behind an authorised request on the same connection (pipelined in one write, or hidden after a
    // Content-Length: 0 body), an unauthenticated request is 401 — authorisation never carries over — and the
    // upstream gets exactly the authorised one.
    start();
    const std::string authorised = "GET /api/ok HTTP/1.1\r\nHost: x\r\n" + auth_line() + "Content-Length: 0\r\n\r\n";
    const std::string anonymous = "GET /api/admin-data HTTP/1.1\r\nHost: x\r\n\r\n";
    http_connection conn(fx.port());

    conn.send(authorised + anonymous);
    const auto first = conn.read_response();
    const auto second = conn.read_response();

    EXPECT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(second.status, 401) << second.body;
    EXPECT_EQ(json_field(second.body, {"reason"}), "missing_token");
    const auto heads = upstream->heads();
    ASSERT_EQ(heads.size(), 1u);
    EXPECT_EQ(heads[0].rfind("GET /api/ok HTTP/1.1\r\n", 0), 0u) << heads[0];
}

TEST_F(SmugglingTest, AcceptedFramingReachesTheUpstreamInOneCanonicalSpelling) {
    // Verifies: repeated equal lengths ("5, 5"; two lines) reach the upstream as exactly one
    // "Content-Length: 5", so no upstream parser can read the length another way.
    start();
    for (const std::string& lengths : {std::string("Content-Length: 5, 5\r\n"),
                                       std::string("Content-Length: 5\r\nContent-Length: 5\r\n")}) {
        const auto r = send_raw("POST /api/x HTTP/1.1\r\nHost: x\r\n" + auth_line() + lengths + "\r\nhello");
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->status, 200) << r->body;
    }

    const auto heads = upstream->heads();
    ASSERT_EQ(heads.size(), 2u);
    for (const auto& h : heads) {
        std::size_t lines = 0;
        for (auto at = h.find("\r\nContent-Length:"); at != std::string::npos; at = h.find("\r\nContent-Length:", at + 1)) ++lines;
        EXPECT_EQ(lines, 1u) << h;
        EXPECT_NE(h.find("\r\nContent-Length: 5\r\n"), std::string::npos) << h;
    }
    EXPECT_EQ(upstream->bytes(), heads[0].size() + heads[1].size() + 2 * (2 + 5));
}

TEST_F(SmugglingTest, ChunkedInAnyCaseReachesTheUpstreamAsPlainChunked) {
    // Verifies: "Transfer-Encoding: CHUNKED" (case-insensitive, RFC 9112 §7) is accepted, and the upstream gets
    // the lower-case "chunked" spelling every parser knows, with the body intact.
    start_with_echo();
    const auto r = send_raw("POST /api/x HTTP/1.1\r\nHost: x\r\n" + auth_line() +
                            "Transfer-Encoding: CHUNKED\r\n\r\n5\r\nhello\r\n0\r\n\r\n");

    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(json_field(r->body, {"headers", "Transfer-Encoding"}), "chunked") << r->body;
    EXPECT_EQ(json_field(r->body, {"body_bytes"}), "5") << r->body;
}

}  // namespace
}  // namespace tokengate::test
