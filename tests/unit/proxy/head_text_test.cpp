#include "tokengate/proxy/head_text.hpp"

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/write.hpp>
#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace tokengate::proxy {
namespace {

namespace http = boost::beast::http;

// What Beast's own serializer writes for a header: the reference append_head must match.
template <bool isRequest>
std::string beast_text(const http::header<isRequest>& h) {
    http::message<isRequest, http::empty_body> m{h};
    std::ostringstream out;
    out << m;
    return out.str();
}

template <bool isRequest>
std::string ours(const http::header<isRequest>& h) {
    std::string out = "prefix|";  // appends, never replaces
    append_head(out, h);
    return out;
}

TEST(HeadTextTest, RequestMatchesBeastByteForByte) {
    // Verifies: method, target, version and every field (order, case, repeats, empty values) as Beast writes them.
    http::request_header<> h;
    h.method(http::verb::get);
    h.target("/orders/42?x=1&y=%2F");
    h.version(11);
    h.set(http::field::host, "api.example.com");
    h.insert("X-Forwarded-For", "203.0.113.7");
    h.insert("x-forwarded-for", "10.0.0.1");
    h.insert("X-Empty", "");
    h.set(http::field::authorization, "Bearer a.b.c");
    EXPECT_EQ(ours(h), "prefix|" + beast_text(h));
}

TEST(HeadTextTest, CustomMethodAndHttp10) {
    // Verifies: a method Beast does not know and an HTTP/1.0 start line come out as Beast writes them.
    http::request_header<> h;
    h.method_string("PURGE");
    h.target("/cache");
    h.version(10);
    EXPECT_EQ(ours(h), "prefix|" + beast_text(h));
    EXPECT_EQ(ours(h), "prefix|PURGE /cache HTTP/1.0\r\n\r\n");
}

TEST(HeadTextTest, ResponseReasonFromUpstreamOrDefault) {
    // Verifies: a reason phrase as received, Beast's default reason when none, an unknown status code.
    http::response_header<> h;
    h.result(http::status::not_found);
    h.version(11);
    h.set(http::field::content_length, "3");
    EXPECT_EQ(ours(h), "prefix|" + beast_text(h));
    EXPECT_EQ(ours(h), "prefix|HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\n");

    h.reason("Nope");
    EXPECT_EQ(ours(h), "prefix|" + beast_text(h));

    http::response_header<> odd;
    odd.result(299);
    odd.version(10);
    EXPECT_EQ(ours(odd), "prefix|" + beast_text(odd));
}

}  // namespace
}  // namespace tokengate::proxy
