#include "tokengate/log/async_output.hpp"

#include <spdlog/async_logger.h>
#include <spdlog/details/thread_pool.h>
#include <spdlog/sinks/base_sink.h>

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <string>

namespace tokengate::log {
namespace {

// Writes each message's payload as one line to an fd. The lines are finished JSON (or
// text) already, so no pattern is applied; no userspace buffer either: a line is on the
// fd when the writer thread moves on, so nothing is lost when the process is killed.
class fd_sink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
public:
    explicit fd_sink(int fd) : fd_(fd) {}

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        write_line(fd_, std::string_view(msg.payload.data(), msg.payload.size()));
    }
    void flush_() override {}

private:
    int fd_;
};

spdlog::level::level_enum spdlog_level(level l) {
    switch (l) {
    case level::info: return spdlog::level::info;
    case level::warn: return spdlog::level::warn;
    case level::error: return spdlog::level::err;
    }
    return spdlog::level::info;  // unreachable for valid enumerators; keeps -Wreturn-type quiet
}

}  // namespace

void write_line(int fd, std::string_view line) {
    std::string buf;
    buf.reserve(line.size() + 1);
    buf.append(line).push_back('\n');
    std::string_view rest = buf;
    while (!rest.empty()) {
        const ssize_t n = ::write(fd, rest.data(), rest.size());
        if (n > 0) {
            rest.remove_prefix(static_cast<std::size_t>(n));
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            // An fd someone made non-blocking: wait for room (this is the writer thread).
            pollfd p{fd, POLLOUT, 0};
            ::poll(&p, 1, -1);
        } else {
            return;  // closed or broken stdout: nothing can be reported through it anyway
        }
    }
}

async_output::async_output(options o)
    : pool_(std::make_shared<spdlog::details::thread_pool>(o.queue_lines, 1)),
      logger_(std::make_shared<spdlog::async_logger>("tokengate", std::make_shared<fd_sink>(o.fd), pool_,
                                                     spdlog::async_overflow_policy::overrun_oldest)) {
    logger_->set_level(spdlog::level::trace);
    logger_->flush_on(spdlog::level::off);  // the sink does not buffer: nothing to flush
}

async_output::~async_output() {
    // The pool goes first: its destructor posts "terminate" behind the queued messages and
    // joins its thread, so every queued line is written while the logger is still ours.
    // The logger's last reference then drops here, after the join; released the other way
    // round, the writer thread could drop it inside spdlog (not built with ThreadSanitizer,
    // whose data-race report on that delete is what a late line at exit produced).
    pool_.reset();
    logger_.reset();
}

void async_output::write(level l, std::string_view line) {
    logger_->log(spdlog_level(l), spdlog::string_view_t(line.data(), line.size()));
}

std::uint64_t async_output::dropped() const { return pool_->overrun_counter(); }

}  // namespace tokengate::log
