// Project Wycheproof vectors (C2SP/wycheproof testvectors_v1), read in place from the
// folder the build names in TOKENGATE_WYCHEPROOF_DIR; they are never copied into the
// repository. Every vector of every file is checked and counted: a file whose count
// differs from its numberOfTests fails, so nothing is skipped silently.
//
// Expectations: "valid" must verify and "invalid" must not. "acceptable" is decided per
// flag in acceptable_decisions below. Where tokengate deliberately differs from a
// vector (its SPEC or the RFCs say so, or the data contradicts itself) the vector is
// listed in `deviations` with the reason, and tokengate's actual outcome is asserted.
#include "tokengate/crypto/verify.hpp"

#include "tokengate/crypto/key.hpp"
#include "tokengate/jose/base64url.hpp"
#include "tokengate/jose/json.hpp"
#include "tokengate/keys/jwk.hpp"
#include "tokengate/validate/policy.hpp"
#include "tokengate/validate/validator.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tokengate::test {
namespace {

namespace fs = std::filesystem;
using jose::alg;

// ---------------------------------------------------------------------------------------
// Reading the data

std::string vectors_dir() { return std::string(TOKENGATE_WYCHEPROOF_DIR) + "/testvectors_v1/"; }

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The files of one family ("rsa_pss_" … "_test.json"), sorted so the output is stable.
std::vector<std::string> files_named(std::string_view prefix, std::string_view suffix) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(vectors_dir())) {
        const std::string name = e.path().filename().string();
        if (name.starts_with(prefix) && name.ends_with(suffix)) out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string text_of(const rapidjson::Value& obj, const char* name) {
    const auto it = obj.FindMember(name);
    if (it == obj.MemberEnd() || !it->value.IsString()) {
        ADD_FAILURE() << "member \"" << name << "\" missing or not a string";
        return {};
    }
    return {it->value.GetString(), it->value.GetStringLength()};
}

int int_of(const rapidjson::Value& obj, const char* name) {
    const auto it = obj.FindMember(name);
    if (it == obj.MemberEnd() || !it->value.IsInt()) {
        ADD_FAILURE() << "member \"" << name << "\" missing or not an integer";
        return -1;
    }
    return it->value.GetInt();
}

std::string from_hex(std::string_view hex) {
    const auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    if (hex.size() % 2 != 0) {
        ADD_FAILURE() << "odd-length hex in the vector file";
        return out;
    }
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int hi = nibble(hex[i]);
        const int lo = nibble(hex[i + 1]);
        if (hi < 0 || lo < 0) {
            ADD_FAILURE() << "bad hex digit in the vector file";
            return {};
        }
        out.push_back(static_cast<char>(hi * 16 + lo));
    }
    return out;
}

std::optional<jose::hash> hash_named(std::string_view name) {
    if (name == "SHA-256") return jose::hash::sha256;
    if (name == "SHA-384") return jose::hash::sha384;
    if (name == "SHA-512") return jose::hash::sha512;
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------
// Expectations

// tokengate's answer to an "acceptable" vector, by flag. tokengate is strict: what a
// conforming signer never produces is refused.
struct acceptable_decision {
    const char* flag;
    bool accept;
    const char* why;
};
constexpr acceptable_decision acceptable_decisions[] = {
    // RFC 8017 §9.2 (Note 1) fixes the DigestInfo encodings, NULL parameters included;
    // a signature without them comes from a non-conforming signer. OpenSSL compares the
    // whole encoding, so it refuses them, and so does tokengate.
    {"MissingNull", false, "DigestInfo without NULL parameters (RFC 8017 §9.2)"},
};

// A vector where tokengate's outcome intentionally differs from Wycheproof's.
struct deviation {
    const char* file;
    int tc_id;
    bool accepted;              // tokengate's outcome, asserted
    const char* strip_member;   // when set: without this JWK member the vector verifies
    int same_as_tc_id;          // when set: the vector's text equals this tcId's
    const char* why;
};
constexpr deviation deviations[] = {
    // RFC 7520 examples with a key Wycheproof annotated: the JWK says "alg":"PS256" but the
    // token is PS384. RFC 7517 §4.4 lets "alg" name the one algorithm the key is for, and
    // tokengate enforces it (crypto::incompatibility), as it must against confusion.
    {"json_web_signature_test.json", 346, false, "alg", 0, "JWK alg PS256 restricts the key; token is PS384"},
    {"json_web_signature_test.json", 350, false, "alg", 0, "JWK alg PS256 restricts the key; token is PS384"},
    // "ES521" is no JWS algorithm (RFC 7518 §3.1 has ES512); a key meant for an algorithm
    // tokengate does not know is refused at load rather than guessed at.
    {"json_web_signature_test.json", 347, false, "alg", 0, "JWK alg \"ES521\" is not an algorithm; key refused"},
    {"json_web_signature_test.json", 351, false, "alg", 0, "JWK alg \"ES521\" is not an algorithm; key refused"},
    // key_ops is ["sign, verify"]: one unknown operation named "sign, verify", not "verify"
    // (RFC 7517 §4.3 values are exact strings), so the key may not verify.
    {"json_web_signature_test.json", 349, false, "key_ops", 0, "key_ops lacks \"verify\"; key refused"},
    // A '?' inside a segment: SPEC §3 accepts only the strict base64url alphabet.
    {"json_web_signature_test.json", 372, false, nullptr, 0, "'?' in the header segment: not base64url"},
    {"json_web_signature_test.json", 373, false, nullptr, 0, "'?' in the payload segment: not base64url"},
    // The padding these vectors are named for is absent from this copy of the data: each
    // is byte-identical to the valid tcId 357, so accepting it is the only consistent answer.
    {"json_web_signature_test.json", 367, true, nullptr, 357, "identical to valid tcId 357"},
    {"json_web_signature_test.json", 370, true, nullptr, 357, "identical to valid tcId 357"},
    // An HS256 and an ES256 key in one set. tokengate selects by kid and requires the key
    // type to fit the alg, so the EC key can never act as an HMAC secret (the attack the
    // flag is about); SPEC §5 makes such a mixed whitelist a warning, not a refusal.
    {"json_web_key_test.json", 1, true, nullptr, 0, "mixed oct/EC key set: warned by check_provider, not refused"},
    // Two keys share a kid. tokengate loads a JWKS key by key and leaves out what it cannot
    // use, with a note: here the second key already fails (its "k" has non-zero unused
    // bits, RFC 4648 §3.5), and a valid duplicate would be left out too ("first one
    // kept"). The token was signed with the first key, so it verifies; which key a kid
    // means is never ambiguous, which is the risk the vector is about.
    {"json_web_key_test.json", 4, true, nullptr, 0, "duplicate kid: only the first key is loaded"},
    // A key with the ROCA weakness (CVE-2017-15361). SPEC §3/§4 do not ask for a ROCA
    // fingerprint test, and tokengate has none: reported as a gap, not a crypto failure.
    {"json_web_key_test.json", 7, true, nullptr, 0, "ROCA-weak RSA key is not detected (no SPEC requirement)"},
};

const deviation* deviation_for(std::string_view file, int tc_id) {
    for (const auto& d : deviations)
        if (file == d.file && tc_id == d.tc_id) return &d;
    return nullptr;
}

// Counts one file's vectors and compares each outcome with its expectation.
class vector_tally {
public:
    explicit vector_tally(std::string file) : file_(std::move(file)) {}

    const std::string& file() const { return file_; }

    // The expectation for a vector: Wycheproof's result, "acceptable" decided by flag.
    static bool expected_accept(const rapidjson::Value& test) {
        const std::string result = text_of(test, "result");
        if (result == "valid") return true;
        if (result == "invalid") return false;
        EXPECT_EQ(result, "acceptable");
        bool accept = true;
        for (const auto& f : test["flags"].GetArray()) {
            const std::string_view flag(f.GetString(), f.GetStringLength());
            const auto* d = std::find_if(std::begin(acceptable_decisions), std::end(acceptable_decisions),
                                         [&](const acceptable_decision& a) { return flag == a.flag; });
            if (d == std::end(acceptable_decisions)) {
                ADD_FAILURE() << "tcId " << int_of(test, "tcId") << ": no decision for acceptable flag " << flag
                              << "; add one to acceptable_decisions";
                return false;
            }
            accept = accept && d->accept;
        }
        return accept;
    }

    // Records `accepted` for `test` and checks it against `expected`.
    void check(const rapidjson::Value& test, bool accepted, bool expected, const std::string& detail) {
        count(text_of(test, "result"));
        EXPECT_EQ(accepted, expected) << file_ << " tcId " << int_of(test, "tcId") << " ("
                                      << text_of(test, "result") << ", " << text_of(test, "comment") << ", flags "
                                      << flags_of(test) << "): " << (accepted ? "accepted" : "rejected")
                                      << (detail.empty() ? "" : " — " + detail);
    }

    // Like check(), with Wycheproof's expectation unless the vector is a listed deviation.
    void check(const rapidjson::Value& test, bool accepted, const std::string& detail) {
        const deviation* d = deviation_for(file_, int_of(test, "tcId"));
        if (d != nullptr) ++deviations_;
        check(test, accepted, d != nullptr ? d->accepted : expected_accept(test), detail);
    }

    void refused_group() { ++refused_groups_; }

    // Every vector counted, every listed deviation met, and a summary line for the log.
    void finish(const rapidjson::Document& doc) {
        const int expected = int_of(doc, "numberOfTests");
        EXPECT_EQ(valid_ + invalid_ + acceptable_, expected) << file_ << ": vectors checked != numberOfTests";
        const auto listed = std::count_if(std::begin(deviations), std::end(deviations),
                                          [&](const deviation& d) { return file_ == d.file; });
        EXPECT_EQ(deviations_, listed) << file_ << ": a listed deviation names a tcId the file lacks";
        std::cout << "[wycheproof] " << file_ << ": " << valid_ + invalid_ + acceptable_ << "/" << expected
                  << " vectors (valid " << valid_ << ", invalid " << invalid_ << ", acceptable " << acceptable_
                  << "); refused keys " << refused_groups_ << "; documented deviations " << deviations_ << "\n";
    }

private:
    void count(const std::string& result) {
        if (result == "valid") ++valid_;
        else if (result == "invalid") ++invalid_;
        else ++acceptable_;
    }

    static std::string flags_of(const rapidjson::Value& test) {
        std::string out = "[";
        for (const auto& f : test["flags"].GetArray()) out += (out.size() > 1 ? "," : "") + std::string(f.GetString());
        return out + "]";
    }

    std::string file_;
    int valid_ = 0;
    int invalid_ = 0;
    int acceptable_ = 0;
    int refused_groups_ = 0;
    int deviations_ = 0;
};

// ---------------------------------------------------------------------------------------
// Signature primitives (RSA PKCS#1 v1.5, RSA-PSS, ECDSA P1363, Ed25519)

// Runs `verify_one(test)` over every vector of a file whose groups share one key, built
// by `make_key(group)`. A key tokengate refuses rejects its whole group; that is right
// only when SPEC refuses it (RSA under 2048 bits), otherwise valid vectors fail loudly.
template <class MakeKey, class VerifyOne>
void check_primitive_file(const std::string& file, MakeKey make_key, VerifyOne verify_one) {
    SCOPED_TRACE(file);
    rapidjson::Document doc;
    doc.Parse(read_text(vectors_dir() + file).c_str());
    ASSERT_FALSE(doc.HasParseError()) << file;
    vector_tally tally(file);
    for (const auto& group : doc["testGroups"].GetArray()) {
        std::string refused_by_spec;
        const result<crypto::key> k = make_key(group, refused_by_spec);
        if (!k) tally.refused_group();
        for (const auto& test : group["tests"].GetArray()) {
            if (!k) {
                const bool expected = refused_by_spec.empty() && vector_tally::expected_accept(test);
                tally.check(test, false, expected, "key refused: " + k.error() + " " + refused_by_spec);
                continue;
            }
            const std::string msg = from_hex(text_of(test, "msg"));
            const std::string sig = from_hex(text_of(test, "sig"));
            verify_one(tally, test, *k, msg, sig);
        }
    }
    tally.finish(doc);
}

result<crypto::key> rsa_key_of(const rapidjson::Value& group, std::string& refused_by_spec) {
    const auto& pk = group["publicKey"];
    auto k = crypto::make_rsa_key(from_hex(text_of(pk, "modulus")), from_hex(text_of(pk, "publicExponent")));
    if (!k && int_of(group, "keySize") < crypto::min_rsa_bits) refused_by_spec = "(SPEC §3: RSA < 2048 bits)";
    return k;
}

// The JWS algorithm for an RSA hash (RS* or PS*).
alg rsa_alg(jose::hash h, bool pss) {
    switch (h) {
    case jose::hash::sha256: return pss ? alg::ps256 : alg::rs256;
    case jose::hash::sha384: return pss ? alg::ps384 : alg::rs384;
    case jose::hash::sha512: return pss ? alg::ps512 : alg::rs512;
    case jose::hash::none: break;
    }
    ADD_FAILURE() << "no RSA algorithm without a hash";
    return alg::rs256;
}

void check_rsa_pkcs1_file(const std::string& file) {
    std::optional<jose::hash> h;
    check_primitive_file(
        file,
        [&](const rapidjson::Value& group, std::string& spec) {
            h = hash_named(text_of(group, "sha"));
            if (!h) return result<crypto::key>(failure{"unsupported hash " + text_of(group, "sha")});
            return rsa_key_of(group, spec);
        },
        [&](vector_tally& tally, const rapidjson::Value& test, const crypto::key& k, const std::string& msg,
            const std::string& sig) {
            const bool ok = crypto::verify_rsa_pkcs1(k.pkey.get(), *h, msg, sig) == crypto::verify_status::valid;
            tally.check(test, ok, "verify_rsa_pkcs1");
            // The JWS entry point the validator calls must agree with the primitive.
            const auto jws = crypto::verify(rsa_alg(*h, false), k, msg, sig);
            EXPECT_EQ(jws.status == crypto::verify_status::valid, ok)
                << file << " tcId " << int_of(test, "tcId") << ": crypto::verify disagrees (" << jws.detail << ")";
        });
}

void check_rsa_pss_file(const std::string& file) {
    std::optional<jose::hash> h;
    int salt_len = -1;
    check_primitive_file(
        file,
        [&](const rapidjson::Value& group, std::string& spec) {
            h = hash_named(text_of(group, "sha"));
            salt_len = int_of(group, "sLen");
            // verify_rsa_pss runs MGF1 over the signature hash, as JWS does (RFC 7518 §3.5).
            if (text_of(group, "mgf") != "MGF1" || text_of(group, "mgfSha") != text_of(group, "sha")) {
                ADD_FAILURE() << file << ": group uses " << text_of(group, "mgf") << " with "
                              << text_of(group, "mgfSha") << " but hash " << text_of(group, "sha")
                              << "; verify_rsa_pss cannot express that";
                return result<crypto::key>(failure{"MGF differs from the hash"});
            }
            if (!h) return result<crypto::key>(failure{"unsupported hash " + text_of(group, "sha")});
            return rsa_key_of(group, spec);
        },
        [&](vector_tally& tally, const rapidjson::Value& test, const crypto::key& k, const std::string& msg,
            const std::string& sig) {
            const bool ok =
                crypto::verify_rsa_pss(k.pkey.get(), *h, salt_len, msg, sig) == crypto::verify_status::valid;
            tally.check(test, ok, "verify_rsa_pss sLen " + std::to_string(salt_len));
            // JWS fixes the salt length to the hash size (RFC 7518 §3.5). In a file with that
            // sLen crypto::verify must agree with the primitive; in any other file a vector
            // valid under the file's sLen must fail (its invalid ones may carry a JWS-sized
            // salt, as tcId 69 "s_len changed to 32" of the sLen 0 file does).
            const bool jws_salt = static_cast<std::size_t>(salt_len) == jose::digest_size(*h);
            const bool jws_ok =
                crypto::verify(rsa_alg(*h, true), k, msg, sig).status == crypto::verify_status::valid;
            if (jws_salt) {
                EXPECT_EQ(jws_ok, ok) << file << " tcId " << int_of(test, "tcId") << ": crypto::verify disagrees";
            } else if (ok) {
                EXPECT_FALSE(jws_ok) << file << " tcId " << int_of(test, "tcId") << ": salt " << salt_len
                                     << " accepted as JWS";
            }
        });
}

std::optional<jose::curve> curve_named(std::string_view name) {
    if (name == "secp256r1") return jose::curve::p256;
    if (name == "secp384r1") return jose::curve::p384;
    if (name == "secp521r1") return jose::curve::p521;
    return std::nullopt;
}

// The JWS algorithm of a curve and hash pair, if JWS has one (RFC 7518 §3.4).
std::optional<alg> ecdsa_alg(jose::curve c, jose::hash h) {
    for (alg a : {alg::es256, alg::es384, alg::es512})
        if (jose::required_curve(a) == c && jose::hash_of(a) == h) return a;
    return std::nullopt;
}

void check_ecdsa_file(const std::string& file) {
    std::optional<jose::hash> h;
    jose::curve crv = jose::curve::none;
    check_primitive_file(
        file,
        [&](const rapidjson::Value& group, std::string&) {
            const auto& pk = group["publicKey"];
            h = hash_named(text_of(group, "sha"));
            const auto c = curve_named(text_of(pk, "curve"));
            if (!h || !c) return result<crypto::key>(failure{"unsupported curve or hash"});
            crv = *c;
            // The uncompressed point 04||X||Y has fixed-size coordinates, as make_ec_key wants.
            const std::string point = from_hex(text_of(pk, "uncompressed"));
            const std::size_t f = jose::ec_field_size(crv);
            if (point.size() != 1 + 2 * f || point[0] != '\x04')
                return result<crypto::key>(failure{"not an uncompressed point"});
            return crypto::make_ec_key(crv, point.substr(1, f), point.substr(1 + f, f));
        },
        [&](vector_tally& tally, const rapidjson::Value& test, const crypto::key& k, const std::string& msg,
            const std::string& sig) {
            const bool ok =
                crypto::verify_ecdsa_p1363(k.pkey.get(), *h, crv, msg, sig) == crypto::verify_status::valid;
            tally.check(test, ok, "verify_ecdsa_p1363");
            if (const auto a = ecdsa_alg(crv, *h)) {
                const auto jws = crypto::verify(*a, k, msg, sig);
                EXPECT_EQ(jws.status == crypto::verify_status::valid, ok)
                    << file << " tcId " << int_of(test, "tcId") << ": crypto::verify disagrees (" << jws.detail
                    << ")";
            }
        });
}

void check_ed25519_file(const std::string& file) {
    check_primitive_file(
        file,
        [&](const rapidjson::Value& group, std::string&) {
            const auto& pk = group["publicKey"];
            if (text_of(pk, "curve") != "edwards25519") return result<crypto::key>(failure{"not Ed25519"});
            return crypto::make_okp_key(jose::curve::ed25519, from_hex(text_of(pk, "pk")));
        },
        [&](vector_tally& tally, const rapidjson::Value& test, const crypto::key& k, const std::string& msg,
            const std::string& sig) {
            const bool ok = crypto::verify_eddsa(k.pkey.get(), msg, sig) == crypto::verify_status::valid;
            tally.check(test, ok, "verify_eddsa");
            EXPECT_EQ(crypto::verify(alg::eddsa, k, msg, sig).status == crypto::verify_status::valid, ok)
                << file << " tcId " << int_of(test, "tcId") << ": crypto::verify disagrees";
        });
}

// ---------------------------------------------------------------------------------------
// JOSE files: JWS and JWK through the validator

// A copy of a JWK (or of each JWK of a set) as its owner would publish it: private members
// dropped, and optionally one more member (to show a deviation is that member's doing).
rapidjson::Document public_copy(const rapidjson::Value& jwk, const char* also_drop) {
    static constexpr const char* private_members[] = {"d", "p", "q", "dp", "dq", "qi", "oth"};
    rapidjson::Document out;
    out.SetObject();
    for (const auto& m : jwk.GetObject()) {
        const std::string_view name(m.name.GetString(), m.name.GetStringLength());
        if (std::find(std::begin(private_members), std::end(private_members), name) != std::end(private_members))
            continue;
        if (also_drop != nullptr && name == also_drop) continue;
        if (name == "keys" && m.value.IsArray()) {
            rapidjson::Value keys(rapidjson::kArrayType);
            for (const auto& k : m.value.GetArray()) {
                rapidjson::Document one = public_copy(k, also_drop);
                keys.PushBack(rapidjson::Value(one, out.GetAllocator()), out.GetAllocator());
            }
            out.AddMember(rapidjson::Value(m.name, out.GetAllocator()), keys, out.GetAllocator());
            continue;
        }
        out.AddMember(rapidjson::Value(m.name, out.GetAllocator()), rapidjson::Value(m.value, out.GetAllocator()),
                      out.GetAllocator());
    }
    return out;
}

// The algorithms a key may verify: its JWK alg, else every algorithm its type fits.
std::vector<alg> algorithms_for(const crypto::key& k) {
    if (k.alg) return {*k.alg};
    std::vector<alg> out;
    for (alg a : {alg::hs256, alg::hs384, alg::hs512, alg::rs256, alg::rs384, alg::rs512, alg::ps256, alg::ps384,
                  alg::ps512, alg::es256, alg::es384, alg::es512, alg::eddsa})
        if (crypto::incompatibility(k, a).empty()) out.push_back(a);
    return out;
}

// A provider that checks signatures only: any iss, no audience, no exp (the vectors sign
// arbitrary payloads), whitelist = what the group's keys are for.
validate::trust signature_only_trust(keys::key_set set) {
    validate::provider p;
    p.name = "wycheproof";
    p.check_audience = false;
    p.require_exp = false;
    for (const auto& k : set.keys)
        for (alg a : algorithms_for(*k))
            if (std::find(p.algorithms.begin(), p.algorithms.end(), a) == p.algorithms.end()) p.algorithms.push_back(a);
    p.keys.keys = std::make_shared<const keys::key_set>(std::move(set));
    validate::trust t;
    t.providers.push_back(std::move(p));
    return t;
}

// The JWS vectors sign arbitrary bytes ("foo"); tokengate takes only JSON-object payloads
// (SPEC §3), so the validator stops at the payload. For exactly that rejection the
// signature layer is checked on its own: same whitelist, kid match, key fit and verify.
bool payload_is_the_only_defect(const std::string& token, const rejection& r) {
    if (r.code != reason::malformed_token || r.hint.rfind("payload ", 0) != 0 ||
        r.hint.rfind("payload is not valid base64url", 0) == 0)
        return false;
    const auto first = token.find('.');
    const auto last = token.rfind('.');
    const jose::b64_decoded payload =
        jose::base64url_decode(std::string_view(token).substr(first + 1, last - first - 1));
    return payload.error == jose::b64_error::none &&
           jose::parse_json_object(payload.bytes, 16).error != jose::json_error::none;
}

bool signature_layer_accepts(const std::string& token, const validate::provider& p, std::string& detail) {
    const auto first = token.find('.');
    const auto last = token.rfind('.');
    const jose::json_parse h =
        jose::parse_json_object(jose::base64url_decode(std::string_view(token).substr(0, first)).bytes, 16);
    std::string_view alg_name;
    std::string_view kid;
    const bool has_kid = jose::get_string(h.doc, "kid", kid) == jose::field::found;
    jose::get_string(h.doc, "alg", alg_name);
    const std::optional<alg> a = jose::parse_alg(alg_name);
    if (!a || std::find(p.algorithms.begin(), p.algorithms.end(), *a) == p.algorithms.end()) {
        detail = "signature layer: alg " + std::string(alg_name) + " not allowed";
        return false;
    }
    const std::string signature = jose::base64url_decode(std::string_view(token).substr(last + 1)).bytes;
    const std::string_view input = std::string_view(token).substr(0, last);
    for (const auto& k : p.keys.keys->keys) {
        if (has_kid && k->kid != kid) continue;
        if (!crypto::incompatibility(*k, *a).empty()) continue;
        const auto r = crypto::verify(*a, *k, input, signature);
        if (r.status == crypto::verify_status::valid) return true;
        detail = "signature layer: " + r.detail;
    }
    if (detail.empty()) detail = "signature layer: no key fits";
    return false;
}

// tokengate's verdict on one compact JWS under a group's keys (null: the keys were refused).
bool tokengate_accepts(const std::string& token, const validate::trust* t, std::string& detail) {
    if (t == nullptr) return false;
    const validate::decision d = validate::validate(token, *t, std::chrono::system_clock::time_point{});
    if (d.accepted()) return true;
    detail = std::string(to_string(d.rejected->code)) + ": " + d.rejected->hint;
    if (!payload_is_the_only_defect(token, *d.rejected)) return false;
    return signature_layer_accepts(token, t->providers.front(), detail);
}

// Keys of one JOSE test group, from its (private) JWK or JWK set.
struct group_keys {
    std::optional<validate::trust> trust;
    std::string refusal;
};

group_keys load_group_keys(const rapidjson::Value& group, const char* also_drop) {
    group_keys out;
    const std::string jwk_text = jose::to_json(public_copy(group["private"], also_drop));
    auto parsed = keys::parse_jwks(jwk_text, "wycheproof group");
    if (parsed)
        out.trust = signature_only_trust(std::move(parsed->set));
    else
        out.refusal = parsed.error();
    return out;
}

// The text of a vector's token: compact strings as they are, JSON serializations as JSON.
std::string token_text(const rapidjson::Value& test, const char* member) {
    const rapidjson::Value& v = test[member];
    return v.IsString() ? std::string(v.GetString(), v.GetStringLength()) : jose::to_json(v);
}

void check_jose_signature_file(const std::string& file) {
    SCOPED_TRACE(file);
    rapidjson::Document doc;
    doc.Parse(read_text(vectors_dir() + file).c_str());
    ASSERT_FALSE(doc.HasParseError()) << file;
    vector_tally tally(file);
    for (const auto& group : doc["testGroups"].GetArray()) {
        const group_keys keys = load_group_keys(group, nullptr);
        if (!keys.trust) tally.refused_group();
        for (const auto& test : group["tests"].GetArray()) {
            const std::string token = token_text(test, "jws");
            std::string detail = keys.trust ? "" : "keys refused: " + keys.refusal;
            const bool accepted = tokengate_accepts(token, keys.trust ? &*keys.trust : nullptr, detail);
            tally.check(test, accepted, detail);
            if (!token.empty() && token.front() == '{') {
                // JSON serialization (RFC 7515 §7.2) is not a compact token at all.
                const auto p = jose::parse_compact(token, jose::parse_limits{});
                ASSERT_TRUE(p.error.has_value()) << "tcId " << int_of(test, "tcId");
                EXPECT_EQ(to_string(p.error->code), "malformed_token");
            }
            const deviation* d = deviation_for(file, int_of(test, "tcId"));
            if (d == nullptr) continue;
            if (d->strip_member != nullptr) {
                // Without the member the signature verifies: the refusal is the key's metadata.
                const group_keys plain = load_group_keys(group, d->strip_member);
                std::string plain_detail;
                EXPECT_TRUE(tokengate_accepts(token, plain.trust ? &*plain.trust : nullptr, plain_detail))
                    << "tcId " << d->tc_id << " without " << d->strip_member << ": " << plain.refusal << plain_detail;
            }
            if (d->same_as_tc_id != 0) {
                for (const auto& g : doc["testGroups"].GetArray()) {
                    for (const auto& other : g["tests"].GetArray()) {
                        if (int_of(other, "tcId") != d->same_as_tc_id) continue;
                        EXPECT_EQ(token, token_text(other, "jws")) << "tcId " << d->tc_id;
                    }
                }
            }
        }
    }
    tally.finish(doc);
}

// ---------------------------------------------------------------------------------------
// Tests

class WycheproofTest : public ::testing::Test {
protected:
    void SetUp() override {
        // CI always configures the vectors; an unconfigured build must not pass quietly.
        ASSERT_STRNE(TOKENGATE_WYCHEPROOF_DIR, "")
            << "TOKENGATE_WYCHEPROOF_DIR is empty: configure with "
               "-DTOKENGATE_WYCHEPROOF_DIR=<folder holding testvectors_v1/> (C2SP/wycheproof)";
        ASSERT_TRUE(fs::is_directory(vectors_dir())) << vectors_dir() << " is not a directory";
    }

    // Runs `check` on every file of one family; the family must not be empty.
    template <class Check>
    static void check_family(std::string_view prefix, std::string_view suffix, Check check) {
        const auto files = files_named(prefix, suffix);
        ASSERT_FALSE(files.empty()) << "no " << prefix << "*" << suffix << " in " << vectors_dir();
        for (const auto& f : files) check(f);
    }
};

// Every file in the folder belongs to a family a test below checks, so no file is ignored.
TEST_F(WycheproofTest, EveryVectorFileIsChecked) {
    const std::pair<std::string_view, std::string_view> families[] = {
        {"rsa_signature_", "_test.json"}, {"rsa_pss_", "_test.json"},  {"ecdsa_secp", "_p1363_test.json"},
        {"ed25519", "_test.json"},        {"json_web_signature", "_test.json"},
        {"json_web_key", "_test.json"},   {"json_web_encryption", "_test.json"}};
    int files = 0;
    for (const auto& e : fs::directory_iterator(vectors_dir())) {
        const std::string name = e.path().filename().string();
        if (e.path().extension() != ".json") continue;
        ++files;
        const bool covered = std::any_of(std::begin(families), std::end(families), [&](const auto& f) {
            const auto matches = files_named(f.first, f.second);
            return std::find(matches.begin(), matches.end(), name) != matches.end();
        });
        EXPECT_TRUE(covered) << name << " has no checker in wycheproof_test.cpp";
    }
    EXPECT_GT(files, 0);
}

// RSASSA-PKCS1-v1_5 (RS256/384/512): verify_rsa_pkcs1 and crypto::verify match every vector.
TEST_F(WycheproofTest, RsaPkcs1VectorsMatchExpectedResults) {
    check_family("rsa_signature_", "_test.json", check_rsa_pkcs1_file);
}

// RSASSA-PSS: verify_rsa_pss (file's sLen) matches every vector; crypto::verify only JWS's sLen.
TEST_F(WycheproofTest, RsaPssVectorsMatchExpectedResults) {
    check_family("rsa_pss_", "_test.json", check_rsa_pss_file);
}

// ECDSA with raw r||s signatures (ES256/384/512) matches every vector.
TEST_F(WycheproofTest, EcdsaP1363VectorsMatchExpectedResults) {
    check_family("ecdsa_secp", "_p1363_test.json", check_ecdsa_file);
}

// Ed25519 (EdDSA) matches every vector.
TEST_F(WycheproofTest, Ed25519VectorsMatchExpectedResults) {
    check_family("ed25519", "_test.json", check_ed25519_file);
}

// Compact JWS vectors through the validator, keys from each group's JWK.
TEST_F(WycheproofTest, JsonWebSignatureVectorsMatchExpectedResults) {
    check_family("json_web_signature", "_test.json", check_jose_signature_file);
}

// JWK and JWK-set vectors: bad keys are refused at load, good ones verify.
TEST_F(WycheproofTest, JsonWebKeyVectorsMatchExpectedResults) {
    check_family("json_web_key", "_test.json", check_jose_signature_file);
}

// The mixed oct/EC key set tokengate accepts (a deviation above) draws the SPEC §5 warning.
TEST_F(WycheproofTest, MixedKeySetDrawsTheAlgorithmMixWarning) {
    rapidjson::Document doc;
    doc.Parse(read_text(vectors_dir() + "json_web_key_test.json").c_str());
    ASSERT_FALSE(doc.HasParseError());
    const group_keys keys = load_group_keys(doc["testGroups"][0], nullptr);
    ASSERT_TRUE(keys.trust) << keys.refusal;
    const validate::policy_report r = validate::check_provider(keys.trust->providers.front());
    ASSERT_FALSE(r.warnings.empty());
    EXPECT_TRUE(std::any_of(r.warnings.begin(), r.warnings.end(),
                            [](const std::string& w) { return w.find("algorithm confusion") != std::string::npos; }))
        << r.warnings.front();
}

// Duplicate-kid sets (a deviation above) load one key per kid and say what was left out.
TEST_F(WycheproofTest, DuplicateKidLoadsOnlyTheFirstKeyAndSaysSo) {
    // Wycheproof's own set, and the valid two-key set of group 1 with its kids made equal.
    rapidjson::Document doc;
    doc.Parse(read_text(vectors_dir() + "json_web_key_test.json").c_str());
    ASSERT_FALSE(doc.HasParseError());
    ASSERT_EQ(text_of(doc["testGroups"][1], "comment"), "jws_keyset");
    ASSERT_EQ(text_of(doc["testGroups"][2], "comment"), "jws_duplicate_kid");

    const auto wycheproof_set =
        keys::parse_jwks(jose::to_json(public_copy(doc["testGroups"][2]["private"], nullptr)), "t");
    ASSERT_TRUE(wycheproof_set) << wycheproof_set.error();
    EXPECT_EQ(wycheproof_set->set.kids(), std::vector<std::string>{"kid-aes-sign"});
    ASSERT_EQ(wycheproof_set->skipped.size(), 1u);
    EXPECT_NE(wycheproof_set->skipped.front().find("non-zero unused trailing bits"), std::string::npos)
        << wycheproof_set->skipped.front();

    rapidjson::Document same_kid = public_copy(doc["testGroups"][1]["private"], nullptr);
    same_kid["keys"][1]["kid"].SetString("kid-aes-sign");
    const auto renamed = keys::parse_jwks(jose::to_json(same_kid), "t");
    ASSERT_TRUE(renamed) << renamed.error();
    EXPECT_EQ(renamed->set.kids(), std::vector<std::string>{"kid-aes-sign"});
    ASSERT_EQ(renamed->skipped.size(), 1u);
    EXPECT_EQ(renamed->skipped.front(), "key 1 (kid \"kid-aes-sign\"): duplicate kid, first one kept");
}

// Every JWE vector, valid or not, is rejected: encrypted_token_unsupported or malformed_token.
TEST_F(WycheproofTest, JsonWebEncryptionVectorsAreRejectedAsJwe) {
    // tokengate verifies JWS only (SPEC §3); Wycheproof's verdicts here are about decryption.
    check_family("json_web_encryption", "_test.json", [](const std::string& file) {
        SCOPED_TRACE(file);
        rapidjson::Document doc;
        doc.Parse(read_text(vectors_dir() + file).c_str());
        ASSERT_FALSE(doc.HasParseError());
        vector_tally tally(file);
        const validate::trust no_providers;
        for (const auto& group : doc["testGroups"].GetArray()) {
            for (const auto& test : group["tests"].GetArray()) {
                const std::string token = token_text(test, "jwe");
                const validate::decision d = validate::validate(token, no_providers, {});
                const bool five = std::count(token.begin(), token.end(), '.') == 4;
                tally.check(test, d.accepted(), false, d.accepted() ? "" : d.rejected->hint);
                if (d.accepted()) continue;
                EXPECT_EQ(to_string(d.rejected->code), five ? "encrypted_token_unsupported" : "malformed_token")
                    << "tcId " << int_of(test, "tcId") << ": " << d.rejected->hint;
            }
        }
        tally.finish(doc);
    });
}

}  // namespace
}  // namespace tokengate::test
