// Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/). The tokens
// are signed with the private halves of the fixed keys in fuzz_trust.cpp and are valid
// (or fail one specific check) at fuzz::now_s, so the fuzzer starts past the signature.
//
//   tokengate_fuzz_seeds tests/fuzz/corpus [config/examples]
//
// With the second argument, the shipped example configs are copied into fuzz_config/ too.

#include "fuzz_trust.hpp"

#include "support/test_keys.hpp"
#include "support/token_builder.hpp"
#include "tokengate/jose/base64url.hpp"

#include <openssl/pem.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace {

namespace fs = std::filesystem;
namespace fuzz = tokengate::fuzz;
namespace jose = tokengate::jose;
namespace crypto = tokengate::crypto;
namespace test = tokengate::test;

// Test-only keys: they guard nothing but this corpus.
constexpr std::string_view rsa_private_pem = R"(-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCpzmTvQwaQVOvW
wjRHBj0/mBdU3DAMpiFu+/Mj8G/BkIIMTqBsuOEL4InXxlciAzZHjx2ldhw/rAqY
n0kvbVMZnVL6OmBDeTT5nf6gtol9GvQEOIkDIHX3TrmUh0rnP66Hjcs5DeHpDKTr
XStxKAPOolyBD/10tJ/Dsw/5/t+HCyW+/D/4H7pGKqaI/w6xKU012r4BR4mAMiCI
smoDqSWx5SpHsRsxklruzFH7OskL1oNYQsv6j1B9wYNO3bWOAN/k89lLSxdIMtAT
y01Z/EprsDcEnnxhvwRUM8MeqlNtXy3yOyqqVz0u5mx1Z4MjfXVP7SjjJdlst7yL
jkWYhcolAgMBAAECggEAKHIKxJqYY6R2kC6tuQUZbZ5SYFoZ78laSU8luLe6Rsae
00OfHoZixCt1abnKY0WUljLWguTBEcFuvK+kBPHrSzyX2RYye5/RKGujjLAty2iy
GpdEu0PuFTvhJCmdg7s9XPg/IZXW62WhmpYUlN1NGti9Y9hlLHkhXMG32noEz+tK
cYd7wiXN+GNdnR3YMPZW9Lqt9YnCoGQNschPYErEo/81F/qLc+KjD/qloC7HttJY
/1pwZB2uBLI5N1Lp9KGZmm7JrMtMUYQpx3GeD6p4TOfDWtoPbvu4KuZgabjyqctY
NdJA3/vND3woQKiXEbuM4Fec+iG8jjCIGA8VTtZH+QKBgQDXCHsPMgz3vIo1uGaC
bc+GynE3xUuJU/OKNmO9T2KRxBe3vo2DF1TQN8cMHKXKK7Gpvcc3aoYJI2aPRr8+
7AH5YZCS0ou67gN39MUwiEFGXsxn/7YI0cj3SQ97zLfEZOOMHHlRvQBYeD2MnYUy
VK+I1psytM79hmd2fWWTRaURcwKBgQDKKB+O4aoxdln8wygwLoOpTxRVMgz89LyR
kXqjxdqWLfX4PWDOrH3pZZ32BZtT3ZWmgbp2DM3o0ZPUOUAgo9b6yGQ5hdGL1SRu
/SbjK2VHTK8QFVE9uKV5/kZ/7i6TUVSZx6262JlcYLR9XajKMYVLsU0FJEp7eGre
kDCLySBwBwKBgDzcbKAXZW400dV0lKbz15np8HN9huyecz66OC6bqmVhX+kkqL7i
uqGYN+Eoto/rIATP7vOzVa5+c4e32WdAuypPP/EeYGgO97Ja9/jNh9QX/risumPy
pHPBHP3IKncOqwy7/mZxHQjtN1Z2Ov3M1EXhn9mRLUi6Ysw5n6c4PgkbAoGASgJg
c1XIki0rCq+D8gfFaeGqpvoY6S7MLlrdVEHmIZ8X8ta9r0xVGHJ8Xwp0cEKqO/g4
hGlxpO+9OC/xe0GgPdXJY4nLSm8w1HVXnElR3cWEPdYgFQGZi0z9EG7pnENlPpts
zf/oPXql+VOlrMhubWSuttgvcH6IWYzeSP7MIlcCgYBHofIEI1dfFPrH3SPUZFc1
ossZdcgiQGhlpNZTs8OLXUYXTx40YTmdcVk8BC8ErqYuri0kEdFD+EQXtuFV8oIN
3fbnCt6N/UfjdPJJZ+foRT1orXXh9sYaNSvGK+UZeitNhAtkmNX9Zb6hUZSCOi05
VpY+UagAPXGZBSXFqts3bw==
-----END PRIVATE KEY-----
)";

constexpr std::string_view ec_private_pem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg7oEE3VAfaaRKHU/S
uFX3fvRKbOUBU4H863SgIId9xauhRANCAAQxxPUPVdVqLLyBajcGg79fVJCsCILP
H5AFhbwTdmTjykhAQrxFOcb6Hkussey59vZ3eiv4sjIDSp6i774Uulqh
-----END PRIVATE KEY-----
)";

constexpr std::string_view ed_private_pem = R"(-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIOqG3YxCisTWFX7g1TlXJZhboGeUIgQqG134DvpjPZAW
-----END PRIVATE KEY-----
)";

crypto::shared_pkey private_key(std::string_view pem) {
    crypto::bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    crypto::evp_pkey_ptr k(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!k) throw std::runtime_error("fixed private key does not load");
    return crypto::share(std::move(k));
}

// The fuzz trust's public key with this kid, paired with its private half.
test::key_pair pair(std::string_view pem, std::string_view kid) {
    const auto* pub = fuzz::trust().providers.front().keys.keys->find(kid);
    if (pub == nullptr) throw std::runtime_error("no fuzz key " + std::string(kid));
    return {private_key(pem), std::make_shared<const crypto::key>(*pub)};
}

void write(const fs::path& dir, const std::string& name, const std::string& bytes) {
    fs::create_directories(dir);
    std::ofstream(dir / name, std::ios::binary) << bytes;
}

std::string num(std::int64_t offset) { return std::to_string(fuzz::now_s + offset); }

std::string idp_claims(const std::string& exp = num(3600)) {
    return R"({"iss":")" + std::string(fuzz::idp_issuer) + R"(","sub":"user-42","aud":"api","iat":)" + num(-60) +
           R"(,"nbf":)" + num(-60) + R"(,"exp":)" + exp + R"(,"scope":"read write","tenant":"acme"})";
}

std::string hs_claims() {
    return R"({"iss":")" + std::string(fuzz::hs_issuer) + R"(","sub":"svc-7","aud":["svc","other"],"iat":)" +
           num(-10) + R"(,"exp":)" + num(600) + R"(,"scp":["read"],"tenant":"acme"})";
}

std::string header(std::string_view alg, std::string_view kid, std::string_view extra = "") {
    std::string h = R"({"alg":")" + std::string(alg) + R"(","typ":"JWT")";
    if (!kid.empty()) h += R"(,"kid":")" + std::string(kid) + "\"";
    return h + std::string(extra) + "}";
}

void compact_seeds(const fs::path& dir, const test::key_pair& rsa, const test::key_pair& ec,
                   const test::key_pair& ed) {
    const std::string secret(fuzz::hmac_secret);
    const std::string hs_header = R"({"alg":"HS256","typ":"at+jwt"})";
    const std::string rs256 = test::make_token(header("RS256", fuzz::rsa_kid), idp_claims(), jose::alg::rs256, rsa.priv.get());
    write(dir, "rs256_valid.jwt", rs256);
    write(dir, "rs256_no_kid.jwt", test::make_token(header("RS256", ""), idp_claims(), jose::alg::rs256, rsa.priv.get()));
    write(dir, "ps256_valid.jwt", test::make_token(header("PS256", fuzz::rsa_kid), idp_claims(), jose::alg::ps256, rsa.priv.get()));
    write(dir, "es256_valid.jwt", test::make_token(header("ES256", fuzz::ec_kid), idp_claims(), jose::alg::es256, ec.priv.get()));
    write(dir, "eddsa_valid.jwt", test::make_token(header("EdDSA", fuzz::ed_kid), idp_claims(), jose::alg::eddsa, ed.priv.get()));
    write(dir, "hs256_valid.jwt", test::make_hmac_token(hs_header, hs_claims(), jose::alg::hs256, secret));
    write(dir, "hs512_valid.jwt",
          test::make_hmac_token(R"({"alg":"HS512","typ":"application/at+jwt"})", hs_claims(), jose::alg::hs512, secret));
    write(dir, "rs512_not_allowed.jwt",
          test::make_token(header("RS512", fuzz::rsa_kid), idp_claims(), jose::alg::rs512, rsa.priv.get()));
    write(dir, "es256_expired.jwt",
          test::make_token(header("ES256", fuzz::ec_kid), idp_claims(num(-7200)), jose::alg::es256, ec.priv.get()));
    write(dir, "rs256_exp_milliseconds.jwt",
          test::make_token(header("RS256", fuzz::rsa_kid), idp_claims(num(3600) + "000"), jose::alg::rs256, rsa.priv.get()));
    write(dir, "hs256_secret_with_newline.jwt", test::make_hmac_token(hs_header, hs_claims(), jose::alg::hs256, secret + "\n"));
    // RS256 → HS256 confusion: the HMAC keyed with the provider's own public key PEM.
    write(dir, "hs256_keyed_with_rsa_pem.jwt",
          test::make_hmac_token(header("HS256", fuzz::rsa_kid), idp_claims(), jose::alg::hs256, test::public_pem(rsa)));
    write(dir, "rs256_provider_down.jwt",
          test::make_raw_token(header("RS256", "k"), R"({"iss":")" + std::string(fuzz::down_issuer) + R"(","exp":1})",
                               std::string(256, 'x')));
    write(dir, "rs256_unknown_kid.jwt",
          test::make_token(header("RS256", "rsa-0"), idp_claims(), jose::alg::rs256, rsa.priv.get()));
    write(dir, "es256_crit.jwt",
          test::make_token(header("ES256", fuzz::ec_kid, R"(,"crit":["exp"],"exp":1)"), idp_claims(), jose::alg::es256,
                           ec.priv.get()));
    write(dir, "es256_embedded_jwk.jwt",
          test::make_raw_token(header("ES256", "", R"(,"jwk":{"kty":"EC","crv":"P-256","x":"AA","y":"AA"})"),
                               idp_claims(), std::string(64, '\1')));
    write(dir, "duplicate_alg.jwt", test::make_raw_token(R"({"alg":"RS256","alg":"none"})", idp_claims(), "sig"));
    write(dir, "alg_none.jwt", test::make_raw_token(R"({"alg":"none"})", idp_claims(), ""));
    write(dir, "jwe_five_segments.txt",
          jose::base64url_encode(R"({"alg":"RSA-OAEP","enc":"A256GCM"})") + ".a2V5.aXY.Y2lwaGVy.dGFn");
    write(dir, "bearer_prefix.txt", "Bearer " + rs256);
    write(dir, "opaque.txt", "2YotnFZFEjr1zCsicMWpAA");
}

void jwks_seeds(const fs::path& dir, const test::key_pair& rsa, const test::key_pair& ec,
                const test::key_pair& ed) {
    const std::string oct = R"({"kty":"oct","kid":"hs-1","alg":"HS256","k":")" +
                            jose::base64url_encode(fuzz::hmac_secret) + "\"}";
    write(dir, "all_kinds.json",
          R"({"keys":[)" + test::jwk_json(rsa, "rsa-1", R"("alg":"RS256","use":"sig")") + "," +
              test::jwk_json(ec, "ec-1", R"("key_ops":["verify"])") + "," + test::jwk_json(ed, "ed-1") + "," + oct + "]}");
    write(dir, "single_jwk.json", test::jwk_json(ec, "ec-1"));
    write(dir, "empty.json", R"({"keys":[]})");
    write(dir, "skipped_entries.json",
          R"({"keys":[)" + test::jwk_json(rsa, "enc", R"("use":"enc")") + "," +
              test::jwk_json(ec, "ops", R"("key_ops":["sign"])") + "," + test::jwk_json(ec, "alg", R"("alg":"ES384")") +
              R"(,{"kty":"OKP","crv":"X25519","x":"AAAA","kid":"x"},{"kty":"oct","k":"c2hvcnQ","alg":"HS256"},)" +
              R"({"kty":"EC","crv":"P-256","x":")" + jose::base64url_encode(std::string(32, '\0')) + R"(","y":")" +
              jose::base64url_encode(std::string(32, '\0')) + R"(","kid":"off-curve"},)" +
              R"({"kty":"RSA","n":"AQAB","e":"AQAB","kid":"tiny"},)" + test::jwk_json(ed, "ed-1") + "," +
              test::jwk_json(ed, "ed-1") + "]}");
}

void base64url_seeds(const fs::path& dir) {
    const char* seeds[][2] = {{"empty", ""},          {"one_byte", "QQ"},      {"two_bytes", "QUI"},
                              {"three_bytes", "QUJD"}, {"url_alphabet", "-_-_"}, {"non_canonical", "QR"},
                              {"padded", "QQ=="},      {"std_alphabet", "ab+/"}, {"bad_length", "QUJDR"},
                              {"json_header", "eyJhbGciOiJFUzI1NiJ9"}};
    for (const auto& s : seeds) write(dir, s[0], s[1]);
}

void json_seeds(const fs::path& dir) {
    std::string deep = R"({"a":)";
    for (int i = 0; i < 14; ++i) deep += "[";
    deep += "1";
    for (int i = 0; i < 14; ++i) deep += "]";
    const char* seeds[][2] = {
        {"header.json", R"({"alg":"ES256","typ":"JWT","kid":"ec-1","crit":["b64"],"b64":true})"},
        {"claims.json", R"({"iss":"https://idp","aud":["a","b"],"exp":1.7e9,"nbf":-0.0,"scp":["read"],"x":null,"y":false})"},
        {"duplicate.json", R"({"a":{"b":1,"b":2}})"},
        {"unicode.json", R"({"n\u00e9":"\ud83d\ude00\u0000","\u0061":"tab\tescaped"})"},
        {"numbers.json", R"({"big":18446744073709551616,"neg":-9223372036854775809,"tiny":1e-320,"huge":1e400})"},
        {"truncated.json", R"({"a":[1,2,{"b":")"},
        {"not_object.json", "[1,2,3]"},
        {"trailing.json", R"({"a":1} {"b":2})"},
    };
    for (const auto& s : seeds) write(dir, s[0], s[1]);
    write(dir, "depth16.json", deep + "}");
    write(dir, "depth17.json", R"({"b":)" + deep + "}}");
}

// Configs that need no key file (fuzz_config skips build_trust for those that do): every
// section, inline JWKS, secrets from the environment, comments, ${} expansion.
void config_seeds(const fs::path& dir, const test::key_pair& rsa, const test::key_pair& ec) {
    const std::string jwks = R"({"keys":[)" + test::jwk_json(rsa, "rsa-1", R"("alg":"RS256")") + "," +
                             test::jwk_json(ec, "ec-1") + "]}";
    write(dir, "full.json", R"({
  // every section once
  "listen": "127.0.0.1:${FUZZ_PORT}",
  "admin_listen": "127.0.0.1:9901",
  "upstream": "http://127.0.0.1:3000",
  "threads": 2,
  "realm": "api",
  "providers": [
    {"name": "idp", "issuer": "https://idp.fuzz.example", "audiences": ["api"], "algorithms": ["RS256", "ES256"],
     "leeway_s": 60, "required_claims": ["sub"], "required_scopes": ["read"],
     "claims": [{"claim": "tenant", "equals": "acme"}, {"claim": "groups", "contains": "ops"}],
     "max_lifetime_s": 86400, "typ": "at+jwt", "jwks": )" + jwks + R"(},
    {"name": "hs", "issuer": "https://hs.fuzz.example", "audiences": ["svc"], "algorithms": ["HS256", "HS512"],
     "secret_env": "FUZZ_SECRET", "require_exp": false},
    {"name": "remote", "issuer": "https://remote.fuzz.example/", "audiences": ["api"], "algorithms": ["PS256"],
     "jwks_url": "https://127.0.0.1:8443/jwks", "jwks_cache": {"refresh_min_s": 30, "max_stale_s": 600,
     "unknown_kid_interval_s": 10, "unknown_kid_wait_ms": 0, "timeout_ms": 5000, "max_bytes": 65536}}
  ],
  "token_sources": [{"type": "authorization"}, {"type": "cookie", "name": "tg"}, {"type": "query", "name": "access_token"}],
  "routes": [
    {"path": "/public/", "match": "prefix", "auth": "none"},
    {"path": "/admin", "match": "prefix", "methods": ["GET", "POST"], "providers": ["idp"], "required_scopes": ["admin"]},
    {"path": "/maybe", "match": "exact", "auth": "optional"}
  ],
  "default_auth": "required",
  "identity_headers": {"sub": "X-User-Id", "email": "X-User-Email"},
  "payload_header": "X-Jwt-Payload",
  "provider_header": "X-Auth-Provider",
  "strip_authorization": true,
  "forward_auth": {"enabled": true, "path": "/auth"},
  "token_cache_entries": 1000,
  "limits": {"max_header_bytes": 8192, "max_body_bytes": 1048576, "max_connections": 100, "max_token_bytes": 4096,
             "header_timeout_ms": 1000, "idle_timeout_ms": 5000, "request_timeout_ms": 10000,
             "upstream_connect_timeout_ms": 500, "upstream_response_timeout_ms": 5000, "upstream_pool_size": 8,
             "drain_timeout_ms": 1000},
  "expose_hints": false,
  "log": {"format": "json"}
}
)");
    write(dir, "single_jwk.json", R"({"providers": [{"name": "one", "issuer": "https://one.example", "audiences": ["a"],
  "algorithms": ["ES256"], "jwks": )" + test::jwk_json(ec, "ec-1") + "}]}\n");
    write(dir, "weak_secrets.json", R"({"providers": [
  {"name": "short", "issuer": "https://s.example", "audiences": ["a"], "algorithms": ["HS256"], "secret_env": "FUZZ_SHORT"},
  {"name": "newline", "issuer": "https://n.example", "audiences": ["a"], "algorithms": ["HS384"], "secret_env": "FUZZ_NEWLINE"}
]}
)");
    write(dir, "refused.json", R"({"providers": [{"name": "x", "issuer": "i", "audiance": ["a"], "algorithms": ["none", "RS256"],
  "jwks": {"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB"}]}}], "listen": ":9901", "unknown": 1,
  "routes": [{"path": "/a/../b", "match": "prefix"}], "limits": {"max_header_bytes": 1.5}} /* unclosed)");
    write(dir, "discovery.json", R"({"providers": [{"name": "d", "issuer": "https://d.example", "audience_check": false,
  "claims": [{"claim": "client_id", "equals": "abc"}], "algorithms": ["RS256", "HS256"], "discovery": true,
  "allow_http_jwks": true}], "$schema": "x", "token_sources": [{"type": "header", "name": "X-Token"}]}
)");
}

// Requests as a client sends them, tokens from the compact seeds: valid and rejected
// tokens in each source, the routes of fuzz_http, smuggling framings and path tricks.
void http_seeds(const fs::path& dir, const std::string& rs256, const std::string& hs256) {
    const auto req = [](const std::string& line, const std::string& headers) {
        return line + "\r\nHost: api.example\r\n" + headers + "\r\n";
    };
    write(dir, "bearer_admin.http", req("GET /admin/users?x=1 HTTP/1.1", "Authorization: Bearer " + rs256 + "\r\n"));
    write(dir, "bearer_api.http", req("POST /api/x HTTP/1.1", "Authorization: bearer " + rs256 +
                                                                  "\r\nContent-Length: 5\r\n") + "hello");
    write(dir, "cookie_hs.http", req("GET /hs/a HTTP/1.1", "Cookie: a=b; tg=" + hs256 + "; c=d\r\n"));
    write(dir, "query_hs.http", req("GET /hs/q?access_token=" + hs256 + "&x=y HTTP/1.1", ""));
    write(dir, "two_places.http", req("GET /hs/q?access_token=" + hs256 + " HTTP/1.1", "Cookie: tg=" + hs256 + "\r\n"));
    write(dir, "optional_basic.http", req("GET /maybe HTTP/1.0", "Authorization: Basic dXNlcjpwYXNz\r\n"));
    write(dir, "public_dots.http", req("GET /public/%2e%2E/./admin//x/..;/y HTTP/1.1", ""));
    write(dir, "encoded.http", req("DELETE /public/%7Euser/%41%2fb%5C%00 HTTP/1.1", "Authorization: Bearer x.y.z\r\n"));
    write(dir, "chunked.http", req("PUT /admin HTTP/1.1", "Transfer-Encoding: gzip, chunked\r\nAuthorization: Bearer " +
                                                              rs256 + "\r\n") + "5\r\nhello\r\n0\r\n\r\n");
    write(dir, "cl_te.http", req("POST /public/a HTTP/1.1", "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n") + "0\r\n\r\nG");
    write(dir, "te_obfuscated.http", req("POST /public/a HTTP/1.1", "Transfer-Encoding: xchunked\r\nTransfer-Encoding : chunked\r\n"));
    write(dir, "two_cl.http", req("POST /public/a HTTP/1.1", "Content-Length: 5\r\nContent-Length: 5, 5\r\n") + "hello");
    write(dir, "obs_fold.http", req("GET /public/a HTTP/1.1", "X-A: b\r\n c\r\n"));
    write(dir, "http09.http", "GET /\r\n\r\n");
    write(dir, "http2.http", req("GET / HTTP/2.0", ""));
    write(dir, "absolute.http", req("GET http://evil.example/admin HTTP/1.1", ""));
    write(dir, "spoof.http", req("GET /admin HTTP/1.1", "X-User-Id: root\r\nX-Auth-Provider: idp\r\nConnection: X-User-Id\r\n"
                                                         "Authorization: Bearer " + rs256 + "\r\n"));
}

// fuzz_fetch: the first byte picks the parser ('0' URL, '1' Cache-Control after an attempt
// and a jitter byte, '2' issuer line then discovery document).
void fetch_seeds(const fs::path& dir) {
    const char* urls[][2] = {
        {"https", "https://idp.example.com/.well-known/jwks.json"},
        {"http_port_query", "http://127.0.0.1:8080/keys?tenant=a&v=2"},
        {"ipv6_port", "https://[2001:db8::1]:8443/jwks"},
        {"ipv4_mapped", "https://[::ffff:192.0.2.1]/"},
        {"userinfo", "https://user:secret@idp.example.com/keys?api_key=k"},
        {"odd_ports", "https://idp.example.com:0443/a"},
        {"port_out_of_range", "https://idp.example.com:65536/"},
        {"bracket_after_port", "https://h:8443]/"},
        {"query_only", "https://h?x=1#frag"},
        {"not_http", "ftp://u@h/?q"},
    };
    for (const auto& u : urls) write(dir, std::string("url_") + u[0], std::string("0") + u[1]);
    // attempt 3, jitter in the middle.
    const char* cache[][2] = {
        {"max_age", "max-age=600"},
        {"no_cache", "no-cache"},
        {"public", "public, max-age=2"},
        {"huge", "max-age=99999999999999"},
        {"huge_negative", "max-age=-99999999999999999999"},
        {"quoted_repeated", "Max-Age = \"45\", max-age=1, must-revalidate"},
        {"no_store_later", "max-age=600, no-store"},
    };
    for (const auto& c : cache) write(dir, std::string("cache_") + c[0], std::string("1\x03\x80") + c[1]);
    write(dir, "cache_first_retry_no_jitter", std::string("1\x01\x00", 3) + "s-maxage=30");
    const std::string issuer = "https://login.example.com/realms/acme";
    write(dir, "discovery_full", "2" + issuer + "\n" + R"({
  "issuer": "https://login.example.com/realms/acme",
  "authorization_endpoint": "https://login.example.com/realms/acme/protocol/openid-connect/auth",
  "token_endpoint": "https://login.example.com/realms/acme/protocol/openid-connect/token",
  "jwks_uri": "https://login.example.com/realms/acme/protocol/openid-connect/certs",
  "response_types_supported": ["code", "id_token", "code id_token"],
  "subject_types_supported": ["public"],
  "id_token_signing_alg_values_supported": ["RS256", "ES256", "PS256"],
  "scopes_supported": ["openid", "email", "profile"],
  "claims_supported": ["sub", "iss", "aud", "exp", "iat", "email"],
  "grant_types_supported": ["authorization_code", "refresh_token"],
  "code_challenge_methods_supported": ["S256"]
}
)");
    write(dir, "discovery_http_jwks",
          R"(2http://idp.local
{"issuer":"http://idp.local","jwks_uri":"http://idp.local:8080/keys"})");
    write(dir, "discovery_escaped",
          "2" + issuer + "/\n" + R"({"issuer":"https:\/\/login.example.com\/realms\/acme\/","jwks_uri":"https://[::1]:8443/k"})");
    write(dir, "discovery_wrong_issuer",
          "2" + issuer + "\n" + R"({"issuer":"https://evil.example","jwks_uri":"https://evil.example/k"})");
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2 && argc != 3) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR [CONFIG_EXAMPLES_DIR]\n", argv[0]);
        return 2;
    }
    const fs::path root = argv[1];
    const test::key_pair rsa = pair(rsa_private_pem, fuzz::rsa_kid);
    const test::key_pair ec = pair(ec_private_pem, fuzz::ec_kid);
    const test::key_pair ed = pair(ed_private_pem, fuzz::ed_kid);
    compact_seeds(root / "fuzz_compact", rsa, ec, ed);
    jwks_seeds(root / "fuzz_jwks", rsa, ec, ed);
    base64url_seeds(root / "fuzz_base64url");
    json_seeds(root / "fuzz_json");
    config_seeds(root / "fuzz_config", rsa, ec);
    if (argc == 3) {
        for (const auto& e : fs::directory_iterator(argv[2]))
            fs::copy_file(e.path(), root / "fuzz_config" / ("example_" + e.path().filename().string()),
                          fs::copy_options::overwrite_existing);
    }
    const std::string rs256 =
        test::make_token(header("RS256", fuzz::rsa_kid), idp_claims(), jose::alg::rs256, rsa.priv.get());
    const std::string hs256 = test::make_hmac_token(R"({"alg":"HS256","typ":"at+jwt"})", hs_claims(), jose::alg::hs256,
                                                    std::string(fuzz::hmac_secret));
    http_seeds(root / "fuzz_http", rs256, hs256);
    fetch_seeds(root / "fuzz_fetch");
    return 0;
}
