#include "tokengate/cli/explain.hpp"

#include <charconv>
#include <istream>
#include <iterator>
#include <ostream>

namespace tokengate::cli {
namespace {

constexpr const char* usage =
    "usage: tokengate explain [TOKEN | -] [options]\n"
    "Decodes a JWT and runs the proxy's validator on it offline. Nothing leaves the machine.\n"
    "  -                       read the token from stdin (one trailing newline removed)\n"
    "  --jwks FILE|URL         JWK Set, single JWK, or PEM public key/certificate; a URL is\n"
    "                          fetched like the proxy does (https, verified)\n"
    "  --ca-file FILE          PEM CA bundle for an https --jwks URL (default: system store)\n"
    "  --allow-http            allow a plain-http --jwks URL\n"
    "  --secret-env NAME       HMAC secret from an environment variable (bytes as they are)\n"
    "  --secret-file FILE      HMAC secret from a file (bytes as they are)\n"
    "  --issuer S              required iss\n"
    "  --audience S            accepted aud (repeatable)\n"
    "  --algorithms A,B        algorithm whitelist (default: every algorithm the key fits)\n"
    "  --leeway SECONDS        clock-skew leeway for exp/nbf/iat (default 30)\n"
    "  --require CLAIM         claim that must be present (repeatable)\n"
    "  --at UNIX_SECONDS       evaluate as of that time instead of now\n"
    "  --config FILE           take providers, policy and keys from a tokengate config\n"
    "                          (remote keys are fetched once); no policy flags with it\n"
    "  --provider NAME         with --config: only this provider\n"
    "  --json                  one JSON object instead of text\n"
    "Exit status: 0 accepted, 1 rejected or not verified, 2 usage or input error.\n";

constexpr std::size_t max_stdin_bytes = 1024 * 1024;

result<std::chrono::system_clock::time_point> evaluation_time(const parsed_args& args,
                                                              std::chrono::system_clock::time_point now) {
    const auto at = args.last("--at");
    if (!at) return now;
    std::int64_t secs = 0;
    const auto [p, ec] = std::from_chars(at->data(), at->data() + at->size(), secs);
    // system_clock counts nanoseconds in 64 bits: seconds beyond ±2^63 ns overflow (UB).
    const auto limit = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::duration::max()).count();
    if (ec != std::errc() || p != at->data() + at->size() || secs > limit || secs < -limit)
        return failure{"--at needs UNIX seconds (an integer within ±" + std::to_string(limit) + "), got \"" + *at + "\""};
    return std::chrono::system_clock::time_point(std::chrono::seconds(secs));
}

}  // namespace

result<std::string> read_token_argument(const std::string& arg, std::istream& in) {
    if (arg != "-") return arg;
    std::string data;
    char buf[4096];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        data.append(buf, static_cast<std::size_t>(in.gcount()));
        if (data.size() > max_stdin_bytes) return failure{"stdin holds more than 1 MiB: not a token"};
    }
    if (!data.empty() && data.back() == '\n') data.pop_back();  // the one newline `echo` adds
    if (data.empty()) return failure{"stdin is empty: no token to explain"};
    return data;
}

int run_explain(const std::vector<std::string>& argv, std::istream& in, std::ostream& out, std::ostream& err,
                std::chrono::system_clock::time_point now) {
    auto args = parse_args(argv, explain_spec());
    if (!args) {
        err << "tokengate explain: " << args.error() << "\n" << usage;
        return exit_usage;
    }
    if (args->has("--help")) {
        out << usage;
        return exit_accepted;
    }
    if (args->positional.size() != 1) {
        err << "tokengate explain: give exactly one token (or - for stdin)\n" << usage;
        return exit_usage;
    }
    auto token = read_token_argument(args->positional.front(), in);
    auto policy = token ? build_explain_policy(*args) : result<explain_policy>(failure{token.error()});
    auto when = evaluation_time(*args, now);
    if (!token || !policy || !when) {
        err << "tokengate explain: " << (!token ? token.error() : !policy ? policy.error() : when.error()) << "\n";
        return exit_usage;
    }
    validate::validate_options opts;
    opts.verify_signature = policy->have_key;
    const validate::decision d = validate::validate(*token, policy->trust, *when, nullptr, opts);
    // When the structure was refused, show whatever of the header and payload decoded.
    const jose::compact_parse partial =
        d.token ? jose::compact_parse{} : jose::parse_compact(*token, policy->trust.limits);
    for (const auto& w : policy->warnings) err << "warning: " << w << "\n";
    if (args->has("--json")) print_json(out, d, *policy, &partial);
    else print_human(out, d, *policy, &partial);
    return d.accepted() && d.signature_checked ? exit_accepted : exit_rejected;
}

}  // namespace tokengate::cli
