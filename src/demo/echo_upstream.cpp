#include "tokengate/demo/echo_upstream.hpp"

#include "tokengate/crypto/digest.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <openssl/evp.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <charconv>

namespace tokengate::demo {
namespace {

using namespace proxy;
namespace http = beast::http;

std::uint64_t query_number(std::string_view target, std::string_view name) {
    const auto q = target.find('?');
    if (q == std::string_view::npos) return 0;
    std::string_view query = target.substr(q + 1);
    const std::string key = std::string(name) + "=";
    const auto at = query.find(key);
    if (at == std::string_view::npos) return 0;
    std::uint64_t v = 0;
    const char* first = query.data() + at + key.size();
    std::from_chars(first, query.data() + query.size(), v);
    return v;
}

std::string describe(const http::request_header<>& h, std::uint64_t body_bytes, const std::string& body_sha256) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.StartObject();
    w.Key("method");
    w.String(std::string(h.method_string()).c_str());
    w.Key("target");
    w.String(std::string(h.target()).c_str());
    w.Key("headers");
    w.StartObject();
    for (const auto& f : h) {
        const std::string name(f.name_string());
        w.Key(name.c_str());
        // Credentials are shown by size only: this output reaches terminals and logs.
        const bool secret = f.name() == http::field::authorization || f.name() == http::field::cookie;
        w.String(secret ? ("(redacted, " + std::to_string(f.value().size()) + " bytes)").c_str()
                        : std::string(f.value()).c_str());
    }
    w.EndObject();
    w.Key("body_bytes");
    w.Uint64(body_bytes);
    w.Key("body_sha256");
    w.String(body_sha256.c_str());
    w.EndObject();
    return std::string(sb.GetString(), sb.GetSize()) + "\n";
}

// Reads the body in bounded chunks, hashing as it goes: memory stays flat for any size.
net::awaitable<bool> drain_body(stream& s, beast::flat_buffer& buf, http::request_parser<http::buffer_body>& p,
                                std::uint64_t& bytes, std::string& sha) {
    std::array<char, 32 * 1024> chunk;  // NOLINT: filled by the parser
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
    while (!p.is_done()) {
        p.get().body().data = chunk.data();
        p.get().body().size = chunk.size();
        s.expires_after(std::chrono::seconds(60));
        auto [ec, n] = co_await http::async_read(s, buf, p);
        (void)n;
        if (ec == http::error::need_buffer) ec = {};
        if (ec) co_return false;
        const std::size_t got = chunk.size() - p.get().body().size;
        EVP_DigestUpdate(ctx.get(), chunk.data(), got);
        bytes += got;
    }
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx.get(), md.data(), &len);
    sha = crypto::to_hex(std::string_view(reinterpret_cast<const char*>(md.data()), len));
    co_return true;
}

net::awaitable<void> send_bytes(stream& s, std::uint64_t n, bool keep_alive, unsigned version) {
    http::response<http::empty_body> head{http::status::ok, version};
    head.set(http::field::content_type, "application/octet-stream");
    head.content_length(n);
    head.keep_alive(keep_alive);
    http::response_serializer<http::empty_body> sr{head};
    auto [ec, w] = co_await http::async_write_header(s, sr);
    (void)w;
    std::array<char, 32 * 1024> chunk;
    chunk.fill('x');
    while (!ec && n > 0) {
        const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(n, chunk.size()));
        s.expires_after(std::chrono::seconds(60));
        auto [wec, m] = co_await net::async_write(s, net::buffer(chunk.data(), k), as_tuple_awaitable);
        (void)m;
        ec = wec;
        n -= k;
    }
}

net::awaitable<void> echo_tunnel(stream& s, beast::flat_buffer& buf) {
    std::array<char, 16 * 1024> chunk;  // NOLINT: filled by the read
    if (buf.size() > 0) {
        auto [ec, n] = co_await net::async_write(s, buf.data(), as_tuple_awaitable);
        if (ec) co_return;
        buf.consume(n);
    }
    for (;;) {
        s.expires_after(std::chrono::seconds(60));
        auto [ec, n] = co_await s.async_read_some(net::buffer(chunk));
        if (ec) co_return;
        auto [wec, m] = co_await net::async_write(s, net::buffer(chunk.data(), n), as_tuple_awaitable);
        (void)m;
        if (wec) co_return;
    }
}

net::awaitable<void> session(stream s) {
    beast::flat_buffer buf;
    buf.reserve(64 * 1024);  // Beast reads at most the spare capacity: 512-byte reads otherwise
    for (;;) {
        http::request_parser<http::empty_body> hp;
        hp.body_limit(boost::none);
        s.expires_after(std::chrono::seconds(60));
        auto [ec, n] = co_await http::async_read_header(s, buf, hp);
        (void)n;
        if (ec) break;
        const http::request_header<> h = hp.get().base();
        const bool keep_alive = hp.get().keep_alive();
        const unsigned version = hp.get().version();
        http::request_parser<http::buffer_body> p{std::move(hp)};
        std::uint64_t bytes = 0;
        std::string sha;
        if (!co_await drain_body(s, buf, p, bytes, sha)) break;
        const std::string_view target = h.target();
        if (target.rfind("/ws", 0) == 0 && h.count(http::field::upgrade) != 0) {
            http::response<http::empty_body> res{http::status::switching_protocols, version};
            res.set(http::field::upgrade, h[http::field::upgrade]);
            res.set(http::field::connection, "upgrade");
            auto [wec, w] = co_await http::async_write(s, res);
            (void)w;
            if (!wec) co_await echo_tunnel(s, buf);
            break;
        }
        if (const auto ms = query_number(target, "ms"); target.rfind("/slow", 0) == 0 && ms > 0) {
            net::steady_timer t(s.get_executor(), std::chrono::milliseconds(ms));
            co_await t.async_wait(as_tuple_awaitable);
        }
        if (target.rfind("/bytes", 0) == 0) {
            co_await send_bytes(s, query_number(target, "n"), keep_alive, version);
            if (!keep_alive) break;
            continue;
        }
        http::response<http::string_body> res{http::status::ok, version};
        res.set(http::field::content_type, "application/json");
        res.set(http::field::server, "tokengate-echo");
        res.body() = describe(h, bytes, sha);
        res.keep_alive(keep_alive);
        res.prepare_payload();
        auto [wec, w] = co_await http::async_write(s, res);
        (void)w;
        if (wec || !keep_alive) break;
    }
    boost::system::error_code ignored;
    s.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

}  // namespace

echo_upstream::echo_upstream(net::io_context& ioc, const tcp::endpoint& ep) : acceptor_(ioc) {
    acceptor_.open(ep.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    net::co_spawn(ioc, accept_loop(), net::detached);
}

net::awaitable<void> echo_upstream::accept_loop() {
    for (;;) {
        auto [ec, socket] = co_await acceptor_.async_accept(as_tuple_awaitable);
        if (ec) co_return;
        net::co_spawn(acceptor_.get_executor(), session(stream(std::move(socket))), net::detached);
    }
}

}  // namespace tokengate::demo
