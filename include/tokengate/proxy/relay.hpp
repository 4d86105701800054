#pragma once

#include "tokengate/proxy/net.hpp"

#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <chrono>
#include <span>
#include <string_view>

namespace tokengate::proxy {

namespace http = beast::http;

/** Size of the buffer a body passes through: memory per relay is flat whatever the size. */
inline constexpr std::size_t relay_chunk = 32 * 1024;

/** How a relay ended: ok, or which side failed (the reading side is the sender's fault,
 *  e.g. a malformed chunk from the client; the writing side is the receiver's). */
struct relay_result {
    boost::system::error_code ec;
    bool read_failed = false;
};

/** Streams a message body from `from` (through its parser) to `to` (through a serializer),
 *  chunk by chunk through `buf`, re-framing as the serializer's header says. A header not
 *  yet written goes out together with the first chunk: one send instead of two. Each read
 *  and write has its own `step_timeout`, reads also end at `deadline` (the whole-request
 *  limit). `first` holds body bytes the caller already read through the parser (sent
 *  before reading more; it may lie in `buf`). `buf` may be empty when the parser is done
 *  (no body to read). */
template <bool isRequest>
net::awaitable<relay_result> relay_body(stream& from, beast::flat_buffer& from_buf,
                                        http::parser<isRequest, http::buffer_body>& p, stream& to,
                                        http::serializer<isRequest, http::buffer_body>& sr, std::span<char> buf,
                                        std::chrono::milliseconds step_timeout,
                                        std::chrono::steady_clock::time_point deadline =
                                            std::chrono::steady_clock::time_point::max(),
                                        std::string_view first = {}) {
    bool pending = !first.empty();
    do {
        auto& body = p.get().body();
        if (pending) {
            body.data = const_cast<char*>(first.data());  // NOLINT: buffer_body wants void*; only read
            body.size = first.size();
            body.more = !p.is_done();
            pending = false;
        } else if (!p.is_done()) {
            body.data = buf.data();
            body.size = buf.size();
            from.expires_at(std::min(deadline, std::chrono::steady_clock::now() + step_timeout));
            auto [ec, n] = co_await http::async_read(from, from_buf, p);
            (void)n;
            if (ec == http::error::need_buffer) ec = {};
            if (ec) co_return relay_result{ec, true};
            body.size = buf.size() - body.size;
            body.data = buf.data();
            body.more = !p.is_done();
        } else {
            body.data = nullptr;
            body.size = 0;
            body.more = false;
        }
        to.expires_after(step_timeout);
        auto [ec, n] = co_await http::async_write(to, sr);
        (void)n;
        if (ec == http::error::need_buffer) ec = {};
        if (ec) co_return relay_result{ec, false};
    } while (!p.is_done() || !sr.is_done());
    co_return relay_result{};
}

/** Copies bytes both ways between two upgraded connections until either side closes or
 *  stays silent for `idle`; `a_pending`/`b_pending` hold bytes already read past the
 *  handshake on each side. */
net::awaitable<void> tunnel(stream& a, beast::flat_buffer& a_pending, stream& b, beast::flat_buffer& b_pending,
                            std::chrono::milliseconds idle);

}  // namespace tokengate::proxy
