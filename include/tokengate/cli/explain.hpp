#pragma once

#include "tokengate/cli/args.hpp"
#include "tokengate/validate/validator.hpp"

#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

namespace tokengate::cli {

/** Exit statuses of `tokengate explain` (SPEC §2). */
inline constexpr int exit_accepted = 0;
inline constexpr int exit_rejected = 1;
inline constexpr int exit_usage = 2;

/** The options of `explain`. */
arg_spec explain_spec();

/** Policy built from explain's flags: one provider plus notes on what is not checked. */
struct explain_policy {
    validate::trust trust;
    bool have_key = false;
    std::vector<std::string> notes;     //!< "audience not checked (no --audience)" …
    std::vector<std::string> warnings;  //!< SPEC §5 warnings about the given keys
};

/** Builds the policy from parsed flags, loading key files; failures are input errors. */
result<explain_policy> build_explain_policy(const parsed_args& args);

/** The policy of a config file's providers (all, or the one --provider names), remote
 *  keys fetched once with the proxy's fetcher; policy flags cannot be mixed in. */
result<explain_policy> explain_policy_from_config(const parsed_args& args);

/** Reads the token: the argument itself, or stdin for "-" with exactly one trailing
 *  newline removed (every other byte kept, so whitespace is diagnosed, not hidden). */
result<std::string> read_token_argument(const std::string& arg, std::istream& in);

/** Runs `tokengate explain ARGS…`; writes to out/err and returns the exit status. */
int run_explain(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err,
                std::chrono::system_clock::time_point now);

/** Renders a decision for humans: header, claims with human times, verdict, hint. */
void print_human(std::ostream& out, const validate::decision& d, const explain_policy& policy,
                 const jose::compact_parse* partial);

/** Renders a decision as one JSON object: verdict, reason, hint, header, claims, … */
void print_json(std::ostream& out, const validate::decision& d, const explain_policy& policy,
                const jose::compact_parse* partial);

}  // namespace tokengate::cli
