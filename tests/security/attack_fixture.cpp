#include "attack_fixture.hpp"

#include "support/test_keys.hpp"

#include <openssl/evp.h>

#include <vector>

namespace tokengate::test {

std::string attack_providers() {
    const std::string ec_jwks = R"({"keys":[)" + jwk_json(ec_pair(jose::curve::p256), "e1") + "]}";
    const std::string mixed_jwks = R"({"keys":[)" + jwk_json(rsa_pair(0), "m1") + "]}";
    return R"(
  "providers": [
    {"name": "rsa", "issuer": ")" + std::string(fixture_issuer) + R"(", "audiences": ["api"],
     "algorithms": ["RS256"], "jwks_file": "jwks.json", "typ": "JWT", "max_lifetime_s": 7200},
    {"name": "hmac", "issuer": ")" + std::string(fixture_hmac_issuer) + R"(", "audiences": ["api"],
     "algorithms": ["HS256"], "secret_file": "secret.txt"},
    {"name": "ec", "issuer": ")" + std::string(ec_issuer) + R"(", "audiences": ["api"],
     "algorithms": ["ES256"], "jwks": )" + ec_jwks + R"(},
    {"name": "mixed", "issuer": ")" + std::string(mixed_issuer) + R"(", "audiences": ["api"],
     "algorithms": ["RS256", "HS256"], "jwks": )" + mixed_jwks + R"(}
  ])";
}

std::string attack_routes() {
    return R"(,
  "routes": [
    {"path": "/public/", "match": "prefix", "auth": "none"},
    {"path": "/maybe", "match": "prefix", "auth": "optional"},
    {"path": "/admin", "match": "prefix", "required_scopes": ["admin"]}
  ],
  "default_auth": "required",
  "identity_headers": {"sub": "X-User-Id"},
  "payload_header": "X-Jwt-Payload")";
}

std::string claims_for(std::string_view iss, std::string_view extra_members) {
    const std::int64_t now = unix_now();
    return R"({"iss":")" + std::string(iss) + R"(","aud":"api","sub":"user-42","scope":"read","iat":)" +
           std::to_string(now) + R"(,"exp":)" + std::to_string(now + 600) + std::string(extra_members) + "}";
}

namespace {

// The fixture's config with the attack providers in place of its own two.
std::string attack_config(std::uint16_t upstream_port, std::string_view extra_members) {
    return R"({
  "listen": "127.0.0.1:${TOKENGATE_TEST_LISTEN_PORT}",
  "admin_listen": "127.0.0.1:${TOKENGATE_TEST_ADMIN_PORT}",
  "upstream": "http://127.0.0.1:)" +
           std::to_string(upstream_port) + R"(",
  "threads": 2,)" + attack_providers() +
           attack_routes() + std::string(extra_members) + "\n}\n";
}

}  // namespace

void AttackTest::TearDown() {
    if (fx.proxy_running()) {
        EXPECT_EQ(fx.stop_proxy(), 0) << fx.proxy().err_text();
    }
}

void AttackTest::start(std::string_view extra_members) {
    upstream = std::make_unique<recording_upstream>();
    fx.start_proxy(attack_config(upstream->port(), extra_members));
}

void AttackTest::start_with_echo(std::string_view extra_members) {
    fx.start_echo();
    fx.start_proxy(attack_config(fx.echo_port(), extra_members));
}

std::optional<http_response> AttackTest::send_raw(const std::string& raw) {
    http_connection c(fx.port());
    try {
        c.send(raw);
    } catch (const http_error&) {
        // The proxy may answer and close before it has read everything (a 431, a 401 for a
        // request with a body): the response is still readable.
    }
    try {
        return c.read_response();
    } catch (const http_error&) {
        return std::nullopt;
    }
}

http_response AttackTest::get_as(const std::string& target, header_list headers, std::string& id) {
    id = "attack-" + std::to_string(++next_id_);
    headers.emplace_back("X-Request-Id", id);
    return get(fx.port(), target, headers);
}

std::string AttackTest::expect_rejected(const http_response& r, int status, std::string_view reason,
                                        const std::string& id) {
    EXPECT_EQ(r.status, status) << r.body;
    const std::string error = reason == "missing_token"        ? ""
                              : reason == "insufficient_scope" ? "insufficient_scope"
                                                               : "invalid_token";
    const std::string challenge =
        error.empty() ? R"(Bearer realm="tokengate")"
                      : R"(Bearer realm="tokengate", error=")" + error + R"(", error_description=")" +
                            std::string(reason) + "\"";
    EXPECT_EQ(r.header("WWW-Authenticate"), challenge);
    EXPECT_EQ(json_field(r.body, {"reason"}), reason) << r.body;
    EXPECT_EQ(r.header("X-Request-Id"), id);
    const auto line = fx.wait_for_log("request_id", id, "auth.reject");
    if (!line) {
        ADD_FAILURE() << "no auth.reject line for " << id;
        return {};
    }
    EXPECT_EQ(json_field(*line, {"reason"}), reason) << *line;
    EXPECT_EQ(json_field(*line, {"status"}), std::to_string(status)) << *line;
    return *line;
}

void AttackTest::expect_refused(const std::optional<http_response>& r, int status) {
    ASSERT_TRUE(r.has_value()) << "closed without an answer; expected " << status;
    EXPECT_EQ(r->status, status) << r->body;
    EXPECT_EQ(r->header("Content-Type"), "application/json");
    EXPECT_TRUE(json_field(r->body, {"error"}).has_value()) << r->body;
    const auto id = json_field(r->body, {"request_id"});
    ASSERT_TRUE(id.has_value()) << r->body;
    const auto line = fx.wait_for_log("request_id", *id, "request.refused");
    ASSERT_TRUE(line.has_value()) << "no request.refused line for " << *id;
    EXPECT_EQ(json_field(*line, {"status"}), std::to_string(status)) << *line;
}

void AttackTest::expect_upstream_untouched() {
    ASSERT_TRUE(upstream);
    EXPECT_EQ(upstream->connections(), 0u);
    EXPECT_EQ(upstream->bytes(), 0u) << "upstream saw:\n" << [&] {
        std::string all;
        for (const auto& h : upstream->heads()) all += h + "----\n";
        return all;
    }();
}

std::string base64_std(std::string_view bytes) {
    std::vector<unsigned char> out(4 * ((bytes.size() + 2) / 3) + 1);
    const int n = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size()));
    return std::string(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(n));
}

}  // namespace tokengate::test
