#include "tokengate/keys/key_set.hpp"

namespace tokengate::keys {

const crypto::key* key_set::find(std::string_view kid) const {
    for (const auto& k : keys) {
        if (k->kid == kid) return k.get();
    }
    return nullptr;
}

std::vector<std::string> key_set::kids() const {
    std::vector<std::string> out;
    out.reserve(keys.size());
    for (const auto& k : keys) out.push_back(k->kid.empty() ? "(no kid)" : k->kid);
    return out;
}

}  // namespace tokengate::keys
