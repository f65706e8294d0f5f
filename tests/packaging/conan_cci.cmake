# cmake -DSOURCE_DIR=<src> -DWORK_DIR=<scratch> -DGIT=<git> -DPYTHON=<python3> -P conan_cci.cmake
# The Conan Center recipe (conan/all) against its newest release: conandata.yml's entry names
# GitHub's archive of a release commit; that commit's `git archive` (as GitHub makes it, and as
# tools/release.sh hashed it) must have the entry's sha256, and conan_recipe.py's `cci` run then
# gets it, checks validate(), requirements() and package() (see there).
# conan/test_package holds the same files as conan/all/test_package.
# Skipped ("packaging.conan_cci skipped: ...") outside a git checkout or without that commit.
cmake_minimum_required(VERSION 3.21)
# The checkout recipe's test_package is the Conan Center one (packaging.conan_test_package builds it).
foreach(f CMakeLists.txt conanfile.py test_package.cpp)
  file(READ "${SOURCE_DIR}/conan/test_package/${f}" checkout)
  file(READ "${SOURCE_DIR}/conan/all/test_package/${f}" cci)
  if(NOT checkout STREQUAL cci)
    message(FATAL_ERROR "conan/test_package/${f} differs from conan/all/test_package/${f}; keep them the same")
  endif()
endforeach()
file(STRINGS "${SOURCE_DIR}/conan/all/conandata.yml" urls REGEX "^    url: ")
list(GET urls 0 url)
if(NOT url MATCHES "/archive/([0-9a-f]+)\\.tar\\.gz\"$")
  message(FATAL_ERROR "conan/all/conandata.yml's first url is not GitHub's archive of a release commit: ${url}")
endif()
set(commit "${CMAKE_MATCH_1}")
execute_process(COMMAND "${GIT}" -C "${SOURCE_DIR}" rev-parse -q --verify "${commit}^{commit}"
  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
if(rc)
  message(STATUS "packaging.conan_cci skipped: ${commit} (conandata.yml's newest release) is not in this checkout")
  return()
endif()
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
execute_process(COMMAND "${GIT}" -C "${SOURCE_DIR}" archive --format=tar.gz "--prefix=kore-webhook-${commit}/"
  -o "${WORK_DIR}/release.tar.gz" "${commit}" RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "git archive ${commit} failed")
endif()
execute_process(COMMAND "${PYTHON}" "${CMAKE_CURRENT_LIST_DIR}/conan_recipe.py" cci "${SOURCE_DIR}/conan/all/conanfile.py"
  "${WORK_DIR}" "${WORK_DIR}/release.tar.gz" RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "the Conan Center recipe failed its run (above)")
endif()
