# Included by the -P scripts that configure and install a CMake project of their own, with the
# generator, compiler and flags of the calling build (passed as common.cmake's KORE_PKG_SCRIPT_ARGS:
# GENERATOR, MAKE_PROGRAM, CONFIGURE_OPTIONS, CONFIG).

# kore_pkg_configure(<source dir> <build dir> <output variable> [<-D...>...])
# Configures <source dir> into a fresh <build dir> and returns what CMake printed on stdout;
# a failed configure fails the test, with everything CMake printed.
function(kore_pkg_configure source build out)
  file(REMOVE_RECURSE "${build}")
  set(args -G "${GENERATOR}")
  if(MAKE_PROGRAM)
    list(APPEND args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
  endif()
  if(CONFIG)
    list(APPEND args "-DCMAKE_BUILD_TYPE=${CONFIG}")
  endif()
  execute_process(COMMAND "${CMAKE_COMMAND}" -S "${source}" -B "${build}" ${args} ${CONFIGURE_OPTIONS} ${ARGN}
    OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr RESULT_VARIABLE rc)
  if(rc)
    message(FATAL_ERROR "configuring ${source} with ${ARGN} failed:\n${stdout}\n${stderr}")
  endif()
  set(${out} "${stdout}" PARENT_SCOPE)
endfunction()

# kore_pkg_install(<build dir> <prefix>): a plain `cmake --install` into a fresh <prefix>.
function(kore_pkg_install build prefix)
  file(REMOVE_RECURSE "${prefix}")
  set(cfg)
  if(CONFIG)
    set(cfg --config "${CONFIG}")
  endif()
  execute_process(COMMAND "${CMAKE_COMMAND}" --install "${build}" --prefix "${prefix}" ${cfg}
    OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr RESULT_VARIABLE rc)
  if(rc)
    message(FATAL_ERROR "cmake --install ${build} --prefix ${prefix} failed:\n${stdout}\n${stderr}")
  endif()
endfunction()
