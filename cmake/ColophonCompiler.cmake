# SPDX-License-Identifier: MIT
# Compiler settings shared by every target of ours (not by third-party code).

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()

add_library(colophon_warnings INTERFACE)
target_compile_options(colophon_warnings INTERFACE -Wall -Wextra -Werror)
# Qt and Boost are system headers; only our code is held to -Werror.

if(COLOPHON_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  # Line tables are all a sanitizer report needs. Full debug info made the
  # sixty statically linked test programs 3.5 GB, and CI ran out of disk.
  add_compile_options(-g1)
endif()

# colophon_target(NAME): our warnings on a target of ours.
function(colophon_target name)
  target_link_libraries(${name} PRIVATE colophon_warnings)
endfunction()
