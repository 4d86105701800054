#pragma once

#include "tokengate/reason.hpp"

#include <array>
#include <cstdint>
#include <mutex>
#include <vector>

namespace tokengate::log {

/** Per-reason budget of auth.reject lines (SPEC §8: a flood must not fill a disk): at most
 *  `per_second` lines per reason per second; the rest are counted, and each closed
 *  second with suppressed lines becomes one report. Sans-io: fed the second it is asked
 *  about (steady clock), so tests drive it step by step. Thread-safe. */
class rejection_limiter {
public:
    /** How many lines of one reason were suppressed in one second. */
    struct report {
        reason code;
        std::uint64_t suppressed;
        std::int64_t second;  //!< the window they were suppressed in
    };

    explicit rejection_limiter(int per_second) : per_second_(per_second) {}

    /** Whether a line of reason `r` may be written in second `now_s` (counts it either way). */
    bool allow(reason r, std::int64_t now_s);

    /** The reports of every window that closed before `now_s` (and forgets them). The
     *  caller writes them: on the next line, and on a timer so a flood that stops is
     *  reported even when nothing else is logged. */
    std::vector<report> take_reports(std::int64_t now_s);

private:
    struct window {
        std::int64_t second = 0;
        int used = 0;
        std::uint64_t suppressed = 0;
    };

    int per_second_;
    std::mutex mutex_;
    std::array<window, all_reasons.size()> windows_{};
};

}  // namespace tokengate::log
