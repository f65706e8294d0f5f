# cmake -DSOURCE_DIR=<src> -DWORK_DIR=<scratch> -DWITHOUT=<packages> -DEXPECT_FILE=<file> [-DINSTALL=ON]
#       <KORE_PKG_SCRIPT_ARGS> -P configure_without_deps.cmake
# Configures the whole project as its top level, with no KORE_WEBHOOK_* option given, on a machine
# where the packages in WITHOUT cannot be found (CMAKE_DISABLE_FIND_PACKAGE_<name>: find_package
# then fails as if they were not installed; PkgConfig: no working pkg-config program). The
# configure must succeed and print each line of EXPECT_FILE as a STATUS line (one per skipped part,
# saying what to install; compared as whole lines). With INSTALL, the configured tree (never built) is then
# installed with a plain `cmake --install`, and must give exactly the layout packaging.layout
# checks: a header-only install needs neither a build nor any -D flag; and, the tool being
# skipped, `cmake --install --component cli` fails saying why instead of installing nothing.
cmake_minimum_required(VERSION 3.21)
include("${CMAKE_CURRENT_LIST_DIR}/nested_configure.cmake")

set(disable)
foreach(package IN LISTS WITHOUT)
  if(package STREQUAL "PkgConfig")
    # CMake's own FindOpenSSL loads FindPkgConfig, so the module must stay; without the
    # pkg-config program it reports PkgConfig not found. A program that fails pkg-config's
    # `--version` probe stands for the missing one.
    find_program(FALSE_PROGRAM false REQUIRED)
    list(APPEND disable "-DPKG_CONFIG_EXECUTABLE=${FALSE_PROGRAM}")
  else()
    list(APPEND disable "-DCMAKE_DISABLE_FIND_PACKAGE_${package}=ON")
  endif()
endforeach()
kore_pkg_configure("${SOURCE_DIR}" "${WORK_DIR}/build" out ${disable})

# The expected lines are compared as text (they hold semicolons, so they never become a list).
file(READ "${EXPECT_FILE}" expected)
set(missing "")
set(count 0)
while(NOT expected STREQUAL "")
  string(FIND "${expected}" "\n" end)
  if(end EQUAL -1)
    set(line "${expected}")
    set(expected "")
  else()
    string(SUBSTRING "${expected}" 0 ${end} line)
    math(EXPR next "${end} + 1")
    string(SUBSTRING "${expected}" ${next} -1 expected)
  endif()
  if(line STREQUAL "")
    continue()
  endif()
  math(EXPR count "${count} + 1")
  string(FIND "${out}" "\n-- ${line}\n" at)
  if(at EQUAL -1)
    string(APPEND missing "\n  ${line}")
  endif()
endwhile()
if(NOT missing STREQUAL "")
  message(FATAL_ERROR "the configure without ${WITHOUT} did not print:${missing}\nit printed:\n${out}")
endif()
message(STATUS "configured without ${WITHOUT}: ${count} skipped parts reported")

if(INSTALL)
  kore_pkg_install("${WORK_DIR}/build" "${WORK_DIR}/prefix")
  set(STAGE "${WORK_DIR}/prefix")
  set(BINARY_DIR "${WORK_DIR}/build")
  include("${CMAKE_CURRENT_LIST_DIR}/check_layout.cmake")
  execute_process(COMMAND "${CMAKE_COMMAND}" --install "${WORK_DIR}/build" --component cli --prefix "${WORK_DIR}/cli"
    RESULT_VARIABLE rc OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr)
  string(REGEX REPLACE "[ \n]+" " " stderr_joined "${stderr}")
  string(FIND "${stderr_joined}" "the cli component is empty" at)
  if(rc EQUAL 0 OR at EQUAL -1 OR EXISTS "${WORK_DIR}/cli/bin")
    message(FATAL_ERROR "--component cli without the tool exited ${rc}; it must fail and say why:\n${stdout}${stderr}")
  endif()
endif()
