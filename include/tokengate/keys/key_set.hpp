#pragma once

#include "tokengate/crypto/key.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tokengate::keys {

/** An immutable set of verification keys for one provider, swapped whole on refresh. */
struct key_set {
    std::vector<std::shared_ptr<const crypto::key>> keys;
    std::string source;  //!< "jwks file /etc/x.json", "https://idp/.well-known/jwks.json", …
    /** When a remote set was fetched; unset for local keys. Feeds the unknown_kid hint. */
    std::optional<std::chrono::system_clock::time_point> fetched_at;

    /** The key whose kid equals `kid` exactly, or nullptr. */
    const crypto::key* find(std::string_view kid) const;

    /** kids in set order ("(no kid)" for keys without one). */
    std::vector<std::string> kids() const;
};

using key_set_ptr = std::shared_ptr<const key_set>;

}  // namespace tokengate::keys
