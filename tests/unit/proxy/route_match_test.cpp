#include "tokengate/proxy/route_match.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tokengate::proxy {
namespace {

using config::auth_mode;
using config::route_config;

route_config exact(std::string path, auth_mode mode = auth_mode::required) {
    route_config r;
    r.path = std::move(path);
    r.auth = mode;
    return r;
}

route_config prefix(std::string path, auth_mode mode = auth_mode::required) {
    route_config r = exact(std::move(path), mode);
    r.prefix = true;
    return r;
}

// An exact route matches its path only: no sub-path, no trailing slash variant.
TEST(RouteMatchTest, ExactMatchesOnlyItsPath) {
    const std::vector<route_config> routes = {exact("/health")};

    EXPECT_EQ(match_route(routes, "/health", "GET"), &routes[0]);
    EXPECT_EQ(match_route(routes, "/health/", "GET"), nullptr);
    EXPECT_EQ(match_route(routes, "/health/x", "GET"), nullptr);
    EXPECT_EQ(match_route(routes, "/healthz", "GET"), nullptr);
    EXPECT_EQ(match_route(routes, "/", "GET"), nullptr);
}

// A prefix without trailing slash matches itself and below, never a longer segment ("/apix").
TEST(RouteMatchTest, PrefixMatchesWholeSegmentsOnly) {
    const std::vector<route_config> routes = {prefix("/api")};

    EXPECT_EQ(match_route(routes, "/api", "GET"), &routes[0]);
    EXPECT_EQ(match_route(routes, "/api/", "GET"), &routes[0]);
    EXPECT_EQ(match_route(routes, "/api/x", "GET"), &routes[0]);
    EXPECT_EQ(match_route(routes, "/api/x/y", "GET"), &routes[0]);
    EXPECT_EQ(match_route(routes, "/apix", "GET"), nullptr);
    EXPECT_EQ(match_route(routes, "/ap", "GET"), nullptr);
    EXPECT_EQ(match_route(routes, "/", "GET"), nullptr);
}

// A prefix with a trailing slash matches what lies below it, not the bare directory.
TEST(RouteMatchTest, SlashPrefixMatchesBelowNotItself) {
    const std::vector<route_config> routes = {prefix("/api/")};

    EXPECT_EQ(match_route(routes, "/api/x", "GET"), &routes[0]);
    EXPECT_EQ(match_route(routes, "/api/", "GET"), &routes[0]);
    EXPECT_EQ(match_route(routes, "/api", "GET"), nullptr);
    EXPECT_EQ(match_route(routes, "/apix", "GET"), nullptr);
}

// The root prefix matches every path.
TEST(RouteMatchTest, RootPrefixMatchesEverything) {
    const std::vector<route_config> routes = {prefix("/")};

    EXPECT_EQ(match_route(routes, "/", "GET"), &routes[0]);
    EXPECT_EQ(match_route(routes, "/anything/at/all", "DELETE"), &routes[0]);
}

// Paths compare byte for byte: case differs, route differs.
TEST(RouteMatchTest, PathComparisonCaseSensitive) {
    const std::vector<route_config> routes = {prefix("/admin")};

    EXPECT_EQ(match_route(routes, "/Admin", "GET"), nullptr);
    EXPECT_EQ(match_route(routes, "/ADMIN/x", "GET"), nullptr);
}

// A methods list filters exactly (RFC 9110 §9.1: case-sensitive); other methods fall through.
TEST(RouteMatchTest, MethodsFilterFallsThrough) {
    route_config reads = prefix("/docs", auth_mode::none);
    reads.methods = {"GET", "HEAD"};
    const std::vector<route_config> routes = {reads, prefix("/docs")};

    EXPECT_EQ(match_route(routes, "/docs/a", "GET"), &routes[0]);
    EXPECT_EQ(match_route(routes, "/docs/a", "HEAD"), &routes[0]);
    EXPECT_EQ(match_route(routes, "/docs/a", "POST"), &routes[1]);
    EXPECT_EQ(match_route(routes, "/docs/a", "get"), &routes[1]);
}

// With a methods list and nothing after it, an unlisted method matches nothing.
TEST(RouteMatchTest, UnlistedMethodWithoutFallbackNoMatch) {
    route_config r = exact("/upload");
    r.methods = {"PUT"};
    const std::vector<route_config> routes = {r};

    EXPECT_EQ(match_route(routes, "/upload", "PUT"), &routes[0]);
    EXPECT_EQ(match_route(routes, "/upload", "POST"), nullptr);
}

// The first matching route wins, even when a later one is more specific.
TEST(RouteMatchTest, FirstMatchWins) {
    const std::vector<route_config> routes = {prefix("/api", auth_mode::optional), exact("/api/admin"),
                                              prefix("/api/admin", auth_mode::none)};

    EXPECT_EQ(match_route(routes, "/api/admin", "GET"), &routes[0]);
    EXPECT_EQ(match_route(routes, "/api/admin/x", "GET"), &routes[0]);
}

// More specific routes listed first take precedence over the catch-all after them.
TEST(RouteMatchTest, SpecificBeforeGeneralChosen) {
    const std::vector<route_config> routes = {exact("/api/admin"), prefix("/api/public/", auth_mode::none),
                                              prefix("/", auth_mode::optional)};

    EXPECT_EQ(match_route(routes, "/api/admin", "GET"), &routes[0]);
    EXPECT_EQ(match_route(routes, "/api/public/x", "GET"), &routes[1]);
    EXPECT_EQ(match_route(routes, "/api/other", "GET"), &routes[2]);
}

// No routes, or none matching: nullptr (the caller then applies default_auth).
TEST(RouteMatchTest, NoMatchReturnsNull) {
    const std::vector<route_config> none;
    const std::vector<route_config> routes = {exact("/a"), prefix("/b")};

    EXPECT_EQ(match_route(none, "/a", "GET"), nullptr);
    EXPECT_EQ(match_route(routes, "/c", "GET"), nullptr);
    EXPECT_EQ(match_route(routes, "/bb", "GET"), nullptr);
}

}  // namespace
}  // namespace tokengate::proxy
