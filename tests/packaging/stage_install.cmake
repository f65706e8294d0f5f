# cmake -DBUILD_DIR=<build> -DSTAGE=<prefix> [-DCONFIG=<cfg>] -P stage_install.cmake
# A fresh `cmake --install` of the build into STAGE (the shared fixture of the packaging tests).
cmake_minimum_required(VERSION 3.21)
file(REMOVE_RECURSE "${STAGE}")
set(cfg)
if(CONFIG)
  set(cfg --config "${CONFIG}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${STAGE}" ${cfg} RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "cmake --install ${BUILD_DIR} --prefix ${STAGE} failed")
endif()
