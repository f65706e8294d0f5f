# Shared by tests/consumers and tests/packaging (included by both; defines no tests itself).

# One staged install prefix, made by the packaging.stage_install fixture and shared by every test
# that needs an installed kore_webhook.
set(KORE_PKG_STAGE_DIR "${PROJECT_BINARY_DIR}/packaging-stage")
set(KORE_PKG_STAGE_FIXTURE kore_webhook_stage)
# A prefix installed with KORE_WEBHOOK_INSTALL_CMAKEDIR/_PKGCONFIGDIR moved to lib/ (fixture
# made by packaging.install_dirs).
set(KORE_PKG_LIBDIRS_WORK_DIR "${PROJECT_BINARY_DIR}/packaging-install-dirs")
set(KORE_PKG_LIBDIRS_STAGE_DIR "${KORE_PKG_LIBDIRS_WORK_DIR}/prefix")
set(KORE_PKG_LIBDIRS_FIXTURE kore_webhook_install_dirs)
set(KORE_PKG_SCRIPTS "${PROJECT_SOURCE_DIR}/tests/packaging")

# The generator, compiler and flags of this build, for the separate CMake runs the tests make:
# as -D options for a nested configure (KORE_PKG_CONFIGURE_OPTIONS) and as the arguments that
# tell a -P script how to configure (KORE_PKG_SCRIPT_ARGS, read by nested_configure.cmake).
set(KORE_PKG_CONFIGURE_OPTIONS "-DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}")
foreach(_var CMAKE_TOOLCHAIN_FILE CMAKE_CXX_FLAGS CMAKE_EXE_LINKER_FLAGS OPENSSL_ROOT_DIR)
  if(DEFINED ${_var})
    list(APPEND KORE_PKG_CONFIGURE_OPTIONS "-D${_var}=${${_var}}")
  endif()
endforeach()
string(REPLACE ";" "$<SEMICOLON>" _kore_pkg_options "${KORE_PKG_CONFIGURE_OPTIONS}")
set(KORE_PKG_SCRIPT_ARGS "-DGENERATOR=${CMAKE_GENERATOR}" "-DMAKE_PROGRAM=${CMAKE_MAKE_PROGRAM}"
  "-DCONFIGURE_OPTIONS=${_kore_pkg_options}" "-DCONFIG=$<CONFIG>")

# kore_pkg_add_build_test(<test> SOURCE_DIR <dir> RUN <command> [<arg>...] [OPTIONS <-D...>...]
#                         [FIXTURES <fixture>...])
# A ctest test that configures, builds and runs a separate CMake project with the same generator,
# compiler, flags and configuration as this build (ctest --build-and-test). RUN is the command
# run in that project's build directory; FIXTURES the ctest fixtures it needs (e.g. a staged prefix).
function(kore_pkg_add_build_test name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "SOURCE_DIR" "RUN;OPTIONS;FIXTURES")
  string(REGEX REPLACE "[^A-Za-z0-9_.-]" "_" _dir "${name}")
  set(_gen --build-generator "${CMAKE_GENERATOR}" --build-makeprogram "${CMAKE_MAKE_PROGRAM}")
  if(CMAKE_GENERATOR_PLATFORM)
    list(APPEND _gen --build-generator-platform "${CMAKE_GENERATOR_PLATFORM}")
  endif()
  if(CMAKE_GENERATOR_TOOLSET)
    list(APPEND _gen --build-generator-toolset "${CMAKE_GENERATOR_TOOLSET}")
  endif()
  get_property(_multi GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
  if(_multi)
    list(APPEND _gen --build-config "$<CONFIG>")
  endif()
  add_test(NAME "${name}"
    COMMAND "${CMAKE_CTEST_COMMAND}" --build-and-test "${arg_SOURCE_DIR}" "${CMAKE_CURRENT_BINARY_DIR}/${_dir}"
      ${_gen} --build-project "${_dir}"
      --build-options ${KORE_PKG_CONFIGURE_OPTIONS} "-DCMAKE_BUILD_TYPE=$<CONFIG>" ${arg_OPTIONS}
      --test-command ${arg_RUN})
  if(arg_FIXTURES)
    set_tests_properties("${name}" PROPERTIES FIXTURES_REQUIRED "${arg_FIXTURES}")
  endif()
endfunction()
