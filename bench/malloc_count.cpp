// LD_PRELOAD allocation counter for bench/profile.sh: counts malloc, calloc, realloc and
// aligned allocations of the whole process into an 8-byte file named by
// TOKENGATE_MALLOC_COUNT_FILE, which the script reads before and after a fixed number of
// requests (allocations per request, without stopping the process or a debugger).
//
//   TOKENGATE_MALLOC_COUNT_FILE=/tmp/n LD_PRELOAD=libtokengate_malloc_count.so tokengate serve …

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
}

namespace {

// Counts into a private word until the file is mapped (the loader allocates first).
std::atomic<std::uint64_t> early{0};
std::atomic<std::uint64_t>* counter = &early;

void count() noexcept { counter->fetch_add(1, std::memory_order_relaxed); }

__attribute__((constructor)) void map_counter() {
    const char* path = std::getenv("TOKENGATE_MALLOC_COUNT_FILE");
    if (path == nullptr) return;
    const int fd = ::open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ::ftruncate(fd, sizeof(std::uint64_t)) != 0) return;
    void* p = ::mmap(nullptr, sizeof(std::uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ::close(fd);
    if (p == MAP_FAILED) return;
    counter = new (p) std::atomic<std::uint64_t>(early.load());
}

}  // namespace

extern "C" {

void* malloc(std::size_t n) {
    count();
    return __libc_malloc(n);
}

void* calloc(std::size_t n, std::size_t size) {
    count();
    return __libc_calloc(n, size);
}

void* realloc(void* p, std::size_t n) {
    count();
    return __libc_realloc(p, n);
}

void* memalign(std::size_t align, std::size_t n) {
    count();
    return __libc_memalign(align, n);
}

void* aligned_alloc(std::size_t align, std::size_t n) {
    count();
    return __libc_memalign(align, n);
}

int posix_memalign(void** out, std::size_t align, std::size_t n) {
    count();
    void* p = __libc_memalign(align, n);
    if (p == nullptr) return 12;  // ENOMEM
    *out = p;
    return 0;
}

}  // extern "C"
