# README.md is the front page: what the library is, the integration snippet, the two commands,
# the install routes and a table of contents. Reference material belongs in docs/, and this check
# keeps it there.
# Usage: cmake -DSOURCE_DIR=<repo> -DMAX_LINES=<n> -P readme_length.cmake
if(NOT DEFINED SOURCE_DIR OR NOT DEFINED MAX_LINES)
  message(FATAL_ERROR "usage: cmake -DSOURCE_DIR=<repo> -DMAX_LINES=<n> -P readme_length.cmake")
endif()
file(READ "${SOURCE_DIR}/README.md" readme)
# Counted like `wc -l`: one line per newline character (file(STRINGS) would skip empty lines).
string(REGEX MATCHALL "\n" newlines "${readme}")
list(LENGTH newlines count)
if(count GREATER MAX_LINES)
  message(FATAL_ERROR "README.md has ${count} lines, more than ${MAX_LINES}: move reference material to docs/")
endif()
message(STATUS "README.md has ${count} lines (at most ${MAX_LINES})")
