#include "tokengate/crypto/prepared.hpp"

#include "tokengate/crypto/digest.hpp"
#include "tokengate/crypto/openssl_error.hpp"
#include "tokengate/crypto/openssl_ptr.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/rsa.h>

#include <array>
#include <span>
#include <string>

namespace tokengate::crypto {
namespace {

// Enough for every key of a few providers mid-rotation; a thread that sees more keys
// than this prepares again, which is only as slow as before contexts were kept.
constexpr std::size_t max_entries = 64;

using evp_mac_ctx_ptr = std::unique_ptr<EVP_MAC_CTX, openssl_deleter<EVP_MAC_CTX, EVP_MAC_CTX_free>>;

struct pkey_entry {
    EVP_PKEY* pkey = nullptr;  // identity only; the contexts below hold the reference
    jose::hash h = jose::hash::none;
    int padding = 0;
    int salt_len = 0;
    evp_pkey_ctx_ptr pctx;
    evp_md_ctx_ptr mdctx;
};

struct mac_entry {
    jose::hash h = jose::hash::none;
    std::string secret;  // compared on lookup; wiped when replaced or dropped
    evp_mac_ctx_ptr ctx;

    mac_entry() = default;
    mac_entry(const mac_entry&) = delete;
    mac_entry& operator=(const mac_entry&) = delete;
    ~mac_entry() { OPENSSL_cleanse(secret.data(), secret.size()); }
};

// A fixed array, never reallocated, so no copy of a secret is left behind in freed
// memory; when full, the oldest entry is overwritten.
template <class Entry>
struct bounded_entries {
    std::array<Entry, max_entries> slots;
    std::size_t used = 0;
    std::size_t next = 0;

    std::span<Entry> items() { return {slots.data(), used}; }

    Entry& slot_for_new() {
        if (used < max_entries) return slots[used++];
        Entry& slot = slots[next];
        next = (next + 1) % max_entries;
        return slot;
    }
};

struct thread_contexts {
    evp_md_ctx_ptr digest{EVP_MD_CTX_new()};
    bounded_entries<pkey_entry> pkeys;
    bounded_entries<mac_entry> macs;
};

thread_contexts& local() {
    thread_local thread_contexts t;
    return t;
}

EVP_MAC* hmac_algorithm() {
    // Fetched once for the process and never freed: contexts made from it outlive any scope.
    static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    return mac;
}

const char* digest_name(jose::hash h) {
    switch (h) {
    case jose::hash::sha256: return "SHA256";
    case jose::hash::sha384: return "SHA384";
    case jose::hash::sha512: return "SHA512";
    case jose::hash::none: break;
    }
    return nullptr;
}

pkey_entry* find(EVP_PKEY* pkey, jose::hash h, int padding, int salt_len) {
    for (auto& e : local().pkeys.items())
        if (e.pkey == pkey && e.h == h && e.padding == padding && e.salt_len == salt_len) return &e;
    return nullptr;
}

evp_pkey_ctx_ptr make_verify_ctx(EVP_PKEY* pkey, jose::hash h, int padding, int salt_len) {
    const EVP_MD* md = evp_md(h);
    evp_pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
    if (!ctx || md == nullptr || EVP_PKEY_verify_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_signature_md(ctx.get(), md) != 1)
        return nullptr;
    if (padding != 0 && EVP_PKEY_CTX_set_rsa_padding(ctx.get(), padding) != 1) return nullptr;
    if (padding == RSA_PKCS1_PSS_PADDING &&
        (EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), salt_len) != 1 || EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md) != 1))
        return nullptr;
    return ctx;
}

}  // namespace

bool digest_into(jose::hash h, std::string_view msg, unsigned char* out) noexcept {
    EVP_MD_CTX* ctx = local().digest.get();
    const EVP_MD* md = evp_md(h);
    unsigned int len = 0;
    if (ctx == nullptr || md == nullptr || EVP_DigestInit_ex2(ctx, md, nullptr) != 1 ||
        EVP_DigestUpdate(ctx, msg.data(), msg.size()) != 1 || EVP_DigestFinal_ex(ctx, out, &len) != 1) {
        drain_openssl_errors();
        return false;
    }
    return true;
}

EVP_PKEY_CTX* prepared_verify_ctx(EVP_PKEY* pkey, jose::hash h, int padding, int salt_len) noexcept {
    if (pkey_entry* e = find(pkey, h, padding, salt_len)) return e->pctx.get();
    evp_pkey_ctx_ptr ctx = make_verify_ctx(pkey, h, padding, salt_len);
    if (!ctx) {
        drain_openssl_errors();
        return nullptr;
    }
    pkey_entry& e = local().pkeys.slot_for_new();
    e = pkey_entry{pkey, h, padding, salt_len, std::move(ctx), nullptr};
    return e.pctx.get();
}

EVP_MD_CTX* prepared_eddsa_ctx(EVP_PKEY* pkey) noexcept {
    if (pkey_entry* e = find(pkey, jose::hash::none, 0, 0)) return e->mdctx.get();
    evp_md_ctx_ptr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, pkey, nullptr) != 1) {
        drain_openssl_errors();
        return nullptr;
    }
    pkey_entry& e = local().pkeys.slot_for_new();
    e = pkey_entry{pkey, jose::hash::none, 0, 0, nullptr, std::move(ctx)};
    return e.mdctx.get();
}

EVP_MAC_CTX* prepared_hmac_ctx(jose::hash h, std::string_view secret) noexcept {
    for (auto& e : local().macs.items()) {
        if (e.h != h || e.secret.size() != secret.size() || CRYPTO_memcmp(e.secret.data(), secret.data(), secret.size()) != 0)
            continue;
        // A null key re-initialises with the key already set: no hashing of ipad/opad again.
        if (EVP_MAC_init(e.ctx.get(), nullptr, 0, nullptr) == 1) return e.ctx.get();
        drain_openssl_errors();
        return nullptr;
    }
    EVP_MAC* mac = hmac_algorithm();
    const char* name = digest_name(h);
    evp_mac_ctx_ptr ctx(mac != nullptr ? EVP_MAC_CTX_new(mac) : nullptr);
    if (!ctx || name == nullptr) {
        drain_openssl_errors();
        return nullptr;
    }
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(name), 0),
                                 OSSL_PARAM_construct_end()};
    // An empty secret still needs a non-null key pointer: null means "keep the old key".
    static const unsigned char empty = 0;
    const auto* key = secret.empty() ? &empty : reinterpret_cast<const unsigned char*>(secret.data());
    if (EVP_MAC_init(ctx.get(), key, secret.size(), params) != 1) {
        drain_openssl_errors();
        return nullptr;
    }
    mac_entry& e = local().macs.slot_for_new();
    OPENSSL_cleanse(e.secret.data(), e.secret.size());
    e.secret.assign(secret);
    e.h = h;
    e.ctx = std::move(ctx);
    return e.ctx.get();
}

}  // namespace tokengate::crypto
