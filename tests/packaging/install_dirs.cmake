# cmake -DSOURCE_DIR=<src> -DWORK_DIR=<scratch> <KORE_PKG_SCRIPT_ARGS> -P install_dirs.cmake
# KORE_WEBHOOK_INSTALL_CMAKEDIR and KORE_WEBHOOK_INSTALL_PKGCONFIGDIR move the package files:
#  - relative (lib/cmake/kore_webhook, lib/pkgconfig): installed there and not in share/, the .pc
#    file still finds the headers from its own location (relocatable); the prefix is left in
#    WORK_DIR/prefix for consumer.install_dirs (find_package through lib/cmake).
#  - absolute: the .pc file goes to that directory and names the configured prefix.
cmake_minimum_required(VERSION 3.21)
include("${CMAKE_CURRENT_LIST_DIR}/nested_configure.cmake")
set(library_only -DKORE_WEBHOOK_BUILD_TESTS=OFF -DKORE_WEBHOOK_BUILD_EXAMPLES=OFF -DKORE_WEBHOOK_BUILD_TOOLS=OFF
  -DKORE_WEBHOOK_BUILD_BENCH=OFF)

find_program(PKG_CONFIG NAMES pkg-config pkgconf)
# includedir_of(<out> <pc dir>): kore_webhook.pc's includedir as pkg-config resolves it when it
# finds the file in <pc dir>, normalized.
function(includedir_of out pc_dir)
  set(ENV{PKG_CONFIG_PATH} "${pc_dir}")
  execute_process(COMMAND "${PKG_CONFIG}" --print-errors --variable=includedir kore_webhook
    OUTPUT_VARIABLE dir ERROR_VARIABLE err RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(rc OR dir STREQUAL "")
    message(FATAL_ERROR "pkg-config --variable=includedir kore_webhook in ${pc_dir} failed:\n${err}")
  endif()
  get_filename_component(dir "${dir}" ABSOLUTE)
  set(${out} "${dir}" PARENT_SCOPE)
endfunction()

# Relative directories.
set(prefix "${WORK_DIR}/prefix")
kore_pkg_configure("${SOURCE_DIR}" "${WORK_DIR}/build" out ${library_only}
  -DKORE_WEBHOOK_INSTALL_CMAKEDIR=lib/cmake/kore_webhook -DKORE_WEBHOOK_INSTALL_PKGCONFIGDIR=lib/pkgconfig)
kore_pkg_install("${WORK_DIR}/build" "${prefix}")
foreach(f lib/cmake/kore_webhook/kore_webhookConfig.cmake lib/cmake/kore_webhook/kore_webhookConfigVersion.cmake
          lib/cmake/kore_webhook/kore_webhookTargets.cmake lib/pkgconfig/kore_webhook.pc include/kore/webhook.hpp)
  if(NOT EXISTS "${prefix}/${f}")
    message(FATAL_ERROR "${f} not installed with the install directories moved to lib/")
  endif()
endforeach()
foreach(d share/cmake share/pkgconfig)
  if(EXISTS "${prefix}/${d}")
    message(FATAL_ERROR "${d} installed although the install directories were moved to lib/")
  endif()
endforeach()
if(PKG_CONFIG)
  # Moved: the copy must still find its headers from where the .pc file now is.
  file(REMOVE_RECURSE "${WORK_DIR}/moved")
  file(COPY "${prefix}/" DESTINATION "${WORK_DIR}/moved")
  includedir_of(dir "${WORK_DIR}/moved/lib/pkgconfig")
  if(NOT dir STREQUAL "${WORK_DIR}/moved/include")
    message(FATAL_ERROR "lib/pkgconfig/kore_webhook.pc in a moved prefix gives includedir '${dir}'")
  endif()
  message(STATUS "relative: includedir ${dir}")
endif()

# An absolute .pc directory, outside the prefix.
set(abs_prefix "${WORK_DIR}/abs-prefix")
set(abs_pc "${WORK_DIR}/abs-pkgconfig")
file(REMOVE_RECURSE "${abs_pc}")
kore_pkg_configure("${SOURCE_DIR}" "${WORK_DIR}/build-abs" out ${library_only}
  "-DCMAKE_INSTALL_PREFIX=${abs_prefix}" "-DKORE_WEBHOOK_INSTALL_PKGCONFIGDIR=${abs_pc}")
kore_pkg_install("${WORK_DIR}/build-abs" "${abs_prefix}")
if(NOT EXISTS "${abs_pc}/kore_webhook.pc")
  message(FATAL_ERROR "KORE_WEBHOOK_INSTALL_PKGCONFIGDIR=${abs_pc} did not receive kore_webhook.pc")
endif()
if(PKG_CONFIG)
  includedir_of(dir "${abs_pc}")
  if(NOT dir STREQUAL "${abs_prefix}/include")
    message(FATAL_ERROR "${abs_pc}/kore_webhook.pc gives includedir '${dir}', expected ${abs_prefix}/include")
  endif()
  message(STATUS "absolute: includedir ${dir}")
endif()
