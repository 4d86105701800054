// Per-thread prepared contexts (prepared.hpp): reusing one context for many checks must
// never carry a result over, more keys than a thread keeps must still verify, and
// threads must not see each other's contexts.
#include "tokengate/crypto/prepared.hpp"

#include "support/test_keys.hpp"
#include "support/token_builder.hpp"
#include "tokengate/crypto/digest.hpp"
#include "tokengate/crypto/verify.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace tokengate::test {
namespace {

using jose::alg;
using crypto::verify_status;

const std::string secret(64, 'k');

constexpr std::array all_algs = {alg::hs256, alg::hs384, alg::hs512, alg::rs256, alg::rs384, alg::rs512, alg::ps256,
                                 alg::ps384, alg::ps512, alg::es256, alg::es384, alg::es512, alg::eddsa};

std::shared_ptr<const crypto::key> key_for(alg a) {
    return jose::is_hmac(a) ? hmac_key(secret, "k") : with_kid(*pair_for(a).pub, "k");
}

std::string sign(alg a, const std::string& input) {
    return jose::is_hmac(a) ? sign_with_secret(a, secret, input) : sign_with_key(a, pair_for(a).priv.get(), input);
}

verify_status check(alg a, const crypto::key& k, const std::string& input, const std::string& sig) {
    return crypto::verify(a, k, input, sig).status;
}

TEST(PreparedTest, OneContextAlternatingValidAndInvalidNeverCarriesOver) {
    // Verifies: for every algorithm, valid / altered message / altered signature / valid again, many times on one
    // thread's context, each with the right answer.
    for (alg a : all_algs) {
        SCOPED_TRACE(std::string(jose::to_string(a)));
        const auto k = key_for(a);
        const std::string input = "eyJhbGciOiJ4In0.eyJzdWIiOiIxIn0";
        const std::string sig = sign(a, input);
        std::string bad_sig = sig;
        bad_sig[bad_sig.size() / 2] = static_cast<char>(bad_sig[bad_sig.size() / 2] ^ 0x01);
        for (int i = 0; i < 20; ++i) {
            ASSERT_EQ(check(a, *k, input, sig), verify_status::valid);
            ASSERT_EQ(check(a, *k, input + "x", sig), verify_status::invalid);
            ASSERT_EQ(check(a, *k, input, bad_sig), verify_status::invalid);
        }
        EXPECT_EQ(check(a, *k, input, sig), verify_status::valid);
    }
}

TEST(PreparedTest, MoreKeysThanAThreadKeepsStillVerify) {
    // Verifies: 80 EC keys and 80 HMAC secrets (more than the 64 contexts a thread keeps), verified round after
    // round: evicted contexts are prepared again and each key only verifies its own signatures.
    constexpr std::size_t n = 80;
    const std::string input = "header.payload";
    std::vector<std::shared_ptr<const crypto::key>> ec_keys;
    std::vector<std::string> ec_sigs;
    std::vector<std::shared_ptr<const crypto::key>> mac_keys;
    std::vector<std::string> mac_sigs;
    for (std::size_t i = 0; i < n; ++i) {
        const key_pair& p = ec_pair(jose::curve::p256, 100 + static_cast<int>(i));
        ec_keys.push_back(p.pub);
        ec_sigs.push_back(sign_with_key(alg::es256, p.priv.get(), input));
        const std::string s = secret + std::to_string(i);
        mac_keys.push_back(hmac_key(s));
        mac_sigs.push_back(sign_with_secret(alg::hs256, s, input));
    }
    for (int round = 0; round < 3; ++round) {
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t other = (i + 1) % n;
            ASSERT_EQ(check(alg::es256, *ec_keys[i], input, ec_sigs[i]), verify_status::valid) << i;
            ASSERT_EQ(check(alg::es256, *ec_keys[i], input, ec_sigs[other]), verify_status::invalid) << i;
            ASSERT_EQ(check(alg::hs256, *mac_keys[i], input, mac_sigs[i]), verify_status::valid) << i;
            ASSERT_EQ(check(alg::hs256, *mac_keys[i], input, mac_sigs[other]), verify_status::invalid) << i;
        }
    }
}

TEST(PreparedTest, HmacOfSameSecretUnderEveryHashAndEmptySecret) {
    // Verifies: one secret under HS256/384/512 gives three distinct, correct MACs (contexts are per hash), and an
    // empty secret is a key like any other (RFC 2104), not "keep the previous key".
    const std::string data = "signing input";
    const std::string h256 = crypto::hmac(jose::hash::sha256, secret, data);
    const std::string h384 = crypto::hmac(jose::hash::sha384, secret, data);
    const std::string h512 = crypto::hmac(jose::hash::sha512, secret, data);
    EXPECT_EQ(h256.size(), 32u);
    EXPECT_EQ(h384.size(), 48u);
    EXPECT_EQ(h512.size(), 64u);
    EXPECT_EQ(crypto::hmac(jose::hash::sha256, secret, data), h256);
    // RFC 4231 test case 2 ("Jefe"), to pin the values themselves, not just consistency.
    EXPECT_EQ(crypto::to_hex(crypto::hmac(jose::hash::sha256, "Jefe", "what do ya want for nothing?")),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    const std::string empty_mac = crypto::hmac(jose::hash::sha256, "", data);
    EXPECT_EQ(crypto::to_hex(crypto::hmac(jose::hash::sha256, "", "")),
              "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    EXPECT_NE(empty_mac, h256);
}

TEST(PreparedTest, ThreadsVerifyWithTheirOwnContexts) {
    // Verifies: four threads verifying the same keys at once (each with its own contexts) all get the right answers.
    const std::string input = "eyJhbGciOiJ4In0.eyJzdWIiOiIyIn0";
    std::vector<std::pair<alg, std::string>> sigs;
    for (alg a : all_algs) sigs.emplace_back(a, sign(a, input));
    std::vector<std::shared_ptr<const crypto::key>> keys;
    for (alg a : all_algs) keys.push_back(key_for(a));
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 10; ++i)
                for (std::size_t j = 0; j < sigs.size(); ++j) {
                    if (check(sigs[j].first, *keys[j], input, sigs[j].second) != verify_status::valid) ++wrong;
                    if (check(sigs[j].first, *keys[j], input + "!", sigs[j].second) != verify_status::invalid) ++wrong;
                }
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(wrong.load(), 0);
}

TEST(PreparedTest, DigestMatchesKnownValues) {
    // Verifies: the reused per-thread digest context gives the FIPS 180 values, also after a longer input.
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    ASSERT_TRUE(crypto::digest_into(jose::hash::sha256, std::string(1000, 'a'), out.data()));
    ASSERT_TRUE(crypto::digest_into(jose::hash::sha256, "abc", out.data()));
    EXPECT_EQ(crypto::to_hex(std::string(reinterpret_cast<const char*>(out.data()), 32)),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ASSERT_TRUE(crypto::digest_into(jose::hash::sha512, "abc", out.data()));
    EXPECT_EQ(crypto::to_hex(std::string(reinterpret_cast<const char*>(out.data()), 8)), "ddaf35a193617aba");
}

}  // namespace
}  // namespace tokengate::test
