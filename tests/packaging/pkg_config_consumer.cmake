# cmake -DSTAGE=<prefix> -DCXX=<compiler> -DSOURCE=<main.cpp> -DOUT=<exe> -P pkg_config_consumer.cmake
# Builds SOURCE with nothing but `pkg-config --cflags --libs kore_webhook` against the staged
# prefix, then runs it. Skipped, saying so, where pkg-config is not installed.
cmake_minimum_required(VERSION 3.21)
find_program(PKG_CONFIG NAMES pkg-config pkgconf)
if(NOT PKG_CONFIG)
  # SKIP_REGULAR_EXPRESSION of the test: a machine without pkg-config skips this route.
  message(STATUS "consumer.pkg_config skipped: pkg-config not found (Debian: apt-get install pkg-config)")
  return()
endif()
set(ENV{PKG_CONFIG_PATH} "${STAGE}/share/pkgconfig")

function(pc out)
  execute_process(COMMAND "${PKG_CONFIG}" --print-errors ${ARGN} kore_webhook
    OUTPUT_VARIABLE _out ERROR_VARIABLE _err RESULT_VARIABLE _rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(_rc)
    message(FATAL_ERROR "pkg-config ${ARGN} kore_webhook failed:\n${_err}")
  endif()
  set(${out} "${_out}" PARENT_SCOPE)
endfunction()

pc(cflags --cflags)
pc(libs --libs)
message(STATUS "pkg-config --cflags: ${cflags}")
message(STATUS "pkg-config --libs:   ${libs}")
string(FIND "${cflags}" "-I${STAGE}/" at)
if(at EQUAL -1)
  message(FATAL_ERROR "--cflags does not point into the staged prefix ${STAGE}: ${cflags}")
endif()
if(NOT libs MATCHES "(^| )-lcrypto( |$)")
  message(FATAL_ERROR "--libs lacks -lcrypto (Requires: libcrypto missing?): ${libs}")
endif()

separate_arguments(cflags UNIX_COMMAND "${cflags}")
separate_arguments(libs UNIX_COMMAND "${libs}")
execute_process(COMMAND "${CXX}" -std=c++17 ${cflags} "${SOURCE}" -o "${OUT}" ${libs} RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "compiling with pkg-config flags failed")
endif()
execute_process(COMMAND "${OUT}" RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "${OUT} exited with ${rc}")
endif()
