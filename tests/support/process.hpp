#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace tokengate::test {

/** How long a child may run before it is killed and the call fails. */
inline constexpr std::chrono::milliseconds default_process_timeout{10'000};

/** How to start a child: stdin bytes, extra environment and a deadline. */
struct process_options {
    std::optional<std::string> stdin_data;                 //!< nullopt: stdin is /dev/null
    std::vector<std::pair<std::string, std::string>> env;  //!< added to, or replacing, the parent's
    std::chrono::milliseconds timeout = default_process_timeout;
};

/** What a finished child left behind. */
struct process_result {
    int exit_code = -1;  //!< exit status, or -N when killed by signal N
    std::string out;
    std::string err;
};

/** Thrown when a child cannot be started or overruns its deadline (it is killed first). */
struct process_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/** Runs argv (argv[0] a path, or a name looked up in PATH; no shell), feeds stdin, and
 *  captures stdout and stderr separately until the child exits. Throws process_error
 *  when the deadline passes. */
process_result run_process(const std::vector<std::string>& argv, const process_options& options = {});

/** A long-running child (a server) whose stdout and stderr are drained continuously by
 *  a background thread, so a chatty child never blocks on a full pipe. The destructor
 *  kills and reaps a child that is still running. */
class running_process {
public:
    explicit running_process(const std::vector<std::string>& argv, const process_options& options = {});
    ~running_process();
    running_process(const running_process&) = delete;
    running_process& operator=(const running_process&) = delete;

    pid_t pid() const noexcept { return pid_; }

    /** Next complete stdout line (without its '\n'); nullopt when the timeout passes or
     *  stdout ended first. */
    std::optional<std::string> read_line(std::chrono::milliseconds timeout = default_process_timeout);

    /** Reads stdout lines until one contains `needle` and returns it; nullopt as read_line. */
    std::optional<std::string> wait_for_line(std::string_view needle,
                                             std::chrono::milliseconds timeout = default_process_timeout);

    /** Everything the child wrote to stderr so far. */
    std::string err_text() const;

    /** True until the child has exited (reaps it when it has). */
    bool running();

    /** Sends `sig` and waits for the exit; returns the exit code as run_process does. A child
     *  still alive at the deadline is killed and process_error thrown. */
    int stop(int sig = SIGTERM, std::chrono::milliseconds timeout = default_process_timeout);

    /** Waits for the child to exit on its own; same result and deadline rule as stop(). */
    int wait(std::chrono::milliseconds timeout = default_process_timeout);

private:
    void pump();

    pid_t pid_ = -1;
    std::optional<int> exit_code_;
    int wake_write_ = -1;  // closing/writing it tells the pump thread to finish
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::string out_;           // stdout; lines before out_start_ were returned already
    std::size_t out_start_ = 0;
    std::string err_;
    bool out_closed_ = false;
    std::thread pump_thread_;
    // Pipe ends owned by the pump thread while it runs.
    int in_fd_ = -1;
    int out_fd_ = -1;
    int err_fd_ = -1;
    int wake_read_ = -1;
    std::string pending_in_;
};

}  // namespace tokengate::test
