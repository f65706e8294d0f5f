# gateway.npm_ci (the fixture of gateway.e2e): installs the Node upstream's dependencies from the
# committed package-lock.json into the build tree, never into the source tree.
#   cmake -DSOURCE=<tests/gateway/upstream> -DDESTINATION=<build dir> -DNPM=<npm> -P npm_ci.cmake
file(MAKE_DIRECTORY "${DESTINATION}")
file(COPY "${SOURCE}/package.json" "${SOURCE}/package-lock.json" "${SOURCE}/upstream.js" DESTINATION "${DESTINATION}")
execute_process(COMMAND "${NPM}" ci --no-audit --no-fund --loglevel=error
                WORKING_DIRECTORY "${DESTINATION}" RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "npm ci failed in ${DESTINATION} (the npm registry must be reachable)")
endif()
