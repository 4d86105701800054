#include "tokengate/proxy/relay_buffers.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace tokengate::proxy {
namespace {

TEST(RelayBuffersTest, ReturnedBufferIsReusedAndIdleOnesAreBounded) {
    // Verifies: a lease hands its buffer back when it ends, the next take reuses it, and no more than max_idle
    // buffers stay around after a burst.
    relay_buffers pool(2);
    const char* first = nullptr;
    {
        relay_buffers::lease a = pool.take();
        ASSERT_TRUE(a);
        EXPECT_EQ(a.span().size(), relay_chunk);
        first = a.span().data();
    }
    EXPECT_EQ(pool.idle(), 1u);
    {
        relay_buffers::lease b = pool.take();
        EXPECT_EQ(b.span().data(), first);
        EXPECT_EQ(pool.idle(), 0u);
    }
    {
        std::vector<relay_buffers::lease> burst;
        for (int i = 0; i < 5; ++i) burst.push_back(pool.take());
    }
    EXPECT_EQ(pool.idle(), 2u);
}

TEST(RelayBuffersTest, EmptyLeaseAndMoveAssignment) {
    // Verifies: a default lease holds nothing (empty span); assigning over a lease gives its old buffer back.
    relay_buffers pool(4);
    relay_buffers::lease none;
    EXPECT_FALSE(none);
    EXPECT_TRUE(none.span().empty());
    relay_buffers::lease a = pool.take();
    a = pool.take();
    EXPECT_EQ(pool.idle(), 1u);
    relay_buffers::lease b = std::move(a);
    EXPECT_TRUE(b);
    EXPECT_EQ(pool.idle(), 1u);
}

}  // namespace
}  // namespace tokengate::proxy
