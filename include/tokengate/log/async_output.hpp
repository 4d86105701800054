#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace spdlog {
class async_logger;
namespace details {
class thread_pool;
}
}  // namespace spdlog

namespace tokengate::log {

/** Severity of a line (only what tokengate writes). */
enum class level { info, warn, error };

/** Where log lines go: a bounded queue (spdlog's async logger) drained by one background
 *  thread that writes each line to a file descriptor. A full queue drops its oldest line
 *  and counts it, so a slow or blocked stdout never stalls a request. */
class async_output {
public:
    struct options {
        int fd = 1;                     //!< stdout
        std::size_t queue_lines = 2048; //!< 408 bytes each, preallocated (~0.8 MiB of idle RSS)
    };

    explicit async_output(options o);
    /** Writes every queued line, then stops the thread. Blocks while the fd does. */
    ~async_output();
    async_output(const async_output&) = delete;
    async_output& operator=(const async_output&) = delete;

    /** Queues one line (a newline is added); never waits for the fd or for room. */
    void write(level l, std::string_view line);

    /** Lines dropped because the queue was full, since construction. */
    std::uint64_t dropped() const;

private:
    std::shared_ptr<spdlog::details::thread_pool> pool_;
    std::shared_ptr<spdlog::async_logger> logger_;
};

/** Writes `line` and a newline to `fd` now, in one write where the kernel allows (the
 *  writer thread, and lines written before the writer starts or after it stopped). */
void write_line(int fd, std::string_view line);

}  // namespace tokengate::log
