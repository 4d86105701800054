#include "tokengate/proxy/request_head.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tokengate::proxy {
namespace {

namespace http = boost::beast::http;

// The status parse_head refuses `head` with, or 200 when it takes it.
int status_of(const std::string& head, const config::limits_config& limits = {}) {
    http::request_parser<http::empty_body> p;
    const auto refused = parse_head(head, limits, p);
    return refused ? static_cast<int>(refused->status) : 200;
}

TEST(RequestHeadTest, PlainHeadParsedWithItsFraming) {
    // Verifies: a well-formed head is taken whole; its method, target and Content-Length are the parser's.
    http::request_parser<http::empty_body> p;
    const std::string head = "POST /a?b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n";

    const auto refused = parse_head(head, {}, p);

    ASSERT_FALSE(refused.has_value()) << refused->detail;
    EXPECT_EQ(p.get().method(), http::verb::post);
    EXPECT_EQ(p.get().target(), "/a?b");
    EXPECT_EQ(p.content_length().value_or(0), 5u);
    EXPECT_FALSE(p.is_done()) << "the body is read later, not with the head";
}

TEST(RequestHeadTest, OnlyOnePlainChunkedTransferEncodingTaken) {
    // Verifies: "chunked" (any case, optional whitespace) is taken; codings before it, a second field, a
    // parameter or quotes are 501 (another parser could read them as no chunking at all); CL with TE is 400.
    EXPECT_EQ(status_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"), 200);
    EXPECT_EQ(status_of("POST / HTTP/1.1\r\nTransfer-Encoding:  CHUNKED \r\n\r\n"), 200);
    EXPECT_EQ(status_of("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"), 501);
    EXPECT_EQ(status_of("POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n"), 501);
    EXPECT_EQ(status_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked;q=1\r\n\r\n"), 501);
    EXPECT_EQ(status_of("POST / HTTP/1.1\r\nTransfer-Encoding: \"chunked\"\r\n\r\n"), 501);
    EXPECT_EQ(status_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, identity\r\n\r\n"), 501);
    EXPECT_EQ(status_of("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
}

TEST(RequestHeadTest, TransferEncodingInHttp10Refused) {
    // Verifies: RFC 9112 §6.1 — an HTTP/1.0 request with Transfer-Encoding has faulty framing: 400.
    EXPECT_EQ(status_of("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
    EXPECT_EQ(status_of("POST / HTTP/1.0\r\nContent-Length: 2\r\n\r\n"), 200);
}

TEST(RequestHeadTest, ObsFoldSizeAndVersionRefused) {
    // Verifies: obs-fold is 400, a head over max_header_bytes 431, HTTP versions other than 1.0 and 1.1 are
    // refused (400: Beast's request-line parser takes no other).
    config::limits_config small;
    small.max_header_bytes = 1024;
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nX-A: " + std::string(1100, 'a') + "\r\n\r\n", small), 431);
    EXPECT_EQ(status_of("GET / HTTP/1.2\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/2.0\r\n\r\n"), 400);
}

TEST(RequestHeadTest, FramingHeaderSpelledWithUnderscoreRefused) {
    // Verifies: Transfer_Encoding or Content_Length in any case is 400 (a CGI-style upstream reads it as the
    // real framing header while this proxy would relay the body unframed); other names with '_' are taken.
    EXPECT_EQ(status_of("POST / HTTP/1.1\r\nTransfer_Encoding: chunked\r\n\r\n"), 400);
    EXPECT_EQ(status_of("POST / HTTP/1.1\r\ncontent_length: 5\r\n\r\n"), 400);
    EXPECT_EQ(status_of("POST / HTTP/1.1\r\nContent-Length: 5\r\nCONTENT_LENGTH: 7\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nX_Trace_Id: 1\r\n\r\n"), 200);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nTransfer_Encodings: x\r\n\r\n"), 200);
}

}  // namespace
}  // namespace tokengate::proxy
