// Arbitrary bytes as what a key fetch gets back from the identity provider, or from
// whoever sits in front of it: the URL a discovery document names, the Cache-Control value
// that decides how long keys stay trusted, and the discovery document itself. The first
// byte picks the parser (its value mod 3):
//   0: a URL (parse_url, display_url)
//   1: attempt byte, jitter byte, then a Cache-Control value (max_age, lifetime,
//      refresh_delay, retry_delay under three configs the loader accepts)
//   2: the configured issuer, '\n', then a discovery document (jwks_uri_of)

#include "fuzz_check.hpp"

#include "tokengate/fetch/cache_policy.hpp"
#include "tokengate/fetch/discovery.hpp"
#include "tokengate/fetch/url.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

using tokengate::fuzz::require;

namespace {

namespace fetch = tokengate::fetch;
namespace config = tokengate::config;
using std::chrono::milliseconds;
using std::chrono::seconds;

bool is_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The authority as written must be exactly the host (bracketed when IPv6) and, if any,
// ':' and the digits of the port parsed: a port the text names but the client ignores
// would send the request somewhere the URL does not say.
bool authority_as_written(const fetch::url& u, std::string_view authority) {
    const std::string host = u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
    if (!authority.starts_with(host)) return false;
    authority.remove_prefix(host.size());
    if (authority.empty()) return u.port == (u.tls ? 443 : 80);
    if (authority.front() != ':' || !is_digits(authority.substr(1))) return false;
    std::uint64_t port = 0;
    for (char c : authority.substr(1))
        port = std::min<std::uint64_t>(port * 10 + static_cast<unsigned>(c - '0'), 1u << 20);
    return port == u.port;
}

// Messages and logs show display_url(): no query, no fragment, no user info, and showing
// it again changes nothing.
void check_display(std::string_view text) {
    const std::string d = fetch::display_url(text);
    require(d.find_first_of("?#") == std::string::npos, "display_url kept a query or fragment");
    if (const auto scheme = d.find("://"); scheme != std::string::npos) {
        const std::size_t start = scheme + 3;
        const std::string_view authority = std::string_view(d).substr(start, d.find('/', start) - start);
        require(authority.find('@') == std::string_view::npos, "display_url kept user info");
    }
    require(fetch::display_url(d) == d, "display_url is not idempotent");
}

void check_url(std::string_view text) {
    check_display(text);
    const auto u = fetch::parse_url(text);
    if (!u) {
        require(!u.error().empty(), "parse_url refused without a message");
        if (const auto q = text.find('?'); q != std::string_view::npos)
            require(u.error().find(text.substr(q)) == std::string::npos, "parse_url's message shows the query");
        return;
    }
    require(u->text == text, "url::text is not the URL as given");
    require(text.starts_with(u->tls ? "https://" : "http://"), "tls does not follow the scheme");
    require(!u->host.empty(), "parsed URL without a host");
    require(u->port != 0, "parsed URL with port 0");
    if (u->host.find(':') != std::string::npos)
        require(fetch::is_ip_literal(u->host), "a host with ':' that is not IPv6");
    const std::string_view rest = text.substr(u->tls ? 8 : 7);
    const auto end = rest.find_first_of("/?");
    require(authority_as_written(*u, rest.substr(0, end)), "host or port differ from the URL's authority");
    const std::string target = end == std::string_view::npos ? "/"
                               : rest[end] == '?'           ? "/" + std::string(rest.substr(end))
                                                            : std::string(rest.substr(end));
    require(u->target == target, "target is not the URL's path and query");
    require(text.find('@') == std::string_view::npos || rest.substr(0, end).find('@') == std::string_view::npos,
            "accepted credentials");

    // What the client sends must name the same place when parsed again.
    const std::string again_text = (u->tls ? "https://" : "http://") + u->authority() + u->target;
    const auto again = fetch::parse_url(again_text);
    require(again && again->tls == u->tls && again->host == u->host && again->port == u->port &&
                again->target == u->target,
            "scheme + authority() + target does not parse back to the same URL");
}

struct cache_configs {
    config::jwks_cache_config standard;  // the defaults
    config::jwks_cache_config tight;     // every bound at the loader's minimum
    config::jwks_cache_config wide;      // every bound at the loader's maximum spread
};

const cache_configs& configs() {
    static const cache_configs all = [] {
        cache_configs c;
        c.tight.refresh_min = c.tight.refresh_max = c.tight.refresh_default = seconds(1);
        c.tight.retry_min = c.tight.retry_max = milliseconds(1);
        c.wide.refresh_min = seconds(1);
        c.wide.refresh_max = c.wide.refresh_default = seconds(30 * 86400);
        c.wide.retry_min = milliseconds(1);
        c.wide.retry_max = milliseconds(3'600'000);
        return c;
    }();
    return all;
}

void check_schedule(std::optional<seconds> age, unsigned attempt, double unit, const config::jwks_cache_config& c) {
    const seconds life = fetch::lifetime(age, c);
    require(life >= c.refresh_min && life <= c.refresh_max, "lifetime outside [refresh_min, refresh_max]");
    if (!age) require(life == c.refresh_default, "lifetime without max-age is not refresh_default");
    else if (*age >= c.refresh_min && *age <= c.refresh_max) require(life == *age, "an in-bounds max-age was changed");

    // [75 %, 90 %] of the lifetime, in whole milliseconds rounded down.
    const std::int64_t l = milliseconds(life).count();
    const std::int64_t r = fetch::refresh_delay(life, unit).count();
    require(4 * r >= 3 * l - 3 && 10 * r <= 9 * l, "refresh delay outside 75-90 % of the lifetime");

    // retry_min doubled per retry after the first, capped at retry_max, then up to 20 % off.
    const unsigned doublings = std::min(attempt > 0 ? attempt - 1 : 0u, 40u);
    const std::int64_t base = std::min(c.retry_min.count() << doublings, c.retry_max.count());
    const std::int64_t d = fetch::retry_delay(attempt, c, unit).count();
    require(d >= 1 && d <= base && 5 * d >= 4 * base - 4, "retry delay outside [80 %, 100 %] of its backoff step");
    require(fetch::retry_delay(attempt + 1, c, unit).count() >= d, "a later retry comes sooner");
}

void check_cache(std::string_view rest) {
    if (rest.size() < 2) return;
    const unsigned attempt = static_cast<unsigned char>(rest[0]);
    const double unit = static_cast<unsigned char>(rest[1]) / 255.0;
    const std::string_view value = rest.substr(2);
    const auto age = fetch::max_age(value);
    if (age) require(*age >= seconds(0), "negative max-age");

    // A lone max-age counts exactly when its value is delta-seconds (RFC 9111 §1.2.2).
    if (value.starts_with("max-age=") && value.find(',') == std::string_view::npos) {
        std::string_view v = value.substr(8);
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
        while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
        require(age.has_value() == is_digits(v), "max-age accepted a value that is not delta-seconds, or refused one");
    }
    // no-store anywhere wins; an earlier max-age wins over anything later.
    require(fetch::max_age(std::string(value) + ", no-store") == seconds(0), "no-store did not make the keys stale");
    const auto first = fetch::max_age("max-age=7," + std::string(value));
    require(first == seconds(7) || (first == seconds(0) && age == seconds(0)), "the first max-age did not count");

    for (const auto* c : {&configs().standard, &configs().tight, &configs().wide})
        check_schedule(age, attempt, unit, *c);
}

void check_discovery(std::string_view rest) {
    const auto nl = rest.find('\n');
    if (nl == std::string_view::npos) return;
    const std::string issuer(rest.substr(0, nl));
    const std::string_view document = rest.substr(nl + 1);

    const std::string well_known = fetch::discovery_url(issuer);
    require(well_known.ends_with("/.well-known/openid-configuration"), "discovery URL without the well-known path");
    if (!issuer.ends_with('/')) require(fetch::discovery_url(issuer + "/") == well_known, "a trailing slash doubled");

    const auto strict = fetch::jwks_uri_of(document, issuer, false);
    const auto lax = fetch::jwks_uri_of(document, issuer, true);
    if (!lax) {
        require(!strict, "accepted only when http is refused");
        require(!lax.error().empty() && !strict.error().empty(), "a discovery document refused without a message");
        return;
    }
    const auto u = fetch::parse_url(*lax);
    require(u.has_value(), "jwks_uri_of returned a URL parse_url refuses");
    require(strict.has_value() == u->tls, "http refused other than exactly for a plain-http jwks_uri");
    if (strict) require(*strict == *lax, "allow_http changed the jwks_uri");
    else require(!strict.error().empty(), "a plain-http jwks_uri refused without a message");

    // Byte for byte: the same document is refused for any other issuer.
    require(!fetch::jwks_uri_of(document, issuer + "/", true), "accepted for the issuer plus a slash");
    if (!issuer.empty()) {
        require(!fetch::jwks_uri_of(document, issuer.substr(0, issuer.size() - 1), true),
                "accepted for a shorter issuer");
        std::string flipped = issuer;
        flipped.back() = static_cast<char>(flipped.back() ^ 0x20);
        require(!fetch::jwks_uri_of(document, flipped, true), "accepted for an issuer differing in one byte");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 3) {
    case 0: check_url(rest); break;
    case 1: check_cache(rest); break;
    default: check_discovery(rest); break;
    }
    return 0;
}
