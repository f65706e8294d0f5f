# cmake -DBUILD_DIR=<build> -DSTAGE=<prefix> [-DCONFIG=<cfg>] -P check_cli_component.cmake
# `cmake --install --component cli` installs the kore-webhook tool (and no headers); it runs.
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
set(exe "${STAGE}/bin/kore-webhook${CMAKE_EXECUTABLE_SUFFIX}")
if(NOT EXISTS "${exe}")
  message(FATAL_ERROR "--component cli did not install ${exe}")
endif()
if(EXISTS "${STAGE}/include")
  message(FATAL_ERROR "--component cli also installed headers; they belong to the default component")
endif()
