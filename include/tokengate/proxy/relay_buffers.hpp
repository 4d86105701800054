#pragma once

#include "tokengate/proxy/relay.hpp"

#include <array>
#include <memory>
#include <span>
#include <vector>

namespace tokengate::proxy {

/** Body relay buffers of one worker (no locks), handed out while a body is in flight and
 *  taken back for the next one: a request without a body takes none, an idle connection
 *  holds none, and no coroutine frame carries 32 KiB of buffer (frames are heap blocks). */
class relay_buffers {
public:
    using buffer = std::array<char, relay_chunk>;

    /** A borrowed buffer; returned to its pool when the lease ends. */
    class lease {
    public:
        lease() = default;
        lease(relay_buffers* pool, std::unique_ptr<buffer> b) : pool_(pool), buf_(std::move(b)) {}
        lease(lease&& o) noexcept = default;
        lease& operator=(lease&& o) noexcept;
        lease(const lease&) = delete;
        lease& operator=(const lease&) = delete;
        ~lease() { give_back(); }

        std::span<char> span() noexcept { return buf_ ? std::span<char>(*buf_) : std::span<char>(); }
        explicit operator bool() const noexcept { return buf_ != nullptr; }

    private:
        void give_back() noexcept;

        relay_buffers* pool_ = nullptr;
        std::unique_ptr<buffer> buf_;
    };

    explicit relay_buffers(std::size_t max_idle) : max_idle_(max_idle) {}

    /** A free buffer, or a new one. */
    lease take();

    std::size_t idle() const noexcept { return free_.size(); }

private:
    std::size_t max_idle_;
    std::vector<std::unique_ptr<buffer>> free_;
};

}  // namespace tokengate::proxy
