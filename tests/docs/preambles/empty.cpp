// Compiled by no one: tests/docs/CMakeLists.txt's flag-gathering target needs a source.
