#include "tokengate/log/async_output.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <future>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace tokengate::log {
namespace {

using namespace std::chrono_literals;

// A pipe whose read end the test drains on demand; the write end is what the output
// writes to, as it writes to stdout.
class test_pipe {
public:
    test_pipe() {
        std::array<int, 2> fds{};
        if (::pipe2(fds.data(), O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
        read_ = fds[0];
        write_ = fds[1];
    }
    ~test_pipe() {
        close_write();
        ::close(read_);
    }
    test_pipe(const test_pipe&) = delete;
    test_pipe& operator=(const test_pipe&) = delete;

    int write_fd() const { return write_; }
    // The smallest pipe the kernel allows (one page): a stdout nobody reads fills at once.
    void shrink() { ::fcntl(write_, F_SETPIPE_SZ, 4096); }
    void close_write() {
        if (write_ >= 0) ::close(write_);
        write_ = -1;
    }
    // Everything until EOF (the write end closed).
    std::string read_all() {
        std::string out;
        std::array<char, 65536> buf{};
        for (;;) {
            const ssize_t n = ::read(read_, buf.data(), buf.size());
            if (n > 0) out.append(buf.data(), static_cast<std::size_t>(n));
            else if (n < 0 && errno == EINTR) continue;
            else return out;
        }
    }

private:
    int read_ = -1;
    int write_ = -1;
};

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

TEST(AsyncOutputTest, EveryQueuedLineWrittenInOrderBeforeDestructionReturns) {
    // Verifies: lines reach the fd in order, each with one newline, all of them by the time the output is destroyed.
    test_pipe pipe;
    std::future<std::string> reader = std::async(std::launch::async, [&] { return pipe.read_all(); });
    {
        async_output out({pipe.write_fd(), 256});
        for (int i = 0; i < 200; ++i) out.write(i % 3 == 0 ? level::warn : level::info, "line " + std::to_string(i));
        EXPECT_EQ(out.dropped(), 0U);
    }
    pipe.close_write();

    const std::vector<std::string> lines = lines_of(reader.get());
    ASSERT_EQ(lines.size(), 200U);
    for (int i = 0; i < 200; ++i) EXPECT_EQ(lines[static_cast<std::size_t>(i)], "line " + std::to_string(i));
}

TEST(AsyncOutputTest, BlockedFdNeverBlocksTheCallerAndDropsAreCounted) {
    // Verifies: with nobody reading the fd, 20,000 writes still return at once; what the full queue lost is counted exactly.
    test_pipe pipe;
    pipe.shrink();
    constexpr int total = 20000;
    auto out = std::make_unique<async_output>(async_output::options{pipe.write_fd(), 64});

    std::future<void> writer = std::async(std::launch::async, [&] {
        for (int i = 0; i < total; ++i) out->write(level::info, "a line that is long enough to fill a pipe soon " + std::to_string(i));
    });
    const bool returned = writer.wait_for(10s) == std::future_status::ready;
    std::future<std::string> reader = std::async(std::launch::async, [&] { return pipe.read_all(); });
    writer.wait();  // unblocked by the reader even if it was stuck (then the check below fails)
    const std::uint64_t dropped = out->dropped();
    out.reset();
    pipe.close_write();
    const std::vector<std::string> lines = lines_of(reader.get());

    EXPECT_TRUE(returned) << "writes blocked on a full fd";
    EXPECT_GT(dropped, 0U);
    EXPECT_EQ(lines.size() + dropped, static_cast<std::size_t>(total));
    EXPECT_EQ(lines.back(), "a line that is long enough to fill a pipe soon " + std::to_string(total - 1))
        << "the newest lines are kept, the oldest dropped";
}

TEST(AsyncOutputTest, WriteLineWaitsOnANonBlockingFdInsteadOfLosingTheLine) {
    // Verifies: write_line on a full non-blocking fd waits for room and writes the whole line.
    test_pipe pipe;
    pipe.shrink();
    ::fcntl(pipe.write_fd(), F_SETFL, ::fcntl(pipe.write_fd(), F_GETFL) | O_NONBLOCK);
    const std::string big(10000, 'x');  // more than the pipe holds

    std::future<std::string> reader = std::async(std::launch::async, [&] { return pipe.read_all(); });
    write_line(pipe.write_fd(), big);
    pipe.close_write();

    EXPECT_EQ(reader.get(), big + "\n");
}

}  // namespace
}  // namespace tokengate::log
