# Compiler flags shared by every target of the project (not by system headers).
add_library(tokengate_flags INTERFACE)
# -Wnull-dereference is left out: at -O2 it reports Asio internals inlined into our code.
target_compile_options(tokengate_flags INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wimplicit-fallthrough)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 false positives at -O2: -Wrestrict inside libstdc++'s string operator+ (GCC
  # bug 105329), and -Wmismatched-new-delete on Asio's coroutine frames, which pair their
  # own operator new and delete.
  target_compile_options(tokengate_flags INTERFACE -Wno-restrict -Wno-mismatched-new-delete)
endif()
if(TOKENGATE_WERROR)
  target_compile_options(tokengate_flags INTERFACE -Werror)
endif()
if(TOKENGATE_SANITIZE AND TOKENGATE_TSAN)
  message(FATAL_ERROR "TOKENGATE_SANITIZE (ASan) and TOKENGATE_TSAN cannot be combined: build them separately")
endif()
if(TOKENGATE_TSAN)
  # Everything the project compiles, tests included, so races between a test's threads
  # and between the proxy's are both seen. Boost.Asio and Beast are header-only, hence
  # instrumented too; OpenSSL, spdlog and libstdc++ synchronise through pthreads, which
  # TSan intercepts.
  target_compile_options(tokengate_flags INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(tokengate_flags INTERFACE -fsanitize=thread)
endif()
if(TOKENGATE_SANITIZE)
  target_compile_options(tokengate_flags INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    # -fsanitize=function makes clang 14 fail on coroutines ("cannot represent a
    # difference across sections"); it checks calls through mistyped function pointers,
    # which this code base does not make.
    target_compile_options(tokengate_flags INTERFACE
      -fsanitize-ignorelist=${CMAKE_CURRENT_LIST_DIR}/ubsan-ignorelist.txt -fno-sanitize=function)
  else()
    # GCC has no ignore list: drop the one check RapidJSON's stack trips.
    target_compile_options(tokengate_flags INTERFACE -fno-sanitize=pointer-overflow)
  endif()
  target_link_options(tokengate_flags INTERFACE -fsanitize=address,undefined)
endif()
