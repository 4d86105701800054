#pragma once

#include "tokengate/jose/alg.hpp"
#include "tokengate/jose/json.hpp"
#include "tokengate/reason.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace tokengate::jose {

/** Bounds applied before and while parsing attacker input. */
struct parse_limits {
    std::size_t max_token_bytes = 8192;
    int max_json_depth = 16;
};

/** A compact JWS split, decoded and parsed, not yet verified. */
struct compact_jws {
    std::string signing_input;   //!< "header.payload" exactly as sent (what is signed)
    std::string signature;       //!< decoded signature bytes
    std::string header_text;     //!< decoded header JSON
    std::string payload_text;    //!< decoded payload JSON
    /** The documents' memory (json_parse explains why it is separate); declared before
     *  the documents, so it outlives them. */
    std::unique_ptr<json_allocator> header_memory;
    std::unique_ptr<json_allocator> payload_memory;
    rapidjson::Document header;  //!< always an object
    rapidjson::Document payload; //!< always an object
    alg algorithm = alg::hs256;  //!< parsed `alg` (never none)
    std::optional<std::string> kid;
    std::optional<std::string> typ;
    /** Header members that carry key material or locations (jwk, jku, x5u, x5c, x5t);
     *  recorded for hints only, never used to find a key. */
    std::string embedded_key_members;
};

/** Either a parsed token or the first structural/header rejection (SPEC §3 order:
 *  size, structure, header). */
struct compact_parse {
    std::optional<compact_jws> jws;
    std::optional<rejection> error;
    /** Set when the header decoded even though a later step failed (for explain). */
    std::optional<std::string> header_text;
    std::optional<std::string> payload_text;
};

compact_parse parse_compact(std::string_view token, const parse_limits& limits);

}  // namespace tokengate::jose
