# Shared by tests/consumers and tests/packaging (included by both; defines no tests itself).

# One staged install prefix, made by the packaging.stage_install fixture and shared by every test
# that needs an installed kore_webhook.
set(KORE_PKG_STAGE_DIR "${PROJECT_BINARY_DIR}/packaging-stage")
set(KORE_PKG_STAGE_FIXTURE kore_webhook_stage)
set(KORE_PKG_SCRIPTS "${PROJECT_SOURCE_DIR}/tests/packaging")

# kore_pkg_add_build_test(<test> SOURCE_DIR <dir> RUN <exe> [OPTIONS <-D...>...] [FIXTURE])
# A ctest test that configures, builds and runs a separate CMake project with the same generator,
# compiler, flags and configuration as this build (ctest --build-and-test). FIXTURE: needs the staged prefix.
function(kore_pkg_add_build_test name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "FIXTURE" "SOURCE_DIR;RUN" "OPTIONS")
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
  set(_opts "-DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}" "-DCMAKE_BUILD_TYPE=$<CONFIG>")
  foreach(_var CMAKE_TOOLCHAIN_FILE CMAKE_CXX_FLAGS CMAKE_EXE_LINKER_FLAGS OPENSSL_ROOT_DIR)
    if(DEFINED ${_var})
      list(APPEND _opts "-D${_var}=${${_var}}")
    endif()
  endforeach()
  add_test(NAME "${name}"
    COMMAND "${CMAKE_CTEST_COMMAND}" --build-and-test "${arg_SOURCE_DIR}" "${CMAKE_CURRENT_BINARY_DIR}/${_dir}"
      ${_gen} --build-project "${_dir}" --build-options ${_opts} ${arg_OPTIONS}
      --test-command "${arg_RUN}")
  if(arg_FIXTURE)
    set_tests_properties("${name}" PROPERTIES FIXTURES_REQUIRED ${KORE_PKG_STAGE_FIXTURE})
  endif()
endfunction()
