# No tracked file may point at the directory beside the repository that the project's research
# notes came from: a clone or an installed package does not have it, so a comment or a path that
# names it sends users nowhere. The protocol is docs/protocol.md.
# Usage: cmake -DSOURCE_DIR=<repo> -P no_shared_reference.cmake
if(NOT DEFINED SOURCE_DIR)
  message(FATAL_ERROR "usage: cmake -DSOURCE_DIR=<repo> -P no_shared_reference.cmake")
endif()

# Assembled, so that this script does not match itself.
set(needle "..")
string(APPEND needle "/shared")
string(REPLACE "." "\\." needle_regex "${needle}")

# The tracked files when this is a git checkout (CI runs in a clone); otherwise every file of the
# tree except build output and git's own directory.
set(files "")
find_program(GIT_EXECUTABLE NAMES git)
if(GIT_EXECUTABLE)
  execute_process(COMMAND "${GIT_EXECUTABLE}" -c core.quotepath=off ls-files
                  WORKING_DIRECTORY "${SOURCE_DIR}"
                  RESULT_VARIABLE git_status OUTPUT_VARIABLE tracked ERROR_QUIET)
  if(git_status EQUAL 0)
    string(REPLACE ";" "\\;" tracked "${tracked}")
    string(REPLACE "\n" ";" tracked "${tracked}")
    foreach(path IN LISTS tracked)
      if(NOT path STREQUAL "")
        list(APPEND files "${SOURCE_DIR}/${path}")
      endif()
    endforeach()
    set(source "git ls-files")
  endif()
endif()
if(NOT source)
  file(GLOB_RECURSE files LIST_DIRECTORIES false "${SOURCE_DIR}/*")
  list(FILTER files EXCLUDE REGEX "^${SOURCE_DIR}/(build|\\.git)/")
  set(source "the source tree (not a git checkout)")
endif()

set(offenders "")
set(checked 0)
foreach(path IN LISTS files)
  if(NOT EXISTS "${path}" OR IS_DIRECTORY "${path}")
    continue()  # deleted in the work tree but still tracked, or a submodule
  endif()
  math(EXPR checked "${checked} + 1")
  file(STRINGS "${path}" hits REGEX "${needle_regex}")
  if(hits)
    file(RELATIVE_PATH relative "${SOURCE_DIR}" "${path}")
    foreach(hit IN LISTS hits)
      string(STRIP "${hit}" hit)
      string(APPEND offenders "\n  ${relative}: ${hit}")
    endforeach()
  endif()
endforeach()

if(checked EQUAL 0)
  message(FATAL_ERROR "no files found to check under ${SOURCE_DIR}")
endif()
if(offenders)
  message(FATAL_ERROR "these files refer to '${needle}', which users do not have "
                      "(cite docs/protocol.md, section N instead):${offenders}")
endif()
message(STATUS "no reference to '${needle}' in ${checked} files from ${source}")
