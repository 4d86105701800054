#pragma once

#include "tokengate/crypto/digest.hpp"
#include "tokengate/validate/validator.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tokengate::proxy {

/** Verified-token cache of one worker thread (no locks: one per io_context). Keyed by
 *  SHA-256 of the token (collision-free in practice, so the token itself is not kept);
 *  bounded by entry count (oldest evicted first); an entry lives
 *  until the token's exp and only for the trust snapshot it was verified under. A hit
 *  skips parsing and signature verification, never the time and route checks. */
class token_cache {
public:
    explicit token_cache(std::size_t capacity) : capacity_(capacity) {}

    using digest = crypto::sha256_digest;

    /** The accepted decision cached for the token with SHA-256 `key` under `generation`, or
     *  nullptr. The caller hashes the token once for the lookup, the insert and the
     *  token's fingerprint. */
    std::shared_ptr<const validate::decision> find(const digest& key, std::uint64_t generation, double now);

    /** Caches an accepted decision (rejections are never cached). */
    void insert(const digest& key, std::uint64_t generation, std::shared_ptr<const validate::decision> d,
                double now);

    /** The same, hashing `token` here. */
    std::shared_ptr<const validate::decision> find(std::string_view token, std::uint64_t generation, double now) {
        return find(crypto::sha256_of(token), generation, now);
    }
    void insert(std::string_view token, std::uint64_t generation, std::shared_ptr<const validate::decision> d,
                double now) {
        insert(crypto::sha256_of(token), generation, std::move(d), now);
    }

    std::size_t size() const noexcept { return map_.size(); }
    std::uint64_t hits() const noexcept { return hits_; }
    std::uint64_t misses() const noexcept { return misses_; }

private:
    /** The digest's first bytes are already uniformly spread: no need to hash them again. */
    struct digest_hash {
        std::size_t operator()(const digest& d) const noexcept {
            std::size_t h = 0;
            std::memcpy(&h, d.data(), sizeof h);
            return h;
        }
    };

    struct entry {
        std::shared_ptr<const validate::decision> decision;
        std::uint64_t generation;
        double expires;
        std::uint64_t seq;  //!< matches the entry's slot in order_
    };

    std::size_t capacity_;
    std::unordered_map<digest, entry, digest_hash> map_;
    /** Insertion order for eviction; a slot whose seq no longer matches its entry (erased
     *  or re-inserted since) is skipped. */
    std::deque<std::pair<digest, std::uint64_t>> order_;
    std::uint64_t next_seq_ = 0;
    std::uint64_t hits_ = 0;
    std::uint64_t misses_ = 0;
};

}  // namespace tokengate::proxy
