// The redaction guarantee (SPEC §8): whatever path a request or a command takes —
// accepted, every rejection reason, malformed HTTP, upstream failures, failing JWKS
// fetches, config errors, `check-config`, `serve` refusing to start, `explain` (text and
// --json) — no token, token payload or signature, Authorization value, cookie value or
// secret appears in anything tokengate prints (stdout, stderr) or answers (response
// bodies and headers, the admin endpoints).
//
// Table-driven: a case is one line; the byte strings to look for are derived from what
// the case sends (its Authorization, cookies, token headers and query values), plus the
// secrets every configuration here holds.
#include "support/http_client.hpp"
#include "support/jwks_server.hpp"
#include "support/proxy_fixture.hpp"
#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"

#include "tokengate/jose/base64url.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tokengate::test {
namespace {

using std::chrono::milliseconds;

// ---- secrets the configurations hold ------------------------------------------------

const std::string env_secret = "env-hmac-secret-7Qz9-0123456789abcdef-XYZ";
const std::string env_secret_name = "TOKENGATE_REDACTION_SECRET";
const std::string newline_secret = "newline-hmac-secret-4Kp2-0123456789abcdef";  // the file adds "\n"
const std::string other_secret = "another-tenants-secret-8Lm3-0123456789abcd";   // signs "wrong secret" tokens
const std::string oct_secret = "inline-oct-secret-5Rt1-0123456789abcdef-QW";     // an inline JWKS "k"
const std::string jwks_url_key = "jwks-url-api-key-3e8d1f0a";                   // a JWKS URL's query
const std::string unrelated_cookie = "unrelated-cookie-value-9c1e7b";
const std::string basic_credentials = jose::base64url_encode("alice:basic-password-5t6y");

const std::string env_issuer = "https://env.test/";
const std::string newline_issuer = "https://newline.test/";
const std::string remote_issuer = "https://remote.test/";

std::vector<std::string> global_needles() {
    return {std::string(fixture_secret), env_secret, newline_secret, other_secret, oct_secret,
            jose::base64url_encode(oct_secret), jwks_url_key, unrelated_cookie, basic_credentials};
}

// ---- tokens -----------------------------------------------------------------------

std::string claims(const std::string& iss, const std::string& sub, const std::string& extra = "") {
    const std::int64_t now = unix_now();
    return R"({"iss":")" + iss + R"(","aud":"api","sub":")" + sub + R"(","scope":"read","iat":)" +
           std::to_string(now) + R"(,"exp":)" + std::to_string(now + 600) + extra + "}";
}

std::string rsa(const std::string& sub, const std::string& extra = "") {
    return rsa_token(claims(std::string(fixture_issuer), sub, extra));
}

// Claims with `members` replacing the defaults entirely (for time and audience mistakes).
std::string rsa_raw(const std::string& members) {
    return rsa_token(R"({"iss":")" + std::string(fixture_issuer) + R"(","sub":"redact-raw",)" + members + "}");
}

std::string at(std::int64_t offset) { return std::to_string(unix_now() + offset); }

// ---- what a case sends, and what must never come back ------------------------------

std::vector<std::string> token_needles(const std::string& token) {
    std::vector<std::string> out{token};
    std::size_t start = 0;
    for (int part = 0; start <= token.size(); ++part) {
        const auto dot = std::min(token.find('.', start), token.size());
        // Part 0 is the JOSE header, the same for many tokens and no secret.
        if (part > 0 && dot - start >= 16) out.push_back(token.substr(start, dot - start));
        start = dot + 1;
    }
    return out;
}

std::vector<std::string> query_values(std::string_view target) {
    std::vector<std::string> out;
    const auto q = target.find('?');
    if (q == std::string_view::npos) return out;
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        const auto amp = std::min(rest.find('&'), rest.size());
        const std::string_view pair = rest.substr(0, amp);
        const auto eq = pair.find('=');
        if (eq != std::string_view::npos) out.emplace_back(pair.substr(eq + 1));
        rest.remove_prefix(std::min(amp + 1, rest.size()));
    }
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](char x, char y) { return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y)); });
}

std::vector<std::string> request_needles(const std::string& target, const header_list& headers) {
    std::vector<std::string> out;
    const auto add_token = [&](const std::string& t) {
        for (auto& n : token_needles(t)) out.push_back(std::move(n));
    };
    for (const auto& v : query_values(target)) add_token(v);
    for (const auto& [name, value] : headers) {
        if (iequals(name, "Authorization")) {
            out.push_back(value);
            const auto space = value.find(' ');
            if (space != std::string::npos) add_token(value.substr(space + 1));
        } else if (iequals(name, "Cookie")) {
            out.push_back(value);
            std::string_view rest = value;
            while (!rest.empty()) {
                const auto semi = std::min(rest.find(';'), rest.size());
                const std::string_view pair = rest.substr(0, semi);
                if (const auto eq = pair.find('='); eq != std::string_view::npos) add_token(std::string(pair.substr(eq + 1)));
                rest.remove_prefix(std::min(semi + 1, rest.size()));
            }
        } else if (iequals(name, "X-Token")) {
            add_token(value);
        } else if (iequals(name, "X-Original-URI")) {
            for (const auto& v : query_values(value)) add_token(v);
        }
    }
    // Too short to be searched without false alarms: the cases use long values.
    out.erase(std::remove_if(out.begin(), out.end(), [](const std::string& n) { return n.size() < 12; }), out.end());
    return out;
}

// Where a case runs: each is one proxy with its own upstream and keys.
enum class env { main, upstream_down, slow_upstream, jwks_failing };

struct wire_case {
    std::string name;
    env where;
    std::string target;
    header_list headers;
    int status;
    std::string raw = {};  // exact request bytes instead of target + headers (malformed HTTP)
    std::vector<std::string> needles = {};  // for raw requests: what they carry
};

std::string bearer(const std::string& token) { return "Bearer " + token; }

std::vector<wire_case> wire_cases() {
    const std::string valid = rsa("redact-valid");
    const std::string jwe = "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.ZW5jcnlwdGVkLWtleS1wYXJ0LTEyMzQ1Ng."
                            "aXYtcGFydC0xMjM0NTY3OA.Y2lwaGVydGV4dC1wYXJ0LTEyMzQ1Njc4OQ.dGFnLXBhcnQtMTIzNDU2Nzg5MA";
    const std::string big = "eyJhbGciOiJSUzI1NiJ9." + std::string(9000, 'Q') + ".c2lnbmF0dXJlLXRvby1sYXJnZQ";
    // The valid token's parts in standard base64: '-'/'_' as '+'/'/' and '=' padding.
    std::string std_b64 = rsa("redact-std-b64");
    std::replace(std_b64.begin(), std_b64.end(), '-', '+');
    std::replace(std_b64.begin(), std_b64.end(), '_', '/');
    std_b64 += "==";
    const std::string chunked_raw = "POST /api/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + valid +
                                    "\r\nTransfer-Encoding: chunked\r\n\r\nzz-not-hex\r\n";
    const std::string fold_raw = "GET /api HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + valid + "\r\nX-Fold: a\r\n b\r\n\r\n";
    const std::string huge_raw = "GET /api HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + valid + "\r\nX-Big: " +
                                 std::string(20000, 'b') + "\r\n\r\n";
    const std::string remote_token = rsa_token(claims(remote_issuer, "redact-remote"));
    return {
        // accepted: forwarded (access log on), by every token source, and by forward-auth
        {"valid bearer", env::main, "/api/r", {{"Authorization", bearer(valid)}}, 200},
        {"valid cookie + unrelated cookies", env::main, "/api/r", {{"Cookie", "theme=" + unrelated_cookie + "; access_token=" + rsa("redact-cookie") + "; lang=en"}}, 200},
        {"valid query parameter", env::main, "/api/r?access_token=" + rsa("redact-query") + "&page=2", {}, 200},
        {"valid custom header", env::main, "/api/r", {{"X-Token", rsa("redact-xtoken")}}, 200},
        {"valid HS256 secret_env", env::main, "/api/r", {{"Authorization", bearer(hmac_token(claims(env_issuer, "redact-env"), env_secret))}}, 200},
        {"forward-auth accepted, token in the original query", env::main, "/auth", {{"X-Original-URI", "/orders?access_token=" + rsa("redact-fa-q")}}, 200},
        {"forward-auth accepted, secret in the original query", env::main, "/auth", {{"Authorization", bearer(rsa("redact-fa"))}, {"X-Original-URI", "/orders?session_key=original-query-secret-77aa"}}, 200},
        {"forward-auth rejected", env::main, "/auth", {{"Authorization", bearer(rsa("redact-fa-bad", ",\"scope\":\"x\"") + "x")}, {"X-Original-URI", "/scoped/a"}}, 401},
        // every rejection reason the proxy produces with local keys
        {"missing_token: Basic credentials", env::main, "/api/r", {{"Authorization", "Basic " + basic_credentials}}, 401},
        {"missing_token: unrelated cookie only", env::main, "/api/r", {{"Cookie", "theme=" + unrelated_cookie}}, 401},
        {"malformed_token: two segments", env::main, "/api/r", {{"Authorization", bearer("eyJhbGciOiJSUzI1NiJ9.bm90LWEtd2hvbGUtdG9rZW4tcGF5bG9hZA")}}, 401},
        {"malformed_token: opaque", env::main, "/api/r", {{"Authorization", bearer("opaque-access-token-0f9e8d7c6b5a")}}, 401},
        {"malformed_token: standard base64", env::main, "/api/r", {{"Authorization", bearer(std_b64)}}, 401},
        {"malformed_token: two Authorization headers", env::main, "/api/r", {{"Authorization", bearer(rsa("redact-dup1"))}, {"Authorization", bearer(rsa("redact-dup2"))}}, 401},
        {"malformed_token: header and cookie", env::main, "/api/r", {{"Authorization", bearer(rsa("redact-amb1"))}, {"Cookie", "access_token=" + rsa("redact-amb2")}}, 401},
        {"token_too_large", env::main, "/api/r", {{"Authorization", bearer(big)}}, 401},
        {"encrypted_token_unsupported", env::main, "/api/r", {{"Authorization", bearer(jwe)}}, 401},
        {"alg_not_allowed: HS256 for RS256", env::main, "/api/r", {{"Authorization", bearer(hmac_token(claims(std::string(fixture_issuer), "redact-alg")))}}, 401},
        {"unknown_kid", env::main, "/api/r", {{"Authorization", bearer(rsa_token(claims(std::string(fixture_issuer), "redact-kid"), R"({"alg":"RS256","kid":"k9","typ":"JWT"})"))}}, 401},
        {"bad_signature: other RSA key", env::main, "/api/r", {{"Authorization", bearer(rsa_token(claims(std::string(fixture_issuer), "redact-sig"), R"({"alg":"RS256","kid":"k1","typ":"JWT"})", 1))}}, 401},
        {"bad_signature: other secret", env::main, "/api/r", {{"Authorization", bearer(hmac_token(claims(std::string(fixture_hmac_issuer), "redact-other"), other_secret))}}, 401},
        {"bad_signature: secret's trailing newline", env::main, "/api/r", {{"Authorization", bearer(hmac_token(claims(newline_issuer, "redact-nl"), newline_secret))}}, 401},
        {"expired", env::main, "/api/r", {{"Authorization", bearer(rsa_raw("\"aud\":\"api\",\"iat\":" + at(-4000) + ",\"exp\":" + at(-3600)))}}, 401},
        {"not_yet_valid", env::main, "/api/r", {{"Authorization", bearer(rsa_raw("\"aud\":\"api\",\"iat\":" + at(0) + ",\"exp\":" + at(600) + ",\"nbf\":" + at(3600)))}}, 401},
        {"issued_in_future", env::main, "/api/r", {{"Authorization", bearer(rsa_raw("\"aud\":\"api\",\"iat\":" + at(3600) + ",\"exp\":" + at(4000)))}}, 401},
        {"invalid_claim: exp in milliseconds", env::main, "/api/r", {{"Authorization", bearer(rsa_raw("\"aud\":\"api\",\"iat\":" + at(0) + ",\"exp\":" + at(600) + "000"))}}, 401},
        {"bad_issuer: trailing slash", env::main, "/api/r", {{"Authorization", bearer(rsa_token(claims("https://issuer.test", "redact-iss")))}}, 401},
        {"bad_audience", env::main, "/api/r", {{"Authorization", bearer(rsa_raw("\"aud\":\"other-api\",\"iat\":" + at(0) + ",\"exp\":" + at(600)))}}, 401},
        {"missing_claim: no exp", env::main, "/api/r", {{"Authorization", bearer(rsa_raw("\"aud\":\"api\",\"iat\":" + at(0)))}}, 401},
        {"insufficient_scope", env::main, "/scoped/r", {{"Authorization", bearer(rsa("redact-scope"))}}, 403},
        {"lifetime_too_long", env::main, "/api/r", {{"Authorization", bearer(rsa_raw("\"aud\":\"api\",\"iat\":" + at(0) + ",\"exp\":" + at(86400)))}}, 401},
        {"bad_type", env::main, "/api/r", {{"Authorization", bearer(rsa_token(claims(std::string(fixture_issuer), "redact-typ"), R"({"alg":"RS256","kid":"k1","typ":"at+jwt"})"))}}, 401},
        // refused before authentication, with credentials on board
        {"bad path with token in query", env::main, "/a%2Fb?access_token=" + rsa("redact-path"), {{"Authorization", bearer(rsa("redact-path-h"))}}, 400},
        {"obs-fold header", env::main, "", {}, 400, fold_raw, token_needles(valid)},
        {"header too large", env::main, "", {}, 431, huge_raw, token_needles(valid)},
        {"bad chunked body after a valid token", env::main, "", {}, 400, chunked_raw, token_needles(valid)},
        // the upstream fails after authentication
        {"upstream down", env::upstream_down, "/api/r?access_token=" + rsa("redact-down-q"), {{"Cookie", "theme=" + unrelated_cookie}}, 502},
        {"upstream too slow", env::slow_upstream, "/slow?ms=5000", {{"Authorization", bearer(rsa("redact-slow"))}}, 504},
        // the provider's JWKS cannot be fetched
        {"keys_unavailable", env::jwks_failing, "/api/r", {{"Authorization", bearer(remote_token)}}, 503},
    };
}

// One proxy per environment, started on first use and kept for the cases that follow.
class RedactionTest : public ::testing::Test {
protected:
    struct running_env {
        std::unique_ptr<proxy_fixture> fx;
        std::unique_ptr<recording_upstream> upstream;
        std::unique_ptr<jwks_server> jwks;
        std::vector<std::string> responses;  // every response as text: status line, headers, body
    };

    static std::string shared_providers(const std::string& dir) {
        return R"(
    {"name": "rsa", "issuer": ")" + std::string(fixture_issuer) + R"(", "audiences": ["api"], "algorithms": ["RS256"],
     "jwks_file": "jwks.json", "typ": "JWT", "max_lifetime_s": 7200},
    {"name": "hmac", "issuer": ")" + std::string(fixture_hmac_issuer) + R"(", "audiences": ["api"], "algorithms": ["HS256"],
     "secret_file": "secret.txt"},
    {"name": "hmac-env", "issuer": ")" + env_issuer + R"(", "audiences": ["api"], "algorithms": ["HS256"],
     "secret_env": ")" + env_secret_name + R"("},
    {"name": "hmac-newline", "issuer": ")" + newline_issuer + R"(", "audiences": ["api"], "algorithms": ["HS256"],
     "secret_file": ")" + dir + R"(/secret-newline.txt"})";
    }

    static std::string config_text(std::uint16_t upstream, const std::string& providers, const std::string& extra = "") {
        return R"({
  "listen": "127.0.0.1:${TOKENGATE_TEST_LISTEN_PORT}",
  "admin_listen": "127.0.0.1:${TOKENGATE_TEST_ADMIN_PORT}",
  "upstream": "http://127.0.0.1:)" + std::to_string(upstream) + R"(",
  "threads": 2,
  "providers": [)" + providers + R"(
  ],
  "token_sources": [{"type": "authorization"}, {"type": "cookie", "name": "access_token"},
                    {"type": "query", "name": "access_token"}, {"type": "header", "name": "X-Token"}],
  "routes": [{"path": "/scoped", "match": "prefix", "required_scopes": ["admin"]}],
  "forward_auth": {"enabled": true, "path": "/auth"},
  "identity_headers": {"sub": "X-User-Id"},
  "log": {"access_log": true})" + extra + "\n}\n";
    }

    running_env& env_for(env e) {
        auto& slot = envs_[e];
        if (slot.fx) return slot;
        slot.fx = std::make_unique<proxy_fixture>(TOKENGATE_BINARY);
        proxy_fixture& fx = *slot.fx;
        std::ofstream(fx.dir() / "secret-newline.txt") << newline_secret << "\n";
        const std::string dir = fx.dir().string();
        switch (e) {
        case env::main:
            slot.upstream = std::make_unique<recording_upstream>();
            fx.start_proxy(config_text(slot.upstream->port(), shared_providers(dir)));
            break;
        case env::upstream_down:
            fx.start_proxy(config_text(pick_free_port(), shared_providers(dir)));
            break;
        case env::slow_upstream:
            fx.start_echo();
            fx.start_proxy(config_text(fx.echo_port(), shared_providers(dir),
                                       R"(, "limits": {"upstream_response_timeout_ms": 300})"));
            break;
        case env::jwks_failing: {
            slot.upstream = std::make_unique<recording_upstream>();
            slot.jwks = std::make_unique<jwks_server>(jwks_server::options{.tls = pki_.issue("jwks")});
            // A 200 whose body is no JWK Set: the failure message names the URL it came from.
            slot.jwks->set("/jwks.json", {.status = 200, .body = R"({"keys": "not a list"})"});
            const std::string remote = shared_providers(dir) + R"(,
    {"name": "remote", "issuer": ")" + remote_issuer + R"(", "audiences": ["api"], "algorithms": ["RS256"],
     "jwks_url": ")" + slot.jwks->url("/jwks.json") + "?api_key=" + jwks_url_key + R"(", "ca_file": ")" +
                                       pki_.ca_file().string() + R"(",
     "jwks_cache": {"retry_min_ms": 50, "retry_max_ms": 200}})";
            fx.start_proxy(config_text(slot.upstream->port(), remote), "/healthz");
            if (!fx.wait_for_log("provider", "remote", "jwks.fetch").has_value())
                throw std::runtime_error("no failed jwks.fetch line");
            break;
        }
        }
        return slot;
    }

    static std::string response_text(const http_response& r) {
        std::string out = std::to_string(r.status) + " " + r.reason + "\n";
        for (const auto& [k, v] : r.headers) out += k + ": " + v + "\n";
        return out + "\n" + r.body;
    }

    // Everything an environment's proxy printed: stdout once it has exited, and stderr.
    static std::string printed(proxy_fixture& fx) {
        EXPECT_EQ(fx.stop_proxy(), 0) << fx.proxy().err_text();
        EXPECT_EQ(fx.wait_for_count("proxy.stop", 1), 1U) << "stdout incomplete";
        std::string all;
        for (const auto& l : fx.log_lines()) all += l + "\n";
        return all + fx.proxy().err_text();
    }

    temp_dir pki_dir_{"tokengate-redaction-pki"};
    test_pki pki_ = test_pki::create(pki_dir_.path());
    std::map<env, running_env> envs_;
};

// Reports each needle found in `text` with where it was found.
void expect_absent(const std::string& where, const std::string& text,
                   const std::vector<std::pair<std::string, std::string>>& needles) {
    for (const auto& [owner, needle] : needles) {
        const auto at = text.find(needle);
        if (at == std::string::npos) continue;
        const auto from = at > 80 ? at - 80 : 0;
        ADD_FAILURE() << where << " contains a secret of case \"" << owner << "\" ("
                      << needle.substr(0, 24) << "…): …" << text.substr(from, 200) << "…";
    }
}

TEST_F(RedactionTest, NoCredentialOrSecretInProxyOutputOrResponsesOnAnyPath) {
    // Verifies: for every case (accepted, each reason, malformed HTTP, upstream and JWKS failures) none of the
    // tokens, token parts, Authorization or cookie values sent, nor any configured secret, is printed or answered.
    ::setenv(env_secret_name.c_str(), env_secret.c_str(), 1);  // the proxies inherit it (secret_env)
    std::map<env, std::vector<std::pair<std::string, std::string>>> needles;
    int n = 0;
    for (const auto& c : wire_cases()) {
        SCOPED_TRACE(c.name);
        running_env& e = env_for(c.where);
        const std::string id = "redact-" + std::to_string(n++);
        http_response r;
        std::vector<std::string> sent = c.needles;
        if (c.raw.empty()) {
            header_list h = c.headers;
            h.emplace_back("X-Request-Id", id);
            r = request(e.fx->port(), "GET", c.target, h);
            sent = request_needles(c.target, c.headers);
        } else {
            http_connection conn(e.fx->port());
            conn.send(c.raw);
            r = conn.read_response();
        }
        EXPECT_EQ(r.status, c.status) << r.body;
        EXPECT_FALSE(sent.empty()) << "a case that sends no credential tests nothing";
        e.responses.push_back(response_text(r));
        if (c.raw.empty()) {
            // The case went through the logging path it names: its line exists.
            EXPECT_TRUE(e.fx->wait_for_log("request_id", id).has_value()) << "no log line for " << id;
        }
        for (auto& s : sent) needles[c.where].emplace_back(c.name, std::move(s));
    }
    // The admin endpoints show provider state and errors: check them too.
    for (auto& [where, e] : envs_) {
        e.responses.push_back(response_text(get(e.fx->admin_port(), "/readyz")));
        e.responses.push_back(response_text(get(e.fx->admin_port(), "/metrics")));
    }

    for (auto& [where, e] : envs_) {
        auto all = needles[where];
        for (const auto& g : global_needles()) all.emplace_back("(configured secret)", g);
        const std::string out = printed(*e.fx);
        expect_absent("proxy output", out, all);
        for (const auto& resp : e.responses) expect_absent("a response", resp, all);
    }
    ::unsetenv(env_secret_name.c_str());
}

// ---- commands: explain, check-config, serve ----------------------------------------

struct command_case {
    std::string name;
    std::vector<std::string> args;  // after the binary; "DIR" is replaced by the case's temp dir
    int exit_code;
    std::vector<std::string> needles;
    std::optional<std::string> stdin_data = std::nullopt;
};

std::vector<command_case> command_cases() {
    const std::string hmac_iss(fixture_hmac_issuer);
    const std::string good = hmac_token(claims(hmac_iss, "cli-good"));
    const std::string wrong = hmac_token(claims(hmac_iss, "cli-wrong"), other_secret);
    const std::string nl = hmac_token(claims(newline_issuer, "cli-nl"), newline_secret);
    const std::string env_tok = hmac_token(claims(env_issuer, "cli-env"), env_secret);
    std::string std_b64 = hmac_token(claims(hmac_iss, "cli-b64"));
    std::replace(std_b64.begin(), std_b64.end(), '-', '+');
    std::replace(std_b64.begin(), std_b64.end(), '_', '/');
    std_b64 += "=";  // padding: standard base64 even when no '-' or '_' was there to replace
    const std::vector<std::string> policy = {"--issuer", hmac_iss, "--audience", "api"};
    const auto with = [](std::vector<std::string> a, const std::vector<std::string>& b) {
        a.insert(a.end(), b.begin(), b.end());
        return a;
    };
    return {
        {"explain valid", with({"explain", good, "--secret-file", "DIR/secret.txt"}, policy), 0, token_needles(good)},
        {"explain valid --json", with({"explain", good, "--json", "--secret-file", "DIR/secret.txt"}, policy), 0, token_needles(good)},
        {"explain wrong secret", with({"explain", wrong, "--secret-file", "DIR/secret.txt"}, policy), 1, token_needles(wrong)},
        {"explain wrong secret --json", with({"explain", wrong, "--json", "--secret-file", "DIR/secret.txt"}, policy), 1, token_needles(wrong)},
        {"explain secret with newline", {"explain", nl, "--secret-file", "DIR/secret-newline.txt", "--issuer", newline_issuer, "--audience", "api"}, 1, token_needles(nl)},
        {"explain secret with newline --json", {"explain", nl, "--json", "--secret-file", "DIR/secret-newline.txt", "--issuer", newline_issuer, "--audience", "api"}, 1, token_needles(nl)},
        {"explain from stdin, --secret-env", {"explain", "-", "--secret-env", env_secret_name, "--issuer", env_issuer, "--audience", "api"}, 0, token_needles(env_tok), env_tok + "\n"},
        {"explain without a key", {"explain", good}, 1, token_needles(good)},
        {"explain standard base64", with({"explain", std_b64, "--secret-file", "DIR/secret.txt"}, policy), 1, token_needles(std_b64)},
        {"explain --config", {"explain", good, "--config", "DIR/config-ok.json", "--provider", "hmac"}, 0, token_needles(good)},
        {"check-config: bad value next to secret_env", {"check-config", "DIR/config-bad-neighbour.json"}, 1, {}},
        {"serve: bad value next to secret_env", {"serve", "--config", "DIR/config-bad-neighbour.json"}, 1, {}},
        {"check-config: the secret itself in secret_env", {"check-config", "DIR/config-secret-as-name.json"}, 1, {}},
        {"serve: the secret itself in secret_env", {"serve", "--config", "DIR/config-secret-as-name.json"}, 1, {}},
        {"check-config: inline oct key next to an error", {"check-config", "DIR/config-inline-oct.json"}, 1, {}},
        {"serve: inline oct key next to an error", {"serve", "--config", "DIR/config-inline-oct.json"}, 1, {}},
        {"check-config: syntax error beside an inline oct key", {"check-config", "DIR/config-syntax.json"}, 1, {}},
        {"check-config: secret too short", {"check-config", "DIR/config-short.json"}, 1, {}},
        {"serve: secret too short", {"serve", "--config", "DIR/config-short.json"}, 1, {}},
    };
}

// Config files the command cases read, each holding a secret beside its mistake.
void write_command_files(const std::filesystem::path& dir) {
    const std::string provider_head = R"({"providers": [{"name": "hmac", "issuer": ")" + std::string(fixture_hmac_issuer) +
                                      R"(", "audiences": ["api"], "algorithms": ["HS256"], )";
    const std::string listen = R"(, "listen": "127.0.0.1:1", "admin_listen": "127.0.0.1:2")";
    std::ofstream(dir / "secret.txt") << fixture_secret;
    std::ofstream(dir / "secret-newline.txt") << newline_secret << "\n";
    std::ofstream(dir / "secret-short.txt") << "short-secret-x1";
    std::ofstream(dir / "config-ok.json") << provider_head << R"("secret_file": "secret.txt"}])" << listen << "}";
    std::ofstream(dir / "config-bad-neighbour.json")
        << provider_head << R"("secret_env": ")" << env_secret_name << R"(", "leeway_s": "soon"}])" << listen << "}";
    std::ofstream(dir / "config-secret-as-name.json")
        << provider_head << R"("secret_env": ")" << env_secret << R"("}])" << listen << "}";
    const std::string oct = R"({"keys": [{"kty": "oct", "kid": "o1", "alg": "HS256", "k": ")" +
                            jose::base64url_encode(oct_secret) + R"("}]})";
    std::ofstream(dir / "config-inline-oct.json")
        << provider_head << R"("jwks": )" << oct << R"(, "typ": 7}])" << listen << "}";
    std::ofstream(dir / "config-syntax.json") << provider_head << R"("jwks": )" << oct << R"( "leeway_s": 5}])" << listen << "}";
    std::ofstream(dir / "config-short.json") << provider_head << R"("secret_file": "secret-short.txt"}])" << listen << "}";
}

TEST(RedactionCommandTest, NoTokenOrSecretInExplainCheckConfigOrServeOutput) {
    // Verifies: explain (text and --json, argv and stdin, every key source), check-config and a refusing serve
    // print neither the token, its payload or signature, nor any secret of the configs they read.
    temp_dir dir{"tokengate-redaction-cli"};
    write_command_files(dir.path());
    for (const auto& c : command_cases()) {
        SCOPED_TRACE(c.name);
        std::vector<std::string> argv = {TOKENGATE_BINARY};
        for (auto a : c.args) {
            if (a.rfind("DIR/", 0) == 0) a = (dir.path() / a.substr(4)).string();
            argv.push_back(a);
        }
        process_options o;
        o.env = {{env_secret_name, env_secret}};
        o.stdin_data = c.stdin_data;

        const process_result r = run_process(argv, o);

        EXPECT_EQ(r.exit_code, c.exit_code) << r.out << r.err;
        EXPECT_FALSE(r.out.empty() && r.err.empty()) << "the command printed nothing: nothing was checked";
        std::vector<std::pair<std::string, std::string>> needles;
        for (const auto& n : c.needles) needles.emplace_back(c.name, n);
        for (const auto& g : global_needles()) needles.emplace_back("(configured secret)", g);
        expect_absent("stdout", r.out, needles);
        expect_absent("stderr", r.err, needles);
    }
}

}  // namespace
}  // namespace tokengate::test
