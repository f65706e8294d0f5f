# cmake -DSTAGE=<prefix> -DSOURCE_DIR=<src> -DBINARY_DIR=<build> -P check_layout.cmake
# The staged install is exactly the tree the vcpkg port and the Conan recipe rely on:
#   every header of include/ under include/kore/, the CMake package in share/cmake/kore_webhook/,
#   the .pc file in share/pkgconfig/, the license in share/doc/kore_webhook/,
#   and nothing else (no lib/: header-only; no bin/: the CLI is a separate component).
# The installed files must not refer to the source or build tree (the prefix is relocatable).
cmake_minimum_required(VERSION 3.21)
file(GLOB_RECURSE headers RELATIVE "${SOURCE_DIR}" "${SOURCE_DIR}/include/*")
if(NOT "include/kore/webhook.hpp" IN_LIST headers)
  message(FATAL_ERROR "include/kore/webhook.hpp (the umbrella header) is missing from the source tree")
endif()
set(expected ${headers}
  share/cmake/kore_webhook/kore_webhookConfig.cmake
  share/cmake/kore_webhook/kore_webhookConfigVersion.cmake
  share/cmake/kore_webhook/kore_webhookTargets.cmake
  share/pkgconfig/kore_webhook.pc
  share/doc/kore_webhook/LICENSE)
list(SORT expected)

file(GLOB_RECURSE installed LIST_DIRECTORIES false RELATIVE "${STAGE}" "${STAGE}/*")
list(SORT installed)

set(missing ${expected})
list(REMOVE_ITEM missing ${installed})
set(extra ${installed})
list(REMOVE_ITEM extra ${expected})
if(missing OR extra)
  list(JOIN missing "\n  " missing)
  list(JOIN extra "\n  " extra)
  message(FATAL_ERROR "install layout differs from what vcpkg/Conan expect\nmissing:\n  ${missing}\nunexpected:\n  ${extra}")
endif()

foreach(f IN LISTS installed)
  file(READ "${STAGE}/${f}" text)
  foreach(tree "${SOURCE_DIR}" "${BINARY_DIR}")
    string(FIND "${text}" "${tree}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "${f} refers to ${tree}: the installed package is not relocatable")
    endif()
  endforeach()
endforeach()

# Header-only: the version file must accept a consumer of any pointer size (ARCH_INDEPENDENT);
# ask it as a 32-bit consumer would.
set(CMAKE_SIZEOF_VOID_P 1)
include("${STAGE}/share/cmake/kore_webhook/kore_webhookConfigVersion.cmake")
if(PACKAGE_VERSION_UNSUITABLE)
  message(FATAL_ERROR "kore_webhookConfigVersion.cmake rejects another pointer size; use ARCH_INDEPENDENT")
endif()
list(LENGTH installed n)
message(STATUS "install layout OK (${n} files)")
