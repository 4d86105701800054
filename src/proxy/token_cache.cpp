#include "tokengate/proxy/token_cache.hpp"

#include "tokengate/crypto/digest.hpp"

namespace tokengate::proxy {
namespace {

// Tokens without exp (only where a provider allows that) are re-verified after this.
constexpr double no_exp_ttl_s = 300;

}  // namespace

std::shared_ptr<const validate::decision> token_cache::find(std::string_view token, std::uint64_t generation,
                                                            double now) {
    if (capacity_ == 0) return nullptr;
    const auto it = map_.find(crypto::sha256(token));
    if (it == map_.end() || it->second.generation != generation || it->second.expires <= now) {
        if (it != map_.end()) map_.erase(it);  // stale: its slot in order_ is skipped on eviction
        ++misses_;
        return nullptr;
    }
    ++hits_;
    return it->second.decision;
}

void token_cache::insert(std::string_view token, std::uint64_t generation, std::shared_ptr<const validate::decision> d,
                         double now) {
    if (capacity_ == 0 || !d || !d->accepted()) return;
    while (map_.size() >= capacity_ && !order_.empty()) {
        map_.erase(order_.front());
        order_.pop_front();
    }
    // order_ may hold keys already erased as stale; keep it bounded as well.
    while (order_.size() >= 2 * capacity_) order_.pop_front();
    const double expires = d->ev.exp ? *d->ev.exp : now + no_exp_ttl_s;
    std::string key = crypto::sha256(token);
    const auto [it, inserted] = map_.insert_or_assign(key, entry{std::move(d), generation, expires});
    if (inserted) order_.push_back(std::move(key));
}

}  // namespace tokengate::proxy
