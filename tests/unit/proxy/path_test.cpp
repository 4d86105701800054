#include "tokengate/proxy/path.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tokengate::proxy {
namespace {

const std::string refused_slash = "encoded slash or backslash (%2F/%5C) in path";
const std::string refused_nul = "encoded NUL (%00) in path";
const std::string refused_backslash = "backslash in path";
const std::string refused_control = "control character or space in path";
const std::string refused_escape = "malformed percent-escape in path";
const std::string refused_form = "request target must be an absolute path (origin-form)";

// Asserts that `target` is accepted and normalised to `path`.
void expect_path(std::string_view target, std::string_view path) {
    SCOPED_TRACE(std::string("target ") + std::string(target));
    const normalised_target t = normalise_target(target);
    EXPECT_FALSE(t.error.has_value()) << "refused: " << t.error.value_or("");
    EXPECT_EQ(t.path, path);
}

// Asserts that `target` is refused with exactly `error`.
void expect_refused(std::string_view target, const std::string& error) {
    SCOPED_TRACE(std::string("target ") + std::string(target));
    const normalised_target t = normalise_target(target);
    ASSERT_TRUE(t.error.has_value()) << "accepted as " << t.path;
    EXPECT_EQ(*t.error, error);
}

// RFC 3986 §5.4.1/§5.4.2 dot-segment results, as absolute paths against base "/b/c/d;p".
TEST(PathTest, RfcDotSegmentExamplesResolve) {
    const std::vector<std::pair<std::string_view, std::string_view>> cases = {
        {"/b/c/g", "/b/c/g"},
        {"/b/c/./g", "/b/c/g"},
        {"/b/c/g/", "/b/c/g/"},
        {"/g", "/g"},
        {"/b/c/d;p", "/b/c/d;p"},
        {"/b/c/.", "/b/c/"},
        {"/b/c/./", "/b/c/"},
        {"/b/c/..", "/b/"},
        {"/b/c/../", "/b/"},
        {"/b/c/../g", "/b/g"},
        {"/b/c/../..", "/"},
        {"/b/c/../../", "/"},
        {"/b/c/../../g", "/g"},
        {"/b/c/../../../g", "/g"},
        {"/b/c/../../../../g", "/g"},
        {"/./g", "/g"},
        {"/../g", "/g"},
        {"/b/c/g.", "/b/c/g."},
        {"/b/c/.g", "/b/c/.g"},
        {"/b/c/g..", "/b/c/g.."},
        {"/b/c/..g", "/b/c/..g"},
        {"/b/c/./../g", "/b/g"},
        {"/b/c/./g/.", "/b/c/g/"},
        {"/b/c/g/./h", "/b/c/g/h"},
        {"/b/c/g/../h", "/b/c/h"},
        {"/b/c/g;x=1/./y", "/b/c/g;x=1/y"},
        {"/b/c/g;x=1/../y", "/b/c/y"},
    };
    for (const auto& [target, path] : cases) expect_path(target, path);
}

// ".." can never climb above the root, however many there are (RFC 3986 §5.2.4).
TEST(PathTest, DotDotNeverAboveRoot) {
    expect_path("/a/../../b", "/b");
    expect_path("/..", "/");
    expect_path("/../../..", "/");
    expect_path("/a/../../../admin", "/admin");
}

// The bypass SPEC §9 names: a public prefix followed by ".." reaches the real target.
TEST(PathTest, PublicDotDotResolvesToAdmin) {
    expect_path("/public/../admin", "/admin");
    expect_path("/public/./../admin/users", "/admin/users");
}

// "%2e%2e" is decoded (unreserved) and then resolved, so it cannot hide a ".." from routing.
TEST(PathTest, EncodedDotsDecodedAndResolved) {
    expect_path("/public/%2e%2e/admin", "/admin");
    expect_path("/public/%2E%2E/admin", "/admin");
    expect_path("/public/.%2e/admin", "/admin");
    expect_path("/public/%2E./admin", "/admin");
    expect_path("/a/%2E/b", "/a/b");
    expect_path("/a/%2e", "/a/");
}

// Unreserved characters are decoded (RFC 3986 §6.2.2.2): %41 is just "A".
TEST(PathTest, UnreservedEscapesDecoded) {
    expect_path("/%41pi/%7euser/%2D%5F", "/Api/~user/-_");
    expect_path("/%61%64%6d%69%6e", "/admin");
}

// Reserved characters keep their encoding, with hex digits upper-cased (§6.2.2.1).
TEST(PathTest, ReservedEscapesKeptUpperCased) {
    expect_path("/a%3ab", "/a%3Ab");
    expect_path("/a%3Ab", "/a%3Ab");
    expect_path("/q%3fx", "/q%3Fx");
    expect_path("/pct%25", "/pct%25");
    expect_path("/sp%20ace", "/sp%20ace");
}

// Encoded '/', '\' and NUL are refused with the exact error text, in either case.
TEST(PathTest, EncodedSlashBackslashNulRefused) {
    expect_refused("/a%2Fb", refused_slash);
    expect_refused("/a%2fb", refused_slash);
    expect_refused("/public%2F..%2Fadmin", refused_slash);
    expect_refused("/a%5Cb", refused_slash);
    expect_refused("/a%5cb", refused_slash);
    expect_refused("/a%00b", refused_nul);
}

// A raw backslash is refused: some upstreams treat it as a separator.
TEST(PathTest, RawBackslashRefused) {
    expect_refused("/public\\..\\admin", refused_backslash);
    expect_refused("/a\\", refused_backslash);
}

// Control bytes, DEL and space are refused (they never belong in a request target).
TEST(PathTest, ControlBytesAndSpaceRefused) {
    expect_refused("/a b", refused_control);
    expect_refused("/a\tb", refused_control);
    expect_refused("/a\r\nb", refused_control);
    expect_refused("/a\x7f", refused_control);
    expect_refused(std::string_view("/a\0b", 4), refused_control);
}

// Malformed escapes are refused: a non-hex digit, or an escape cut short at the end.
TEST(PathTest, MalformedEscapesRefused) {
    expect_refused("/a%G1", refused_escape);
    expect_refused("/a%1G", refused_escape);
    expect_refused("/a%4", refused_escape);
    expect_refused("/a%", refused_escape);
    expect_refused("/a%%41", refused_escape);
}

// An escape ending exactly at the end of the path is complete and decoded.
TEST(PathTest, EscapeAtEndDecoded) {
    expect_path("/a%41", "/aA");
    expect_path("/a%41?x", "/aA");
}

// Repeated slashes collapse into one.
TEST(PathTest, RepeatedSlashesCollapse) {
    expect_path("//a///b", "/a/b");
    expect_path("//", "/");
    expect_path("/a//", "/a/");
}

// The query is split at the first '?' and kept raw: no decoding, no normalisation.
TEST(PathTest, QuerySplitAtFirstQuestionMarkKeptRaw) {
    const normalised_target t = normalise_target("/a/../b?x=%2F/../y?z=%41&w");

    EXPECT_FALSE(t.error.has_value());
    EXPECT_EQ(t.path, "/b");
    EXPECT_EQ(t.query, "x=%2F/../y?z=%41&w");
}

// A bare '?' gives an empty query; no '?' gives an empty one too.
TEST(PathTest, EmptyQueryForms) {
    EXPECT_EQ(normalise_target("/a?").query, "");
    EXPECT_EQ(normalise_target("/a?").path, "/a");
    EXPECT_EQ(normalise_target("/a").query, "");
}

// Anything but origin-form is refused: asterisk-form, absolute-form, authority-form, empty.
TEST(PathTest, NonOriginFormRefused) {
    expect_refused("*", refused_form);
    expect_refused("http://x/", refused_form);
    expect_refused("example.com:443", refused_form);
    expect_refused("", refused_form);
    expect_refused("?a=b", refused_form);
}

// A trailing slash is significant to many upstreams and is preserved.
TEST(PathTest, TrailingSlashPreserved) {
    expect_path("/", "/");
    expect_path("/a/", "/a/");
    expect_path("/a/.", "/a/");
    expect_path("/a/b/..", "/a/");
    expect_path("/a", "/a");
}

}  // namespace
}  // namespace tokengate::proxy

namespace tokengate::proxy {
namespace {

// "..;" steps up a level in Tomcat-like upstreams though RFC 3986 sees no dot segment.
TEST(PathTest, DotSegmentWithParameterRefused) {
    EXPECT_EQ(normalise_target("/public/..;/admin").error, "dot segment with a parameter (\"..;\") in path");
    EXPECT_TRUE(normalise_target("/public/.;x/admin").error.has_value());
    EXPECT_FALSE(normalise_target("/public/a..;b").error.has_value());
}

}  // namespace
}  // namespace tokengate::proxy
