#!/usr/bin/env bash
# The whole test suite, from a fresh clone on Debian 12 as root: installs what is missing, then
# builds and runs every test with g++, with clang++, and with clang++ under ASan+UBSan, the
# threading test under TSan, and the core tests on arm64 and s390x (qemu-user) and without SIMD
# (tools/cross-test.sh). Warnings are errors in every build. Build trees go to build/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash tools/install-deps.sh "$@"

jobs=$(nproc)
build() {
  local name=$1 target=$2; shift 2
  echo "=== ${name}: configure and build"
  cmake -S . -B "build/${name}" -G Ninja -DKORE_WEBHOOK_WERROR=ON "$@" >/dev/null
  cmake --build "build/${name}" -j "${jobs}" --target ${target}  # unquoted: may name several
}

sanitizers="-fno-omit-frame-pointer -fno-sanitize-recover=all"

# Every header compiled on its own (tests/standards) is a compile-only check: in C++17, 20 and 23
# with g++, in C++17 with clang++, and not again under the sanitizers.
build gcc all -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=RelWithDebInfo
build clang all -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKORE_WEBHOOK_SELF_CONTAINED_STANDARDS=17
build asan all -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug -DKORE_WEBHOOK_BUILD_FUZZ=ON \
  -DKORE_WEBHOOK_SELF_CONTAINED_STANDARDS= -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined ${sanitizers}"
# TSan brings its own operator new, which unit.allocations replaces too: build the threading tests only.
build tsan "unit.threads unit.replay_guard redis.replay_guard" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DKORE_WEBHOOK_BUILD_EXAMPLES=OFF -DKORE_WEBHOOK_BUILD_TOOLS=OFF -DKORE_WEBHOOK_INSTALL=OFF -DKORE_WEBHOOK_BUILD_BENCH=OFF \
  -DCMAKE_CXX_FLAGS="-fsanitize=thread ${sanitizers}"

# Other platforms (tools/cross-test.sh): the core tests cross-built for arm64 and s390x (run under
# qemu-user) and built for x86-64 with KORE_WEBHOOK_NO_SIMD; one configure each, only those tests.
cross_builds=(arm64 s390x nosimd)
cross_seconds=$SECONDS
for name in "${cross_builds[@]}"; do
  bash tools/cross-test.sh build "${name}"
done
cross_seconds=$((SECONDS - cross_seconds))

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1
status=0 passed=0 failed=0
# run_ctest <build> [ctest args]: runs one build's tests and adds its counts to the totals.
run_ctest() {
  local name=$1; shift
  local log="build/${name}/ctest-summary.log"
  ctest --test-dir "build/${name}" -j "${jobs}" --output-on-failure "$@" | tee "${log}" || status=1
  local total failures
  total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "${log}" | tail -n 1)
  failures=$(sed -n 's/.*, \([0-9]*\) tests failed out of.*/\1/p' "${log}" | tail -n 1)
  if [ -z "${total}" ]; then status=1; return; fi
  passed=$((passed + total - failures)) failed=$((failed + failures))
  [ "${failures}" -eq 0 ] || status=1
}
for name in gcc clang asan; do
  echo "=== ${name}: ctest"
  run_ctest "${name}"
done
echo "=== tsan: ctest (threading tests)"
run_ctest tsan -R '^(unit\.threads|unit\.replay_guard|redis\.replay_guard)$'

cross_regex=$(bash tools/cross-test.sh regex)
cross_start=$SECONDS
for name in "${cross_builds[@]}"; do
  echo "=== ${name}: ctest (core tests)"
  run_ctest "${name}" -R "${cross_regex}"
done
cross_seconds=$((cross_seconds + SECONDS - cross_start))
echo "=== other platforms (arm64, s390x under qemu-user; x86-64 without SIMD): ${cross_seconds} s to build and test"

echo "=== all builds (gcc, clang, asan+ubsan, tsan, arm64, s390x, nosimd)"
echo "ctest: ${passed} passed, ${failed} failed"
if [ "${status}" -ne 0 ]; then
  echo "run-tests: FAILED (see the ctest output above)" >&2
fi
exit "${status}"
