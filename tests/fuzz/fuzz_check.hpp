#pragma once

#include <cstdio>
#include <cstdlib>

namespace tokengate::fuzz {

/** Aborts with `what` when a property fails: libFuzzer then saves the input as a crash. */
inline void require(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "fuzz property violated: %s\n", what);
    std::abort();
}

}  // namespace tokengate::fuzz
