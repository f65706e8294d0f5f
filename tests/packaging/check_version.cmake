# cmake -DSOURCE_DIR=<src> [-DSTAGE=<prefix>] -DPROJECT_VERSION=<x.y.z> -P check_version.cmake
# include/kore/webhook/version.hpp is the one version source. Everything that states a version
# must agree with it: CMake's PROJECT_VERSION, the vcpkg manifest, the Conan recipe (which reads
# the header), the installed .pc and ConfigVersion files (when STAGE, an installed prefix, is
# given), and CHANGELOG.md (a section for it). tools/release.sh bump sets all of them.
cmake_minimum_required(VERSION 3.21)
set(errors)
macro(expect what actual)
  if(NOT "${actual}" STREQUAL "${header}")
    list(APPEND errors "${what} says '${actual}', version.hpp says '${header}'")
  endif()
endmacro()

file(STRINGS "${SOURCE_DIR}/include/kore/webhook/version.hpp" lines
  REGEX "^#define KORE_WEBHOOK_VERSION_(MAJOR|MINOR|PATCH) [0-9]+$")
set(header)
foreach(part MAJOR MINOR PATCH)
  string(REGEX MATCH "KORE_WEBHOOK_VERSION_${part} ([0-9]+)" _ "${lines}")
  if(CMAKE_MATCH_1 STREQUAL "")
    message(FATAL_ERROR "version.hpp has no '#define KORE_WEBHOOK_VERSION_${part} <n>' line")
  endif()
  list(APPEND header "${CMAKE_MATCH_1}")
endforeach()
list(JOIN header "." header)
message(STATUS "version.hpp: ${header}")

expect("CMake PROJECT_VERSION" "${PROJECT_VERSION}")

file(READ "${SOURCE_DIR}/ports/kore-webhook/vcpkg.json" manifest)
string(JSON port_version ERROR_VARIABLE err GET "${manifest}" version-semver)
expect("ports/kore-webhook/vcpkg.json version-semver" "${port_version}")

# The recipe has no version of its own: set_version() must read version.hpp.
# (packaging.conan_set_version runs it when python3 is available.)
file(READ "${SOURCE_DIR}/conan/conanfile.py" recipe)
if(NOT recipe MATCHES "def set_version\\(self\\)" OR NOT recipe MATCHES "version\\.hpp"
   OR NOT recipe MATCHES "KORE_WEBHOOK_VERSION_")
  list(APPEND errors "conan/conanfile.py: set_version() does not read KORE_WEBHOOK_VERSION_* from version.hpp")
endif()
if(recipe MATCHES "\n[ \t]+version[ \t]*=[ \t]*[\"']")
  list(APPEND errors "conan/conanfile.py hard-codes a version attribute")
endif()

if(STAGE)
  file(STRINGS "${STAGE}/share/pkgconfig/kore_webhook.pc" pc_version REGEX "^Version: ")
  string(REPLACE "Version: " "" pc_version "${pc_version}")
  expect("installed kore_webhook.pc" "${pc_version}")

  include("${STAGE}/share/cmake/kore_webhook/kore_webhookConfigVersion.cmake")
  expect("installed kore_webhookConfigVersion.cmake" "${PACKAGE_VERSION}")
endif()

file(STRINGS "${SOURCE_DIR}/CHANGELOG.md" release REGEX "^## \\[${header}\\]")
if(NOT release)
  list(APPEND errors "CHANGELOG.md has no '## [${header}]' section")
endif()

if(errors)
  list(JOIN errors "\n  " errors)
  message(FATAL_ERROR "version mismatch:\n  ${errors}")
endif()
message(STATUS "all version sources agree on ${header}")
