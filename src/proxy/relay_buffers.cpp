#include "tokengate/proxy/relay_buffers.hpp"

namespace tokengate::proxy {

relay_buffers::lease& relay_buffers::lease::operator=(lease&& o) noexcept {
    if (this != &o) {
        give_back();
        pool_ = o.pool_;
        buf_ = std::move(o.buf_);
    }
    return *this;
}

void relay_buffers::lease::give_back() noexcept {
    if (!buf_ || pool_ == nullptr) return;
    // A burst may have needed more buffers than stay useful: keep only max_idle_ of them.
    if (pool_->free_.size() < pool_->max_idle_) {
        try {
            pool_->free_.push_back(std::move(buf_));
        } catch (const std::bad_alloc&) {  // keeping it is an optimisation; freeing is fine
        }
    }
    buf_.reset();
}

relay_buffers::lease relay_buffers::take() {
    if (free_.empty()) return {this, std::make_unique_for_overwrite<buffer>()};  // filled by the parser before use
    std::unique_ptr<buffer> b = std::move(free_.back());
    free_.pop_back();
    return {this, std::move(b)};
}

}  // namespace tokengate::proxy
