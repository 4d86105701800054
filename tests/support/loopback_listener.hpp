#pragma once

#include <cstdint>
#include <string_view>

namespace tokengate::test {

/** A listening TCP socket on 127.0.0.1 at a port the kernel picked (backlog 64). */
struct loopback_listener {
    int fd = -1;
    std::uint16_t port = 0;
};

/** Opens one; throws std::runtime_error naming `who` and the failing call's errno text. */
loopback_listener listen_on_loopback(std::string_view who);

}  // namespace tokengate::test
