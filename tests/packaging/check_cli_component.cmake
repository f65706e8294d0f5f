# cmake -DBUILD_DIR=<build> -DSTAGE=<prefix> -DEXE_NAME=<file name> -DVERSION=<x.y.z> [-DCONFIG=<cfg>]
#       -P check_cli_component.cmake
# `cmake --install --component cli` installs the kore-webhook tool and nothing of the library
# (a plain install, checked by packaging.layout, has no bin/); the installed tool runs and
# reports the project's version.
cmake_minimum_required(VERSION 3.21)
file(REMOVE_RECURSE "${STAGE}")
set(cfg)
if(CONFIG)
  set(cfg --config "${CONFIG}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${STAGE}" --component cli ${cfg}
  RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "cmake --install --component cli failed")
endif()
set(exe "${STAGE}/bin/${EXE_NAME}")
if(NOT EXISTS "${exe}")
  message(FATAL_ERROR "--component cli did not install ${exe}")
endif()
if(EXISTS "${STAGE}/include" OR EXISTS "${STAGE}/share")
  message(FATAL_ERROR "--component cli also installed library files; they belong to the default component")
endif()
execute_process(COMMAND "${exe}" --version OUTPUT_VARIABLE out RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
if(rc OR NOT out STREQUAL "kore-webhook ${VERSION}")
  message(FATAL_ERROR "installed '${exe} --version' exited ${rc} with '${out}', expected 'kore-webhook ${VERSION}'")
endif()
message(STATUS "${out} installed by the cli component")
