#pragma once

#include "tokengate/config/config.hpp"
#include "tokengate/log/request_context.hpp"
#include "tokengate/validate/validator.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tokengate::log {

/** "2026-05-01T12:00:00.123Z": UTC with milliseconds, the `ts` of every line. */
std::string timestamp(std::chrono::system_clock::time_point t);

/** What the `sub` field carries under a policy: the value, its hash (first 16 hex digits
 *  of SHA-256), or nothing. An empty sub is never written. */
std::optional<std::string> sub_field(std::string_view sub, config::log_config::sub_mode mode);

/** Builds one log line: a JSON object whose field names are the stable SPEC §8 names,
 *  escaped by RapidJSON (a claim with quotes or control characters cannot break the line
 *  or forge a field). Pure: the caller supplies the time. */
class json_line {
public:
    /** Opens the object with ts, level and event. */
    json_line(std::chrono::system_clock::time_point ts, std::string_view level, std::string_view event);

    json_line& str(std::string_view key, std::string_view value);
    json_line& integer(std::string_view key, std::int64_t value);
    /** A NumericDate-like number: written as an integer when it is one. */
    json_line& number(std::string_view key, double value);
    /** request_id, method, path, client. */
    json_line& context(const request_context& ctx);
    /** provider, alg, kid, iss, aud, sub (per `sub`), exp, iat, nbf, now, leeway_s and
     *  token_fp: the safe facts of a token; `now_s` is the time of the decision. */
    json_line& evidence(const validate::evidence& ev, config::log_config::sub_mode sub, std::int64_t now_s);

    /** Closes the object and returns the line (without a newline). */
    std::string finish();

private:
    rapidjson::StringBuffer buf_;
    rapidjson::Writer<rapidjson::StringBuffer> w_;
};

/** The human format for local runs, "ts level event key=value …", made from a JSON line
 *  so both formats carry exactly the same (redacted) fields. Values with spaces, quotes,
 *  '=' or control characters are quoted with JSON escapes, so one event stays one line. */
std::string to_text(std::string_view json_line);

}  // namespace tokengate::log
