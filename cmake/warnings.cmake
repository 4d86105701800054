# Compiler flags shared by every target of the project (not by system headers).
add_library(tokengate_flags INTERFACE)
target_compile_options(tokengate_flags INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wnull-dereference -Wimplicit-fallthrough)
if(TOKENGATE_WERROR)
  target_compile_options(tokengate_flags INTERFACE -Werror)
endif()
if(TOKENGATE_SANITIZE)
  target_compile_options(tokengate_flags INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(tokengate_flags INTERFACE -fsanitize=address,undefined)
endif()
