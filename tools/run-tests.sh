#!/usr/bin/env bash
# The whole test suite, from a fresh clone on Debian 12 as root: installs what is missing, then
# builds and runs every test with g++, with clang++, and with clang++ under ASan+UBSan, and the
# threading test under TSan. Warnings are errors in every build. Build trees go to build/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash tools/install-deps.sh "$@"

jobs=$(nproc)
build() {
  local name=$1 target=$2; shift 2
  echo "=== ${name}: configure and build"
  cmake -S . -B "build/${name}" -G Ninja -DKORE_WEBHOOK_WERROR=ON "$@" >/dev/null
  cmake --build "build/${name}" -j "${jobs}" --target "${target}"
}

sanitizers="-fno-omit-frame-pointer -fno-sanitize-recover=all"

build gcc all -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=RelWithDebInfo
build clang all -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo
build asan all -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug -DKORE_WEBHOOK_BUILD_FUZZ=ON \
  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined ${sanitizers}"
# TSan brings its own operator new, which unit.allocations replaces too: build the threading test only.
build tsan unit.threads -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DKORE_WEBHOOK_BUILD_EXAMPLES=OFF -DKORE_WEBHOOK_BUILD_TOOLS=OFF -DKORE_WEBHOOK_INSTALL=OFF -DKORE_WEBHOOK_BUILD_BENCH=OFF \
  -DCMAKE_CXX_FLAGS="-fsanitize=thread ${sanitizers}"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1
status=0
for name in gcc clang asan; do
  echo "=== ${name}: ctest"
  ctest --test-dir "build/${name}" -j "${jobs}" --output-on-failure || status=1
done
echo "=== tsan: ctest (threading test)"
ctest --test-dir build/tsan -R '^unit\.threads' --output-on-failure || status=1

if [ "${status}" -ne 0 ]; then
  echo "run-tests: FAILED (see the ctest output above)" >&2
fi
exit "${status}"
