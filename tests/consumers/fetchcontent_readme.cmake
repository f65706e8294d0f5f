# cmake -DSOURCE_DIR=<src> -DWORK_DIR=<scratch> -DGIT=<git> -DMAIN=<consumer main.cpp>
#       <common.cmake's KORE_PKG_SCRIPT_ARGS> -P fetchcontent_readme.cmake
# README's FetchContent declaration, exactly as written except for the host: its GIT_REPOSITORY
# URL becomes this repository (a local path, so nothing goes to the network), its GIT_TAG stays.
# The pinned commit must exist here and be a release (its version.hpp says the newest released
# version of CHANGELOG.md); FetchContent then clones and checks it out, and a consumer program
# built against it verifies the published vector K1 and rejects a tampered body.
# Skipped ("consumer.fetchcontent_readme skipped: ...") outside a git checkout, or in a shallow
# clone that lacks the pinned commit.
cmake_minimum_required(VERSION 3.21)
include("${CMAKE_CURRENT_LIST_DIR}/../packaging/nested_configure.cmake")

file(READ "${SOURCE_DIR}/README.md" readme)
string(REGEX MATCH "\ninclude\\(FetchContent\\)\n[^`]*FetchContent_MakeAvailable\\(kore_webhook\\)\n" snippet "${readme}")
if(NOT snippet)
  message(FATAL_ERROR "README.md has no include(FetchContent) ... FetchContent_MakeAvailable(kore_webhook) block")
endif()
string(REGEX MATCH "GIT_REPOSITORY[ \t]+([^ \t\n)]+)" _ "${snippet}")
set(url "${CMAKE_MATCH_1}")
string(REGEX MATCH "GIT_TAG[ \t]+([^ \t\n)]+)" _ "${snippet}")
set(tag "${CMAKE_MATCH_1}")
if(NOT url OR NOT tag)
  message(FATAL_ERROR "README's FetchContent_Declare lacks GIT_REPOSITORY or GIT_TAG:${snippet}")
endif()

function(git out)
  execute_process(COMMAND "${GIT}" -C "${SOURCE_DIR}" ${ARGN} OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr
    RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  set(${out} "${stdout}" PARENT_SCOPE)
  set(${out}_rc "${rc}" PARENT_SCOPE)
endfunction()

git(top rev-parse --show-toplevel)
if(top_rc)
  message(STATUS "consumer.fetchcontent_readme skipped: ${SOURCE_DIR} is not a git checkout")
  return()
endif()
git(commit rev-parse -q --verify "${tag}^{commit}")
if(commit_rc)
  git(shallow rev-parse --is-shallow-repository)
  if(shallow STREQUAL "true")
    message(STATUS "consumer.fetchcontent_readme skipped: this clone is shallow and lacks README's GIT_TAG ${tag}")
    return()
  endif()
  message(FATAL_ERROR "README pins GIT_TAG ${tag}, which is no commit of this repository: FetchContent "
                      "would fail with 'Failed to checkout tag'. Pin a release commit (tools/release.sh release).")
endif()
git(_ merge-base --is-ancestor "${commit}" HEAD)
if(_rc)
  message(FATAL_ERROR "README pins ${tag}, which is not in the history of HEAD: a clone of the default branch may lack it")
endif()

# The newest release in CHANGELOG.md, and the version the pinned commit says.
file(STRINGS "${SOURCE_DIR}/CHANGELOG.md" released REGEX "^## \\[[0-9]+\\.[0-9]+\\.[0-9]+\\] - ")
list(GET released 0 newest)
string(REGEX MATCH "[0-9]+\\.[0-9]+\\.[0-9]+" newest "${newest}")
git(header show "${commit}:include/kore/webhook/version.hpp")
foreach(part MAJOR MINOR PATCH)
  string(REGEX MATCH "#define KORE_WEBHOOK_VERSION_${part} ([0-9]+)" _ "${header}")
  list(APPEND pinned "${CMAKE_MATCH_1}")
endforeach()
string(REPLACE ";" "." pinned "${pinned}")
if(NOT pinned STREQUAL newest)
  message(FATAL_ERROR "README pins ${tag}, whose version.hpp says '${pinned}'; the newest release in CHANGELOG.md is ${newest}")
endif()

# The consumer: README's lines, the host replaced by this repository.
string(REPLACE "${url}" "${top}" local_snippet "${snippet}")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/project")
file(COPY "${MAIN}" DESTINATION "${WORK_DIR}/project")
get_filename_component(main_name "${MAIN}" NAME)
file(WRITE "${WORK_DIR}/project/CMakeLists.txt"
  "cmake_minimum_required(VERSION 3.21)\nproject(readme_fetchcontent LANGUAGES CXX)\n"
  "${local_snippet}\nadd_executable(my_app ${main_name})\ntarget_link_libraries(my_app PRIVATE kore::webhook)\n")

# No FETCHCONTENT_SOURCE_DIR_* or disconnected mode may redirect the declaration.
kore_pkg_configure("${WORK_DIR}/project" "${WORK_DIR}/build" stdout "-DFETCHCONTENT_BASE_DIR=${WORK_DIR}/deps"
  -DFETCHCONTENT_FULLY_DISCONNECTED=OFF -DFETCHCONTENT_UPDATES_DISCONNECTED=OFF)
execute_process(COMMAND "${GIT}" -C "${WORK_DIR}/deps/kore_webhook-src" rev-parse HEAD
  OUTPUT_VARIABLE fetched OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
if(rc OR NOT fetched STREQUAL commit)
  message(FATAL_ERROR "FetchContent checked out '${fetched}', not README's ${tag} (${commit})")
endif()
set(cfg)
if(CONFIG)
  set(cfg --config "${CONFIG}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" --build "${WORK_DIR}/build" ${cfg} RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "building the consumer against README's GIT_TAG ${tag} failed")
endif()
find_program(app my_app PATHS "${WORK_DIR}/build" "${WORK_DIR}/build/${CONFIG}" NO_DEFAULT_PATH)
execute_process(COMMAND "${app}" RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "the consumer built against README's GIT_TAG ${tag} exited with ${rc}")
endif()
message(STATUS "README's FetchContent (GIT_TAG ${tag} = kore-webhook ${pinned}) fetched from ${top}, built and verified K1")
