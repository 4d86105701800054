#pragma once

#include "support/http_client.hpp"
#include "support/proxy_fixture.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace tokengate::test {

/** Issuer of the ES256 provider "ec" (inline JWKS: test EC P-256 key 0 as kid "e1"). */
inline constexpr std::string_view ec_issuer = "https://ec.test/";
/** Issuer of provider "mixed": RS256 and HS256 in one whitelist (check-config warns),
 *  inline JWKS holding only test RSA key 0 as kid "m1" — the algorithm-confusion setup. */
inline constexpr std::string_view mixed_issuer = "https://mixed.test/";

/** The providers every attack test trusts: the fixture's "rsa" (RS256, kid k1, typ JWT)
 *  and "hmac" (HS256), plus "ec" and "mixed" above. */
std::string attack_providers();

/** Routes of the attack tests: /public/ needs no token, /maybe takes one optionally,
 *  /admin demands scope admin, everything else a valid token. Identity headers: sub →
 *  X-User-Id, the payload as X-Jwt-Payload, the provider as X-Auth-Provider. */
std::string attack_routes();

/** Claims `payload` of the provider with issuer `iss` accepts (aud api, iat now, exp in
 *  10 min, scope read); `extra_members` (",\"x\":1") go inside the object. */
std::string claims_for(std::string_view iss, std::string_view extra_members = {});

/** A real `tokengate serve` in front of a recording upstream (or the echo server), and
 *  the checks every attack ends with: the exact rejection on the wire and in the log,
 *  and an upstream that saw nothing. */
class AttackTest : public ::testing::Test {
protected:
    void TearDown() override;

    /** Starts the proxy in front of the recording upstream with attack_providers(),
     *  attack_routes() and `extra_members` (",\"limits\": {…}"). */
    void start(std::string_view extra_members = {});
    /** The same in front of the echo server (answers chunked bodies, reports headers). */
    void start_with_echo(std::string_view extra_members = {});

    /** Sends `raw` on a fresh connection and reads one response; nullopt when the proxy
     *  closed without answering. */
    std::optional<http_response> send_raw(const std::string& raw);

    /** GET `target` with `headers` plus a fresh X-Request-Id, which is returned in `id`. */
    http_response get_as(const std::string& target, header_list headers, std::string& id);

    /** Checks a 401/403 rejection: status, WWW-Authenticate error and error_description,
     *  JSON body reason, X-Request-Id, and the auth.reject log line with that reason;
     *  returns the log line (for its hint). */
    std::string expect_rejected(const http_response& r, int status, std::string_view reason, const std::string& id);

    /** Checks a request refused before authentication (framing, path): the status, a JSON
     *  error body, and the request.refused log line of its request_id with that status. */
    void expect_refused(const std::optional<http_response>& r, int status);

    /** The upstream saw no connection and no byte. */
    void expect_upstream_untouched();

    proxy_fixture fx{TOKENGATE_BINARY};
    std::unique_ptr<recording_upstream> upstream;

private:
    int next_id_ = 0;
};

/** Standard base64 (with padding) of bytes: the encoding x5c uses (RFC 7515 §4.1.6). */
std::string base64_std(std::string_view bytes);

}  // namespace tokengate::test
