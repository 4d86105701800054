#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

namespace tokengate::test {

/** An upstream on 127.0.0.1 that fails on purpose, chosen by the request path:
 *  - "/partial": 200 with Content-Length 100000, 1000 bytes of it, then a close (FIN);
 *  - "/partial-reset": the same, then a reset (RST) instead;
 *  - "/reset": a reset as soon as the request head is in, no byte of answer;
 *  - "/garbage": a line that is not HTTP, then a close;
 *  - anything else: 200 "ok\n" with Content-Length, keep-alive.
 *  Requests have no body (GET). Runs its own thread; stops when destroyed. */
class faulty_upstream {
public:
    faulty_upstream();
    ~faulty_upstream();
    faulty_upstream(const faulty_upstream&) = delete;
    faulty_upstream& operator=(const faulty_upstream&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    /** Requests whose head arrived, faulty or not. */
    std::size_t requests() const noexcept { return requests_; }

private:
    void run();

    int listen_fd_ = -1;
    int wake_read_ = -1;
    int wake_write_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<std::size_t> requests_{0};
    std::thread thread_;
};

}  // namespace tokengate::test
