#include "tokengate/proxy/token_cache.hpp"


namespace tokengate::proxy {
namespace {

// Tokens without exp (only where a provider allows that) are re-verified after this.
constexpr double no_exp_ttl_s = 300;

}  // namespace

std::shared_ptr<const validate::decision> token_cache::find(const digest& key, std::uint64_t generation, double now) {
    if (capacity_ == 0) return nullptr;
    const auto it = map_.find(key);
    if (it == map_.end() || it->second.generation != generation || it->second.expires <= now) {
        if (it != map_.end()) map_.erase(it);  // stale: its slot in order_ is skipped later
        ++misses_;
        return nullptr;
    }
    ++hits_;
    return it->second.decision;
}

void token_cache::insert(const digest& key, std::uint64_t generation, std::shared_ptr<const validate::decision> d,
                         double now) {
    // sha256_of() gives all zeros on a library error: never a key, so such tokens never hit.
    if (capacity_ == 0 || !d || !d->accepted() || key == digest{}) return;
    map_.erase(key);
    // Evict the oldest live entries; slots of erased or re-inserted entries are dropped
    // on the way, so order_ stays within a small multiple of the capacity.
    while ((map_.size() >= capacity_ || order_.size() >= 2 * capacity_) && !order_.empty()) {
        auto slot = std::move(order_.front());
        order_.pop_front();
        const auto it = map_.find(slot.first);
        if (it == map_.end() || it->second.seq != slot.second) continue;  // dead slot
        if (map_.size() >= capacity_) {
            map_.erase(it);
        } else {
            // Only compacting dead slots: a live one keeps its place in line (at the back,
            // which ends the loop once the dead ones before it are gone).
            order_.push_back(std::move(slot));
            if (order_.size() < 2 * capacity_) break;
        }
    }
    const double expires = d->ev.exp ? *d->ev.exp : now + no_exp_ttl_s;
    const std::uint64_t seq = next_seq_++;
    order_.emplace_back(key, seq);
    map_.emplace(key, entry{std::move(d), generation, expires, seq});
}

}  // namespace tokengate::proxy
