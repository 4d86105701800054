#include "tokengate/proxy/header_rewrite.hpp"

#include "tokengate/jose/base64url.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <iterator>
#include <string>
#include <string_view>

namespace tokengate::proxy {
namespace {

namespace http = boost::beast::http;

bool has(const http::fields& h, std::string_view name) { return h.find(name) != h.end(); }

std::string value(const http::fields& h, std::string_view name) {
    const auto it = h.find(name);
    return it == h.end() ? "<absent>" : std::string(it->value());
}

config::identity_config identity() {
    config::identity_config id;
    id.claim_headers = {{"sub", "X-User-Id"}, {"email", "X-User-Email"}, {"roles", "X-User-Roles"}};
    id.payload_header = "X-Jwt-Payload";
    return id;
}

rapidjson::Document parsed(const std::string& json) {
    rapidjson::Document d;
    d.Parse(json.c_str(), json.size());
    EXPECT_FALSE(d.HasParseError()) << json;
    return d;
}

// Headers named in Connection go (any case, several tokens and lines, RFC 9110 §7.6.1); others stay.
TEST(HeaderRewriteTest, ConnectionNamedHeadersRemoved) {
    http::fields h;
    h.insert(http::field::connection, "X-Hop-One, x-hop-two");
    h.insert(http::field::connection, "X-HOP-THREE");
    h.set("x-hop-one", "1");
    h.set("X-Hop-Two", "2");
    h.set("X-Hop-Three", "3");
    h.set("X-End-To-End", "4");

    strip_hop_by_hop(h, false);

    EXPECT_FALSE(has(h, "X-Hop-One"));
    EXPECT_FALSE(has(h, "X-Hop-Two"));
    EXPECT_FALSE(has(h, "X-Hop-Three"));
    EXPECT_FALSE(has(h, "Connection"));
    EXPECT_EQ(value(h, "X-End-To-End"), "4");
}

// The fixed hop-by-hop set goes whether or not Connection names it.
TEST(HeaderRewriteTest, FixedHopByHopHeadersRemoved) {
    http::fields h;
    h.set(http::field::connection, "keep-alive");
    h.set(http::field::keep_alive, "timeout=5");
    h.set(http::field::proxy_connection, "keep-alive");
    h.set(http::field::te, "trailers");
    h.set(http::field::trailer, "X-Checksum");
    h.set(http::field::proxy_authorization, "Basic cHJveHk6cHc=");
    h.set(http::field::proxy_authenticate, "Basic");
    h.set(http::field::upgrade, "websocket");
    h.set(http::field::authorization, "Bearer t");
    h.set(http::field::host, "api.example.com");

    strip_hop_by_hop(h, false);

    for (const char* name : {"Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Proxy-Authorization",
                             "Proxy-Authenticate", "Upgrade"})
        EXPECT_FALSE(has(h, name)) << name;
    EXPECT_EQ(value(h, "Authorization"), "Bearer t");
    EXPECT_EQ(value(h, "Host"), "api.example.com");
}

// A tunnelled upgrade keeps Upgrade and exactly "Connection: upgrade"; other named headers go.
TEST(HeaderRewriteTest, KeepUpgradeKeepsUpgradeAndConnection) {
    http::fields h;
    h.set(http::field::connection, "Upgrade, X-Hop");
    h.set(http::field::upgrade, "websocket");
    h.set("X-Hop", "1");
    h.set(http::field::keep_alive, "timeout=5");
    h.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");

    strip_hop_by_hop(h, true);

    EXPECT_EQ(value(h, "Upgrade"), "websocket");
    EXPECT_EQ(value(h, "Connection"), "upgrade");
    EXPECT_EQ(h.count(http::field::connection), 1U);
    EXPECT_FALSE(has(h, "X-Hop"));
    EXPECT_FALSE(has(h, "Keep-Alive"));
    EXPECT_EQ(value(h, "Sec-WebSocket-Key"), "dGhlIHNhbXBsZSBub25jZQ==");
}

// Without keep_upgrade an Upgrade request loses both headers (not a tunnel).
TEST(HeaderRewriteTest, NoKeepUpgradeRemovesUpgrade) {
    http::fields h;
    h.set(http::field::connection, "upgrade");
    h.set(http::field::upgrade, "h2c");

    strip_hop_by_hop(h, false);

    EXPECT_FALSE(has(h, "Upgrade"));
    EXPECT_FALSE(has(h, "Connection"));
}

// Content-Length and Transfer-Encoding survive being named in Connection (request smuggling).
TEST(HeaderRewriteTest, FramingHeadersNamedInConnectionKept) {
    // The body is relayed with the framing the parser saw; without these headers the upstream
    // would read that body as its next request, unauthenticated.
    http::fields h;
    h.set(http::field::connection, "Content-Length, transfer-encoding, X-Hop");
    h.set(http::field::content_length, "42");
    h.set(http::field::transfer_encoding, "chunked");
    h.set("X-Hop", "1");

    strip_hop_by_hop(h, false);

    EXPECT_EQ(value(h, "Content-Length"), "42");
    EXPECT_EQ(value(h, "Transfer-Encoding"), "chunked");
    EXPECT_FALSE(has(h, "X-Hop"));
    EXPECT_FALSE(has(h, "Connection"));
}

// X-Forwarded-For gets the peer appended to what the ingress sent.
TEST(HeaderRewriteTest, ForwardedForAppended) {
    http::fields h;
    h.set("X-Forwarded-For", "203.0.113.7, 10.0.0.2");

    set_forwarded(h, "10.0.0.9", "api.example.com");

    EXPECT_EQ(value(h, "X-Forwarded-For"), "203.0.113.7, 10.0.0.2, 10.0.0.9");
    EXPECT_EQ(h.count("X-Forwarded-For"), 1U);
}

// Without X-Forwarded-* headers, the peer, "http" and the Host are set.
TEST(HeaderRewriteTest, ForwardedHeadersSetWhenAbsent) {
    http::fields h;

    set_forwarded(h, "192.0.2.1", "api.example.com");

    EXPECT_EQ(value(h, "X-Forwarded-For"), "192.0.2.1");
    EXPECT_EQ(value(h, "X-Forwarded-Proto"), "http");
    EXPECT_EQ(value(h, "X-Forwarded-Host"), "api.example.com");
}

// What the ingress set for scheme and host is kept (it terminated TLS, it saw the Host).
TEST(HeaderRewriteTest, ExistingProtoAndHostKept) {
    http::fields h;
    h.set("x-forwarded-proto", "https");
    h.set("x-forwarded-host", "public.example.com");

    set_forwarded(h, "192.0.2.1", "internal:8080");

    EXPECT_EQ(value(h, "X-Forwarded-Proto"), "https");
    EXPECT_EQ(value(h, "X-Forwarded-Host"), "public.example.com");
    EXPECT_EQ(h.count("X-Forwarded-Proto"), 1U);
    EXPECT_EQ(h.count("X-Forwarded-Host"), 1U);
}

// No Host: no X-Forwarded-Host is invented.
TEST(HeaderRewriteTest, EmptyHostNotForwarded) {
    http::fields h;

    set_forwarded(h, "192.0.2.1", "");

    EXPECT_FALSE(has(h, "X-Forwarded-Host"));
}

// Several X-Forwarded-For lines form one list (RFC 9110 §5.3): every hop is kept.
TEST(HeaderRewriteTest, SeveralForwardedForLinesJoined) {
    http::fields h;
    h.insert("X-Forwarded-For", "203.0.113.7");
    h.insert("X-Forwarded-For", "10.0.0.2");

    set_forwarded(h, "10.0.0.9", "api.example.com");

    EXPECT_EQ(value(h, "X-Forwarded-For"), "203.0.113.7, 10.0.0.2, 10.0.0.9");
    EXPECT_EQ(h.count("X-Forwarded-For"), 1U);
}

// Every identity header tokengate sets (claims, payload, provider) is stripped, in any case and number.
TEST(HeaderRewriteTest, SpoofedIdentityHeadersRemoved) {
    http::fields h;
    h.insert("x-user-id", "admin");
    h.insert("X-USER-ID", "root");
    h.insert("X-User-Email", "ceo@example.com");
    h.insert("x-user-roles", "admin");
    h.insert("x-jwt-payload", "eyJzdWIiOiJhZG1pbiJ9");
    h.insert("X-AUTH-PROVIDER", "main");
    h.insert("X-Other", "kept");

    strip_identity(h, identity());

    for (const char* name : {"X-User-Id", "X-User-Email", "X-User-Roles", "X-Jwt-Payload", "X-Auth-Provider"})
        EXPECT_FALSE(has(h, name)) << name;
    EXPECT_EQ(value(h, "X-Other"), "kept");
}

TEST(HeaderRewriteTest, UnderscoreSpellingsOfIdentityHeadersRemoved) {
    // Verifies: spellings with '_' for '-' are stripped too (WSGI/PHP read X_User_Id as
    // X-User-Id); names that only look alike are kept.
    http::fields h;
    h.insert("X_User_Id", "admin");
    h.insert("x-user_email", "ceo@example.com");
    h.insert("X_JWT_PAYLOAD", "eyJzdWIiOiJhZG1pbiJ9");
    h.insert("X_Auth-Provider", "main");
    h.insert("X-User-Idx", "kept");
    h.insert("X_User", "kept too");

    strip_identity(h, identity());

    for (const char* name : {"X_User_Id", "x-user_email", "X_JWT_PAYLOAD", "X_Auth-Provider"})
        EXPECT_FALSE(has(h, name)) << name;
    EXPECT_EQ(value(h, "X-User-Idx"), "kept");
    EXPECT_EQ(value(h, "X_User"), "kept too");
    EXPECT_EQ(std::distance(h.begin(), h.end()), 2);
}

// With the provider header switched off ("") nothing is stripped in its name.
TEST(HeaderRewriteTest, DisabledProviderHeaderNotStripped) {
    config::identity_config id;
    id.provider_header = "";
    http::fields h;
    h.set("X-Auth-Provider", "client-value");

    strip_identity(h, id);

    EXPECT_EQ(value(h, "X-Auth-Provider"), "client-value");
}

// Claims become text: strings as-is, numbers/bools printed, string arrays comma-joined, else JSON.
TEST(HeaderRewriteTest, ClaimTypesMappedToText) {
    config::identity_config id;
    id.claim_headers = {{"sub", "X-Sub"},     {"n", "X-N"},         {"f", "X-F"},       {"b", "X-B"},
                        {"roles", "X-Roles"}, {"mixed", "X-Mixed"}, {"obj", "X-Obj"}, {"nul", "X-Nul"}};
    const std::string payload =
        R"({"sub":"user-1","n":42,"f":1.5,"b":true,"roles":["admin","ops"],)"
        R"("mixed":[1,"a"],"obj":{"k":"v"},"nul":null})";
    const rapidjson::Document claims = parsed(payload);
    http::fields h;

    add_identity(h, id, claims, payload, "main");

    EXPECT_EQ(value(h, "X-Sub"), "user-1");
    EXPECT_EQ(value(h, "X-N"), "42");
    EXPECT_EQ(value(h, "X-F"), "1.5");
    EXPECT_EQ(value(h, "X-B"), "true");
    EXPECT_EQ(value(h, "X-Roles"), "admin,ops");
    EXPECT_EQ(value(h, "X-Mixed"), R"([1,"a"])");
    EXPECT_EQ(value(h, "X-Obj"), R"({"k":"v"})");
    EXPECT_EQ(value(h, "X-Nul"), "null");
    EXPECT_EQ(value(h, "X-Auth-Provider"), "main");
}

// A claim the token does not carry adds no header (and no empty one).
TEST(HeaderRewriteTest, AbsentClaimAddsNoHeader) {
    const std::string payload = R"({"sub":"user-1"})";
    const rapidjson::Document claims = parsed(payload);
    http::fields h;

    add_identity(h, identity(), claims, payload, "main");

    EXPECT_EQ(value(h, "X-User-Id"), "user-1");
    EXPECT_FALSE(has(h, "X-User-Email"));
    EXPECT_FALSE(has(h, "X-User-Roles"));
}

// A claim value with CR, LF or NUL is left out entirely: it could inject a header line.
TEST(HeaderRewriteTest, ControlCharactersInClaimSkipped) {
    config::identity_config id;
    id.claim_headers = {{"crlf", "X-Crlf"}, {"lf", "X-Lf"}, {"cr", "X-Cr"}, {"nul", "X-Nul"},
                        {"arr", "X-Arr"},   {"ok", "X-Ok"}};
    const std::string payload =
        R"({"crlf":"u\r\nX-Admin: 1","lf":"u\nX-Admin: 1","cr":"u\rX","nul":"a\u0000b",)"
        R"("arr":["a","b\r\nX-Admin: 1"],"ok":"fine"})";
    const rapidjson::Document claims = parsed(payload);
    http::fields h;

    add_identity(h, id, claims, payload, "main");

    for (const char* name : {"X-Crlf", "X-Lf", "X-Cr", "X-Nul", "X-Arr", "X-Admin"}) EXPECT_FALSE(has(h, name)) << name;
    EXPECT_EQ(value(h, "X-Ok"), "fine");
}

// A newline inside an object claim is JSON-escaped (two characters), so the value is forwarded.
TEST(HeaderRewriteTest, EscapedNewlineInObjectForwarded) {
    config::identity_config id;
    id.claim_headers = {{"obj", "X-Obj"}};
    const std::string payload = R"({"obj":{"k":"a\nb"}})";
    const rapidjson::Document claims = parsed(payload);
    http::fields h;

    add_identity(h, id, claims, payload, "main");

    EXPECT_EQ(value(h, "X-Obj"), R"({"k":"a\nb"})");
}

// The payload header is the unpadded base64url of the verified payload JSON, byte for byte.
TEST(HeaderRewriteTest, PayloadHeaderIsBase64urlOfPayload) {
    const std::string payload = R"({"sub":"user-1","email":"a+b@example.com","x":"~~~???"})";
    const rapidjson::Document claims = parsed(payload);
    http::fields h;

    add_identity(h, identity(), claims, payload, "main");

    const std::string encoded = value(h, "X-Jwt-Payload");
    EXPECT_EQ(encoded, jose::base64url_encode(payload));
    EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos);
    EXPECT_EQ(jose::base64url_decode(encoded).bytes, payload);
}

// add_identity replaces a header of the same name instead of adding a second one.
TEST(HeaderRewriteTest, IdentityReplacesExisting) {
    const std::string payload = R"({"sub":"user-1"})";
    const rapidjson::Document claims = parsed(payload);
    http::fields h;
    h.set("X-User-Id", "spoofed");

    add_identity(h, identity(), claims, payload, "main");

    EXPECT_EQ(value(h, "X-User-Id"), "user-1");
    EXPECT_EQ(h.count("X-User-Id"), 1U);
}

// Without a payload header or provider header configured, neither is sent.
TEST(HeaderRewriteTest, OptionalHeadersOffNotSent) {
    config::identity_config id;
    id.provider_header = "";
    const std::string payload = R"({"sub":"user-1"})";
    const rapidjson::Document claims = parsed(payload);
    http::fields h;

    add_identity(h, id, claims, payload, "main");

    EXPECT_EQ(std::distance(h.begin(), h.end()), 0);
}

}  // namespace
}  // namespace tokengate::proxy
