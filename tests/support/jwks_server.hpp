#pragma once

#include "support/test_pki.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tokengate::test {

namespace detail {
struct jwks_server_state;
}

/** A scriptable HTTP/1.1 server (HTTPS with a test_pki leaf, or plain HTTP) on
 *  127.0.0.1, port chosen by the kernel, for testing JWKS and discovery fetchers against
 *  real sockets and a real TLS stack. It runs its own event loop on a background thread;
 *  every public member may be called from the test thread while it serves. It listens
 *  when the constructor returns and the destructor returns promptly even with stalled or
 *  delayed connections open. Keep-alive is honoured as the client asks. */
class jwks_server {
public:
    /** How a scripted answer goes wrong on purpose. */
    enum class fault {
        none,                    //!< a complete, well-formed response
        close_without_response,  //!< reads the request, then closes without a byte of answer
        truncate_body,           //!< head with the full Content-Length (never chunked), half the body, then close
        stall_forever,           //!< reads the request and never answers (until the client or server closes)
    };

    /** The scripted answer for one path. */
    struct response {
        // Every member has an initializer, so designated initializers may name any subset.
        unsigned status = 200;
        std::string body{};
        /** Sent as given, in order; Content-Type: application/json is added unless present.
         *  Content-Length / Transfer-Encoding are the server's (see chunked). */
        std::vector<std::pair<std::string, std::string>> headers{};
        /** Waited after reading the request, before answering (or faulting). */
        std::chrono::milliseconds delay{0};
        fault fault_mode = fault::none;
        /** Transfer-Encoding: chunked instead of Content-Length. */
        bool chunked = false;
        /** How close_without_response and truncate_body end the connection: false sends
         *  TLS close_notify first (the failure is HTTP framing only); true closes the TCP
         *  socket bare, as a crashed server would (the client's TLS layer sees a truncated
         *  stream). Same thing on plain HTTP. */
        bool abrupt_close = false;
    };

    /** Served when no response was set for a path (and still counted). */
    static constexpr unsigned unset_path_status = 404;

    /** One request as received. */
    struct request {
        std::chrono::steady_clock::time_point at;  //!< when it had been read, before any delay
        std::string method;
        std::string target;                                       //!< with the query, as sent
        std::vector<std::pair<std::string, std::string>> headers;  //!< wire order
        std::string sni;  //!< TLS server name the client sent; "" for none or plain HTTP
    };

    struct options {
        /** HTTPS with this certificate when set; plain HTTP otherwise. */
        std::optional<test_pki::leaf> tls{};
    };

    /** Binds 127.0.0.1:0 and starts serving. */
    explicit jwks_server(options opts);
    /** A plain HTTP server. */
    jwks_server();
    ~jwks_server();
    jwks_server(const jwks_server&) = delete;
    jwks_server& operator=(const jwks_server&) = delete;

    std::uint16_t port() const noexcept;
    bool tls() const noexcept;
    /** "https://127.0.0.1:PORT" + path (http:// for a plain server); path starts with '/'. */
    std::string url(std::string_view path) const;
    /** The same with host "localhost" (the name a DNS SAN matches). The server listens on
     *  IPv4 only: a client that tries ::1 first must fall back to 127.0.0.1. */
    std::string localhost_url(std::string_view path) const;

    /** Scripts `path` (the target without its query) for every later request. */
    void set(const std::string& path, response r);
    /** 200, Content-Type application/json, the JWKS as body, Cache-Control when given. */
    void set_jwks(const std::string& path, std::string jwks_json, std::string cache_control = "");

    /** New TLS connections present `leaf` from now on (open ones keep theirs). */
    void swap_certificate(const test_pki::leaf& leaf);

    /** Stops listening and closes every open connection, as a dead server: a client is
     *  refused (ECONNREFUSED) until up(). Idempotent. */
    void down();
    /** Listens again on the same port, so every URL handed out stays valid. Throws if
     *  another socket took the port meanwhile (the kernel does not reserve it). Idempotent. */
    void up();

    /** Requests received for `path` (the target without its query), in arrival order. */
    std::vector<request> requests(const std::string& path) const;
    std::size_t count(const std::string& path) const;
    std::vector<std::chrono::steady_clock::time_point> request_times(const std::string& path) const;
    /** Requests for every path together. */
    std::size_t total_count() const;
    /** TCP connections accepted (a TLS client that gives up in the handshake counts here
     *  but sends no request). */
    std::size_t connections() const;
    /** Forgets the requests and connections counted so far; scripted responses stay. */
    void reset_counts();

private:
    std::unique_ptr<detail::jwks_server_state> state_;
};

}  // namespace tokengate::test
