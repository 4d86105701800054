#include "support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

extern char** environ;

namespace tokengate::test {
namespace {

using steady = std::chrono::steady_clock;

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

void close_fd(int& fd) noexcept {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

// Owns one file descriptor; the pipe ends the child inherits must be closed in the
// parent, or the parent never sees EOF.
class unique_fd {
public:
    unique_fd() = default;
    explicit unique_fd(int fd) noexcept : fd_(fd) {}
    unique_fd(unique_fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    unique_fd& operator=(unique_fd&& o) noexcept {
        if (this != &o) {
            close_fd(fd_);
            fd_ = std::exchange(o.fd_, -1);
        }
        return *this;
    }
    ~unique_fd() { close_fd(fd_); }
    int get() const noexcept { return fd_; }
    int release() noexcept { return std::exchange(fd_, -1); }
    void reset() noexcept { close_fd(fd_); }
    explicit operator bool() const noexcept { return fd_ >= 0; }

private:
    int fd_ = -1;
};

struct pipe_ends {
    unique_fd read;
    unique_fd write;
};

// O_CLOEXEC so that a child spawned concurrently by another thread does not inherit
// (and hold open) this pipe.
pipe_ends make_pipe() {
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC) != 0) throw process_error(errno_text("pipe2"));
    return {unique_fd(fds[0]), unique_fd(fds[1])};
}

void set_nonblocking(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) throw process_error(errno_text("fcntl"));
}

struct file_actions {
    posix_spawn_file_actions_t value;
    file_actions() { posix_spawn_file_actions_init(&value); }
    ~file_actions() { posix_spawn_file_actions_destroy(&value); }
    file_actions(const file_actions&) = delete;
    file_actions& operator=(const file_actions&) = delete;
};

struct spawn_attributes {
    posix_spawnattr_t value;
    spawn_attributes() { posix_spawnattr_init(&value); }
    ~spawn_attributes() { posix_spawnattr_destroy(&value); }
    spawn_attributes(const spawn_attributes&) = delete;
    spawn_attributes& operator=(const spawn_attributes&) = delete;
};

std::vector<std::string> environment_with(const std::vector<std::pair<std::string, std::string>>& extra) {
    std::vector<std::string> out;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        const std::string_view entry(*e);
        const std::string_view name = entry.substr(0, entry.find('='));
        const bool replaced = std::any_of(extra.begin(), extra.end(), [&](const auto& kv) { return kv.first == name; });
        if (!replaced) out.emplace_back(entry);
    }
    for (const auto& [name, value] : extra) out.push_back(name + "=" + value);
    return out;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
    std::vector<char*> out;
    out.reserve(v.size() + 1);
    for (auto& s : v) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

std::string command_text(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
    return out;
}

struct spawned {
    pid_t pid = -1;
    unique_fd in;  // empty when stdin is /dev/null
    unique_fd out;
    unique_fd err;
};

spawned spawn(const std::vector<std::string>& argv, const process_options& options) {
    if (argv.empty()) throw process_error("cannot start a process with an empty argv");
    std::optional<pipe_ends> in;
    if (options.stdin_data) in = make_pipe();
    pipe_ends out = make_pipe();
    pipe_ends err = make_pipe();

    file_actions actions;
    if (in) posix_spawn_file_actions_adddup2(&actions.value, in->read.get(), STDIN_FILENO);
    else posix_spawn_file_actions_addopen(&actions.value, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions.value, out.write.get(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions.value, err.write.get(), STDERR_FILENO);

    // The caller may have SIGPIPE blocked (we do, while feeding stdin); the child must
    // start with the signal state a shell would give it.
    spawn_attributes attr;
    sigset_t empty;
    sigemptyset(&empty);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigmask(&attr.value, &empty);
    posix_spawnattr_setsigdefault(&attr.value, &defaults);
    posix_spawnattr_setflags(&attr.value, static_cast<short>(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));

    std::vector<std::string> args = argv;
    std::vector<std::string> env = environment_with(options.env);
    const std::vector<char*> c_args = c_strings(args);
    const std::vector<char*> c_env = c_strings(env);
    spawned s;
    const int rc = ::posix_spawnp(&s.pid, c_args[0], &actions.value, &attr.value, c_args.data(), c_env.data());
    if (rc != 0) throw process_error("cannot start " + command_text(argv) + ": " + std::strerror(rc));
    if (in) {
        s.in = std::move(in->write);
        set_nonblocking(s.in.get());
    }
    s.out = std::move(out.read);
    s.err = std::move(err.read);
    return s;
}

int exit_code_of(const siginfo_t& info) {
    if (info.si_code == CLD_EXITED) return info.si_status;
    return -info.si_status;  // CLD_KILLED / CLD_DUMPED: si_status is the signal
}

// Exit code of pid if it has exited, without blocking.
std::optional<int> try_reap(pid_t pid) {
    for (;;) {
        siginfo_t info{};
        if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG) != 0) {
            if (errno == EINTR) continue;
            throw process_error(errno_text("waitid"));
        }
        if (info.si_pid == 0) return std::nullopt;
        return exit_code_of(info);
    }
}

int reap(pid_t pid) {
    for (;;) {
        siginfo_t info{};
        if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED) == 0) return exit_code_of(info);
        if (errno != EINTR) throw process_error(errno_text("waitid"));
    }
}

std::chrono::milliseconds time_left(steady::time_point deadline) {
    return std::max(std::chrono::ceil<std::chrono::milliseconds>(deadline - steady::now()), std::chrono::milliseconds(0));
}

// For poll(): an int, capped because a later round re-checks the deadline anyway.
int remaining_ms(steady::time_point deadline) {
    return static_cast<int>(std::min(time_left(deadline).count(), std::chrono::milliseconds::rep{60'000}));
}

// Polls for the exit with a short interval until the deadline: there is no fd to
// wait on once stdout and stderr are closed.
std::optional<int> reap_before(pid_t pid, steady::time_point deadline) {
    for (;;) {
        if (auto code = try_reap(pid)) return code;
        const int left = remaining_ms(deadline);
        if (left == 0) return std::nullopt;
        ::poll(nullptr, 0, std::min(left, 2));
    }
}

// Blocks SIGPIPE in this thread, so a child that exits without reading its stdin gives
// EPIPE instead of killing the test binary.
class sigpipe_blocked {
public:
    sigpipe_blocked() {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
    }
    ~sigpipe_blocked() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
    sigpipe_blocked(const sigpipe_blocked&) = delete;
    sigpipe_blocked& operator=(const sigpipe_blocked&) = delete;

    // Takes the SIGPIPE an EPIPE write left pending, or unblocking would deliver it.
    void discard_pending() const {
        const timespec zero{};
        while (::sigtimedwait(&pipe_, nullptr, &zero) == SIGPIPE) {
        }
    }

private:
    sigset_t pipe_{};
    sigset_t previous_{};
};

// Writes what the pipe takes; closes it when all is written or the child stopped reading.
void feed(unique_fd& fd, std::string_view& data, const sigpipe_blocked& guard) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd.get(), data.data(), data.size());
        if (n > 0) {
            data.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n < 0 && errno == EPIPE) guard.discard_pending();
        break;
    }
    fd.reset();
}

// Appends what is readable; closes the fd at EOF.
void drain(unique_fd& fd, std::string& sink) {
    std::array<char, 65536> buf{};
    for (;;) {
        const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
        if (n > 0) {
            sink.append(buf.data(), static_cast<std::size_t>(n));
            return;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        fd.reset();
        return;
    }
}

// Keeps a spawned child from outliving a call that throws.
struct child_guard {
    pid_t pid;
    bool reaped = false;
    ~child_guard() {
        if (reaped) return;
        ::kill(pid, SIGKILL);
        try {
            reap(pid);
        } catch (const process_error&) {
            // Already reaped (ECHILD): a destructor must not throw, and nothing is left.
        }
    }
};

[[noreturn]] void fail_timeout(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                               const std::string& err) {
    throw process_error(command_text(argv) + " did not finish within " + std::to_string(timeout.count()) +
                        " ms (killed); stderr so far: " + err);
}

}  // namespace

process_result run_process(const std::vector<std::string>& argv, const process_options& options) {
    const sigpipe_blocked guard;
    const auto deadline = steady::now() + options.timeout;
    spawned child = spawn(argv, options);
    child_guard owner{child.pid};
    process_result r;
    std::string_view input = options.stdin_data ? std::string_view(*options.stdin_data) : std::string_view();
    if (child.in && input.empty()) child.in.reset();

    while (child.out || child.err) {
        std::array<pollfd, 3> fds{};
        std::array<unique_fd*, 3> owners{};
        nfds_t n = 0;
        for (auto [fd, events] : {std::pair{&child.in, POLLOUT}, std::pair{&child.out, POLLIN},
                                  std::pair{&child.err, POLLIN}}) {
            if (!*fd) continue;
            fds[n] = pollfd{fd->get(), static_cast<short>(events), 0};
            owners[n++] = fd;
        }
        const int left = remaining_ms(deadline);
        if (left == 0) fail_timeout(argv, options.timeout, r.err);
        const int ready = ::poll(fds.data(), n, left);
        if (ready < 0 && errno != EINTR) throw process_error(errno_text("poll"));
        for (nfds_t i = 0; ready > 0 && i < n; ++i) {
            if (fds[i].revents == 0) continue;
            if (owners[i] == &child.in) feed(child.in, input, guard);
            else drain(*owners[i], owners[i] == &child.out ? r.out : r.err);
        }
    }
    child.in.reset();  // a child that closed its output may still wait for EOF on stdin
    const auto code = reap_before(child.pid, deadline);
    if (!code) fail_timeout(argv, options.timeout, r.err);
    owner.reaped = true;
    r.exit_code = *code;
    return r;
}

running_process::running_process(const std::vector<std::string>& argv, const process_options& options) {
    pipe_ends wake = make_pipe();
    spawned child = spawn(argv, options);
    pid_ = child.pid;
    in_fd_ = child.in.release();
    out_fd_ = child.out.release();
    err_fd_ = child.err.release();
    wake_read_ = wake.read.release();
    wake_write_ = wake.write.release();
    if (options.stdin_data) pending_in_ = *options.stdin_data;
    if (pending_in_.empty()) close_fd(in_fd_);
    try {
        pump_thread_ = std::thread([this] { pump(); });
    } catch (...) {
        ::kill(pid_, SIGKILL);
        reap(pid_);
        for (int* fd : {&in_fd_, &out_fd_, &err_fd_, &wake_read_, &wake_write_}) close_fd(*fd);
        throw;
    }
}

running_process::~running_process() {
    if (!exit_code_) {
        ::kill(pid_, SIGKILL);
        try {
            exit_code_ = reap(pid_);
        } catch (const process_error&) {
            // Already reaped elsewhere (ECHILD): nothing is left to wait for.
        }
    }
    // A grandchild may still hold the pipes open; the wake pipe ends the pump regardless.
    close_fd(wake_write_);
    if (pump_thread_.joinable()) pump_thread_.join();
    close_fd(wake_read_);
}

void running_process::pump() {
    const sigpipe_blocked guard;
    unique_fd in(in_fd_), out(out_fd_), err(err_fd_);
    std::string_view input = pending_in_;
    std::string chunk;
    while (out || err) {
        std::array<pollfd, 4> fds{};
        fds[0] = pollfd{wake_read_, POLLIN, 0};
        fds[1] = pollfd{in ? in.get() : -1, POLLOUT, 0};  // poll skips negative fds
        fds[2] = pollfd{out ? out.get() : -1, POLLIN, 0};
        fds[3] = pollfd{err ? err.get() : -1, POLLIN, 0};
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[0].revents != 0) break;
        if (fds[1].revents != 0) feed(in, input, guard);
        const auto take = [&](const pollfd& p, unique_fd& fd, std::string& sink) {
            if (p.revents == 0) return;
            chunk.clear();
            drain(fd, chunk);
            const std::lock_guard lock(mutex_);
            sink += chunk;
        };
        take(fds[2], out, out_);
        take(fds[3], err, err_);
        changed_.notify_all();
    }
    {
        const std::lock_guard lock(mutex_);
        out_closed_ = true;
    }
    changed_.notify_all();
}

std::optional<std::string> running_process::read_line(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    const bool ready = changed_.wait_for(
        lock, timeout, [&] { return out_closed_ || out_.find('\n', out_start_) != std::string::npos; });
    if (!ready || out_start_ == out_.size()) return std::nullopt;
    // At EOF an unterminated last line is still a line.
    const auto nl = std::min(out_.find('\n', out_start_), out_.size());
    std::string line = out_.substr(out_start_, nl - out_start_);
    out_start_ = std::min(nl + 1, out_.size());
    // Drop consumed text now and then, not per line: per-line erasing is quadratic for a
    // chatty child.
    if (out_start_ > 65536 && out_start_ > out_.size() / 2) {
        out_.erase(0, out_start_);
        out_start_ = 0;
    }
    return line;
}

std::optional<std::string> running_process::wait_for_line(std::string_view needle, std::chrono::milliseconds timeout) {
    const auto deadline = steady::now() + timeout;
    for (;;) {
        auto line = read_line(time_left(deadline));
        if (!line || line->find(needle) != std::string::npos) return line;
        if (steady::now() >= deadline) return std::nullopt;  // a child that never stops talking
    }
}

std::string running_process::err_text() const {
    const std::lock_guard lock(mutex_);
    return err_;
}

bool running_process::running() {
    if (!exit_code_) exit_code_ = try_reap(pid_);
    return !exit_code_;
}

int running_process::stop(int sig, std::chrono::milliseconds timeout) {
    if (running()) ::kill(pid_, sig);
    return wait(timeout);
}

int running_process::wait(std::chrono::milliseconds timeout) {
    if (exit_code_) return *exit_code_;
    exit_code_ = reap_before(pid_, steady::now() + timeout);
    if (exit_code_) return *exit_code_;
    ::kill(pid_, SIGKILL);
    exit_code_ = reap(pid_);
    throw process_error("process " + std::to_string(pid_) + " did not exit within " +
                        std::to_string(timeout.count()) + " ms (killed); stderr so far: " + err_text());
}

}  // namespace tokengate::test
