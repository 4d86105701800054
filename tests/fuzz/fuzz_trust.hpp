#pragma once

#include "tokengate/validate/policy.hpp"
#include "tokengate/validate/validator.hpp"

#include <chrono>
#include <cstdint>
#include <string_view>

namespace tokengate::fuzz {

/** The instant fuzz_compact validates at; the seed tokens are valid then and stay so. */
inline constexpr std::int64_t now_s = 1'700'000'000;

inline constexpr std::string_view idp_issuer = "https://idp.fuzz.example";
inline constexpr std::string_view hs_issuer = "https://hs.fuzz.example";
inline constexpr std::string_view down_issuer = "https://down.fuzz.example";
inline constexpr std::string_view hmac_secret = "wtKcHTHetHVRkCo5Ezr3-Ul6MCc6otb2a_-ucJDGzsKFw0JSGXfrg6D74NOcG9bh";

/** kids of the fixed keys (the private halves live in make_seeds.cpp). */
inline constexpr std::string_view rsa_kid = "rsa-1";
inline constexpr std::string_view ec_kid = "ec-1";
inline constexpr std::string_view ed_kid = "ed-1";

std::chrono::system_clock::time_point now();

/** Three providers: "idp" (RSA-2048 rsa-1, EC P-256 ec-1, Ed25519 ed-1; RS256, RS384,
 *  PS256, PS512, ES256, EdDSA; aud "api"; requires sub; lifetime at most a day), "hs"
 *  (one kid-less HMAC secret; HS256, HS512; aud "svc"; typ "at+jwt") and "down" (no keys
 *  yet, fetching fails). Built once; aborts if a fixed key does not load. */
const validate::trust& trust();

/** The route fuzz_compact validates for: scope "read" and tenant "acme" required. */
const validate::route_policy& route();

}  // namespace tokengate::fuzz
