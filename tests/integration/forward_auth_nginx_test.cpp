// Runs Debian's nginx on 127.0.0.1 in front of the real `tokengate serve` and the echo
// upstream, in both deployment patterns of SPEC §1: forward-auth (nginx auth_request to
// tokengate's /auth, identity copied from the auth answer) and ingress → sidecar; and
// the auth endpoint called directly the way Traefik and Envoy call it.
#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/proxy_fixture.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace tokengate::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

const std::string nginx_binary = "/usr/sbin/nginx";

const std::string tokengate_extra = R"(,
  "routes": [{"path": "/app/admin", "match": "prefix", "required_scopes": ["admin"]}],
  "identity_headers": {"sub": "X-User-Id"},
  "forward_auth": {"enabled": true, "path": "/auth"})";

// Pattern 2 on /app/ (auth_request, then straight to the echo upstream) and pattern 1 on
// /sidecar/ (everything through tokengate). Every path nginx writes is under `dir`.
std::string nginx_config(const fs::path& dir, std::uint16_t port, std::uint16_t tokengate, std::uint16_t echo) {
    const std::string d = dir.string();
    return "daemon off;\nmaster_process off;\nworker_processes 1;\npid " + d + "/nginx.pid;\nerror_log " + d +
           "/nginx-error.log info;\nevents { worker_connections 64; }\nhttp {\n"
           "  access_log " + d + "/nginx-access.log;\n"
           "  client_body_temp_path " + d + "/nginx-body;\n  proxy_temp_path " + d + "/nginx-proxy;\n"
           "  fastcgi_temp_path " + d + "/nginx-fastcgi;\n  uwsgi_temp_path " + d + "/nginx-uwsgi;\n"
           "  scgi_temp_path " + d + "/nginx-scgi;\n"
           "  server {\n    listen 127.0.0.1:" + std::to_string(port) + ";\n"
           "    location = /_tokengate_auth {\n      internal;\n"
           "      proxy_pass http://127.0.0.1:" + std::to_string(tokengate) + "/auth;\n"
           "      proxy_pass_request_body off;\n      proxy_set_header Content-Length \"\";\n"
           "      proxy_set_header X-Original-URI $request_uri;\n"
           "      proxy_set_header X-Original-Method $request_method;\n    }\n"
           "    location /app/ {\n      auth_request /_tokengate_auth;\n"
           "      auth_request_set $user $upstream_http_x_user_id;\n"
           "      auth_request_set $auth_www $upstream_http_www_authenticate;\n"
           "      add_header WWW-Authenticate $auth_www always;\n"
           "      proxy_set_header X-User-Id $user;\n"
           "      proxy_pass http://127.0.0.1:" + std::to_string(echo) + ";\n    }\n"
           "    location /sidecar/ {\n      proxy_pass http://127.0.0.1:" + std::to_string(tokengate) + ";\n    }\n"
           "  }\n}\n";
}

class ForwardAuthNginxTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(fs::exists(nginx_binary)) << nginx_binary << " missing: install the Debian package nginx-light";
        const auto v = run_process({nginx_binary, "-V"});
        ASSERT_NE(v.err.find("--with-http_auth_request_module"), std::string::npos)
            << "this nginx lacks auth_request:\n" << v.err;
        fx.start_echo();
        fx.start_proxy(fx.config(fx.echo_port(), tokengate_extra));
        start_nginx();
    }

    void TearDown() override {
        if (nginx_) {
            EXPECT_EQ(nginx_->stop(SIGQUIT), 0) << nginx_->err_text();
        }
        if (fx.proxy_running()) {
            EXPECT_EQ(fx.stop_proxy(), 0) << fx.proxy().err_text();
        }
    }

    // nginx cannot report an ephemeral port, so pick a free one and retry if another
    // process takes it first (nginx then exits with "Address already in use").
    void start_nginx() {
        const fs::path conf = fx.dir() / "nginx.conf";
        for (int attempt = 0; attempt < 5; ++attempt) {
            nginx_port_ = pick_free_port();
            std::ofstream(conf) << nginx_config(fx.dir(), nginx_port_, fx.port(), fx.echo_port());
            nginx_ = std::make_unique<running_process>(std::vector<std::string>{
                nginx_binary, "-p", fx.dir().string(), "-e", (fx.dir() / "nginx-error.log").string(), "-c", conf.string()});
            const auto deadline = std::chrono::steady_clock::now() + startup_timeout;
            while (std::chrono::steady_clock::now() < deadline && nginx_->running()) {
                if (wait_for_port(nginx_port_, milliseconds(50))) return;
            }
            if (nginx_->running()) break;
            nginx_.reset();
        }
        std::ifstream log(fx.dir() / "nginx-error.log");
        FAIL() << "nginx did not start; error log:\n" << std::string(std::istreambuf_iterator<char>(log), {});
    }

    proxy_fixture fx{TOKENGATE_BINARY};
    std::unique_ptr<running_process> nginx_;
    std::uint16_t nginx_port_ = 0;
};

TEST_F(ForwardAuthNginxTest, ValidTokenPassesWithIdentityFromAuthAnswer) {
    // Verifies: auth_request → tokengate /auth → 200; its X-User-Id (not the client's spoof) reaches the upstream.
    const auto r = get(nginx_port_, "/app/orders?x=1",
                       {{"Authorization", "Bearer " + rsa_token(good_claims("user-42", "read"))},
                        {"X-User-Id", "spoofed-admin"}});

    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json_field(r.body, {"target"}), "/app/orders?x=1");
    EXPECT_EQ(json_field(r.body, {"headers", "X-User-Id"}), "user-42") << r.body;
    EXPECT_EQ(r.body.find("spoofed"), std::string::npos) << r.body;
}

TEST_F(ForwardAuthNginxTest, MissingTokenGives401WithChallengeFromTokengate) {
    // Verifies: no token → nginx's 401 carries tokengate's WWW-Authenticate, and tokengate logged why.
    const auto r = get(nginx_port_, "/app/orders", {{"X-Request-Id", "fa-missing"}});

    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.header("WWW-Authenticate"), R"(Bearer realm="tokengate")");
    const auto line = fx.wait_for_log("request_id", "fa-missing", "auth.reject");
    ASSERT_TRUE(line.has_value());
    EXPECT_EQ(json_field(*line, {"reason"}), "missing_token");
    EXPECT_EQ(json_field(*line, {"path"}), "/app/orders") << "the original URI decides the route";
}

TEST_F(ForwardAuthNginxTest, InvalidTokenGives401WithReason) {
    // Verifies: a rejected token's reason reaches the client in error_description.
    const std::int64_t now = unix_now();
    const std::string expired = rsa_token(R"({"iss":")" + std::string(fixture_issuer) + R"(","aud":"api","iat":)" +
                                          std::to_string(now - 4000) + R"(,"exp":)" + std::to_string(now - 3600) + "}");

    const auto r = get(nginx_port_, "/app/orders", {{"Authorization", "Bearer " + expired}});

    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.header("WWW-Authenticate"),
              R"(Bearer realm="tokengate", error="invalid_token", error_description="expired")");
}

TEST_F(ForwardAuthNginxTest, InsufficientScopeOnOriginalUriGives403) {
    // Verifies: the route is chosen by X-Original-URI: no admin scope → 403 on /app/admin/, 200 elsewhere.
    const header_list token = {{"Authorization", "Bearer " + rsa_token(good_claims("user-42", "read"))}};

    const auto admin = get(nginx_port_, "/app/admin/users", token);
    const auto other = get(nginx_port_, "/app/users", token);

    EXPECT_EQ(admin.status, 403);
    EXPECT_EQ(other.status, 200);
}

TEST_F(ForwardAuthNginxTest, IngressRoutingToSidecarPassesValidToken) {
    // Verifies: pattern 1 (nginx proxy_pass to tokengate): valid token → 200 with identity at the upstream; none → 401.
    const auto ok = get(nginx_port_, "/sidecar/orders",
                        {{"Authorization", "Bearer " + rsa_token(good_claims("user-9"))}});
    const auto refused = get(nginx_port_, "/sidecar/orders");

    ASSERT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(json_field(ok.body, {"target"}), "/sidecar/orders");
    EXPECT_EQ(json_field(ok.body, {"headers", "X-User-Id"}), "user-9");
    EXPECT_EQ(refused.status, 401);
    EXPECT_EQ(json_field(refused.body, {"reason"}), "missing_token");
}

// The forward-auth endpoint called directly, as Traefik ForwardAuth (X-Forwarded-Method/
// -Uri) and Envoy ext_authz HTTP (original path appended to the auth path) call it.
class ForwardAuthTest : public ::testing::Test {
protected:
    void TearDown() override {
        if (fx.proxy_running()) {
            EXPECT_EQ(fx.stop_proxy(), 0) << fx.proxy().err_text();
        }
    }

    proxy_fixture fx{TOKENGATE_BINARY};
};

TEST_F(ForwardAuthTest, TraefikAndEnvoyStyleRequestsDecidedOnOriginalRequest) {
    // Verifies: Traefik/Envoy-style calls are decided on the original request, answer identity headers, never go upstream.
    recording_upstream upstream;
    fx.start_proxy(fx.config(upstream.port(), tokengate_extra));
    const std::string reader = "Bearer " + rsa_token(good_claims("user-42", "read"));
    const auto traefik = [&](std::string_view method, std::string_view uri, const std::string& authz) {
        header_list h{{"X-Forwarded-Method", std::string(method)}, {"X-Forwarded-Uri", std::string(uri)},
                      {"X-User-Id", "spoofed"}};
        if (!authz.empty()) h.emplace_back("Authorization", authz);
        return get(fx.port(), "/auth", h);
    };

    const auto ok = traefik("POST", "/app/orders", reader);
    const auto forbidden = traefik("GET", "/app/admin/users", reader);
    const auto anonymous = traefik("GET", "/app/orders", "");
    const auto envoy_ok = get(fx.port(), "/auth/app/orders", {{"Authorization", reader}});
    const auto envoy_forbidden = get(fx.port(), "/auth/app/admin/users", {{"Authorization", reader}});

    EXPECT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(ok.header("X-User-Id"), "user-42");
    EXPECT_EQ(ok.count("X-User-Id"), 1u);
    EXPECT_EQ(ok.header("X-Auth-Provider"), "rsa");
    EXPECT_EQ(forbidden.status, 403);
    EXPECT_EQ(forbidden.header("X-User-Id"), std::nullopt);
    EXPECT_EQ(anonymous.status, 401);
    EXPECT_EQ(anonymous.header("WWW-Authenticate"), R"(Bearer realm="tokengate")");
    EXPECT_EQ(envoy_ok.status, 200);
    EXPECT_EQ(envoy_ok.header("X-User-Id"), "user-42");
    EXPECT_EQ(envoy_forbidden.status, 403);
    EXPECT_EQ(upstream.bytes(), 0u);
}

}  // namespace
}  // namespace tokengate::test
