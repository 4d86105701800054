#include "tokengate/demo/demo.hpp"

#include "tokengate/cli/args.hpp"
#include "tokengate/demo/demo_keys.hpp"
#include "tokengate/demo/echo_upstream.hpp"
#include "tokengate/jose/base64url.hpp"
#include "tokengate/log/event_log.hpp"
#include "tokengate/proxy/request_metrics.hpp"
#include "tokengate/proxy/server.hpp"

#include <boost/asio/signal_set.hpp>

#include <charconv>
#include <ostream>
#include <thread>

namespace tokengate::demo {
namespace {

constexpr const char* issuer = "https://demo.tokengate.local/";
constexpr const char* audience = "demo-api";

std::optional<std::uint16_t> port_flag(const cli::parsed_args& a, const std::string& name, std::uint16_t fallback) {
    const auto v = a.last(name);
    if (!v) return fallback;
    unsigned p = 0;
    const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), p);
    if (ec != std::errc() || end != v->data() + v->size() || p > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(p);
}

// The claims of one sample token; each sample changes one thing.
struct sample {
    std::string iss = issuer;
    std::string aud = audience;
    std::string scope = "orders:read";
    std::int64_t issued = 0;
};

std::string claims(const sample& s) {
    return R"({"iss":")" + s.iss + R"(","aud":")" + s.aud + R"(","sub":"demo-user","scope":")" + s.scope +
           R"(","iat":)" + std::to_string(s.issued) + R"(,"exp":)" + std::to_string(s.issued + 3600) + "}";
}

proxy::runtime_ptr demo_runtime(const demo_signer& signer, std::uint16_t port, std::uint16_t admin_port,
                                std::uint16_t upstream_port) {
    auto rt = std::make_shared<proxy::runtime>();
    auto& cfg = rt->cfg;
    cfg.listen = {"127.0.0.1", port};
    cfg.admin = {"127.0.0.1", admin_port};
    cfg.upstream = {"127.0.0.1", upstream_port};
    cfg.threads = 1;
    cfg.realm = "demo";
    cfg.identity.claim_headers = {{"sub", "X-User-Id"}, {"scope", "X-User-Scope"}};
    config::route_config pub;
    pub.path = "/public/";
    pub.prefix = true;
    pub.auth = config::auth_mode::none;
    config::route_config admin;
    admin.path = "/admin";
    admin.prefix = true;
    admin.required.scopes = {"admin"};
    cfg.routes = {pub, admin};
    validate::provider p;
    p.name = "demo";
    p.issuer = issuer;
    p.audiences = {audience};
    p.algorithms = {jose::alg::rs256};
    auto ks = std::make_shared<keys::key_set>();
    ks->source = "generated demo key";
    ks->keys.push_back(std::make_shared<const crypto::key>(signer.pub));
    p.keys.keys = ks;
    rt->trust.providers.push_back(std::move(p));
    rt->route_policies = proxy::make_route_policies(cfg);
    rt->metric_labels = proxy::make_metric_labels(rt->trust, cfg);
    rt->generation = 1;
    return rt;
}

void print_guide(std::ostream& out, const demo_signer& s, std::uint16_t port, std::uint16_t admin_port,
                 std::uint16_t upstream_port) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    const std::string header = R"({"alg":"RS256","typ":"JWT","kid":"demo-1"})";
    const sample base{issuer, audience, "orders:read", now};
    const std::string valid = sign_rs256(s, header, claims(base));
    sample old = base;
    old.issued = now - 7200;
    const std::string expired = sign_rs256(s, header, claims(old));
    sample other_aud = base;
    other_aud.aud = "other-api";
    const std::string wrong_aud = sign_rs256(s, header, claims(other_aud));
    sample no_slash = base;
    no_slash.iss = "https://demo.tokengate.local";
    const std::string wrong_iss = sign_rs256(s, header, claims(no_slash));
    // A valid token whose payload is swapped for one claiming scope admin.
    sample admin = base;
    admin.scope = "admin";
    const std::string tampered = valid.substr(0, valid.find('.') + 1) + jose::base64url_encode(claims(admin)) +
                                 valid.substr(valid.rfind('.'));
    const std::string none = jose::base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
                             jose::base64url_encode(claims(base)) + ".";
    const std::string url = "http://127.0.0.1:" + std::to_string(port);
    out << "tokengate demo: proxy on " << url << " -> echo upstream on 127.0.0.1:" << upstream_port
        << " (admin: http://127.0.0.1:" << admin_port << "/readyz)\n"
        << "provider: issuer " << issuer << ", audience " << audience << ", RS256 with a key generated just now (kid demo-1)\n"
        << "routes: /public/* needs no token; /admin/* needs scope admin; everything else needs a valid token\n\n"
        << "A valid token (1 h):\n  TOKEN=" << valid << "\n\n"
        << "Try these (the upstream echoes what it received; each rejection logs one JSON line below):\n"
        << "  curl -s " << url << "/api/orders -H \"Authorization: Bearer " << valid << "\"            # 200, X-User-Id added\n"
        << "  curl -si " << url << "/api/orders                                              # 401 missing_token\n"
        << "  curl -si " << url << "/public/hello                                            # 200, no token needed\n"
        << "  curl -si " << url << "/admin/users -H \"Authorization: Bearer " << valid << "\"       # 403 insufficient_scope\n"
        << "  curl -si " << url << "/api/orders -H \"Authorization: Bearer " << expired << "\"     # 401 expired\n"
        << "  curl -si " << url << "/api/orders -H \"Authorization: Bearer " << wrong_aud << "\"   # 401 bad_audience\n"
        << "  curl -si " << url << "/api/orders -H \"Authorization: Bearer " << wrong_iss << "\"   # 401 bad_issuer (trailing slash)\n"
        << "  curl -si " << url << "/api/orders -H \"Authorization: Bearer " << tampered << "\"    # 401 bad_signature (payload altered)\n"
        << "  curl -si " << url << "/api/orders -H \"Authorization: Bearer " << none << "\"        # 401 alg_not_allowed (alg none)\n"
        << "  curl -si " << url << "/api/orders -H \"Authorization: Basic dXNlcjpwYXNz\"                # 401 missing_token, hint: scheme Basic\n\n"
        << "Offline, the same verdicts: tokengate explain TOKEN --issuer " << issuer << " --audience " << audience
        << "\nCtrl-C stops the demo.\n"
        << std::flush;
}

}  // namespace

int run_demo(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
    auto args = cli::parse_args(argv, {{"--port", "--admin-port"}, {"--help"}});
    const auto port = args ? port_flag(*args, "--port", 8080) : std::nullopt;
    const auto admin_port = args ? port_flag(*args, "--admin-port", 9901) : std::nullopt;
    if (!args || !port || !admin_port || !args->positional.empty() || args->has("--help")) {
        err << "usage: tokengate demo [--port N] [--admin-port N]\n";
        return args && args->has("--help") ? 0 : 2;
    }
    log::output_scope output("json");
    try {
        proxy::net::io_context upstream_ioc{1};
        echo_upstream echo(upstream_ioc, {proxy::net::ip::make_address("127.0.0.1"), 0});
        std::thread upstream_thread([&] { upstream_ioc.run(); });
        const demo_signer signer = make_demo_signer();
        proxy::server srv("", demo_runtime(signer, *port, *admin_port, echo.port()));
        print_guide(out, signer, *port, *admin_port, echo.port());
        const int rc = srv.run();
        upstream_ioc.stop();
        upstream_thread.join();
        return rc;
    } catch (const std::exception& e) {
        err << "tokengate demo: " << e.what() << "\n";
        return 1;
    }
}

int run_echo_server(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
    auto args = cli::parse_args(argv, {{"--port"}, {}});
    const auto port = args ? port_flag(*args, "--port", 0) : std::nullopt;
    if (!args || !port) {
        err << "usage: tokengate echo-server [--port N]   (0 = ephemeral; the port is printed)\n";
        return 2;
    }
    try {
        proxy::net::io_context ioc{1};
        echo_upstream echo(ioc, {proxy::net::ip::make_address("127.0.0.1"), *port});
        proxy::net::signal_set signals(ioc, SIGTERM, SIGINT);
        signals.async_wait([&](const boost::system::error_code&, int) { ioc.stop(); });
        out << "listening on 127.0.0.1:" << echo.port() << std::endl;
        ioc.run();
        return 0;
    } catch (const std::exception& e) {
        err << "tokengate echo-server: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace tokengate::demo
