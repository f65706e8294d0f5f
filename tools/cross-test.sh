#!/usr/bin/env bash
# The core tests on other platforms: arm64 and s390x (big-endian), cross-compiled with Debian's
# g++-aarch64-linux-gnu / g++-s390x-linux-gnu and run under qemu-user, and an x86-64 build with
# KORE_WEBHOOK_NO_SIMD (every vector and builtin path replaced by its portable twin).
#
#   tools/cross-test.sh [arm64|s390x|nosimd]...   build each (default: all three), run its ctest
#   tools/cross-test.sh build <name>              prepare the sysroot, configure and build only
#   tools/cross-test.sh regex                     the ctest -R expression of the tests run
#
# Build trees: build/arm64, build/s390x, build/nosimd (RelWithDebInfo, -Werror, one configure
# each); only the test executables below are built. The foreign OpenSSL, Catch2 and nlohmann/json
# come from Debian's packages for that architecture, downloaded with `apt-get download` (the
# architecture is added to dpkg by tools/install-deps.sh) and unpacked with `dpkg -x` into
# build/cross/sysroot-<arch>: Debian's multi-arch libssl-dev may not be co-installable with the
# host's (bookworm's s390x and amd64 versions differ at times). Needs root for nothing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tests=(unit.vectors unit.header unit.url unit.errors unit.verifier unit.rotation unit.length_extension
  unit.json_minifier unit.json_blocks unit.fast_paths unit.streaming)
names=(arm64 s390x nosimd)

die() { echo "cross-test: $*" >&2; exit 2; }
usage() { sed -n '2,/^set -e/{/^#/s/^# \{0,1\}//p;}' "${BASH_SOURCE[0]}" >&2; exit 2; }

regex() {
  local joined
  joined=$(printf '|%s' "${tests[@]}")
  joined=${joined:1}
  echo "^(${joined//./\\.})\$"
}

# sysroot <debian arch>: build/cross/sysroot-<arch>, made once from the packages' .debs.
sysroot() {
  local arch=$1
  local dir="build/cross/sysroot-${arch}" debs="build/cross/debs-${arch}"
  local packages=("libssl3:${arch}" "libssl-dev:${arch}" "catch2:${arch}" nlohmann-json3-dev)
  if [ -f "${dir}/.complete" ]; then
    return
  fi
  # Read dpkg's answer whole first: under pipefail, grep -q leaving early can fail the pipe (SIGPIPE).
  local known
  known=$(dpkg --print-foreign-architectures)
  grep -qx "${arch}" <<<"${known}" ||
    die "dpkg does not know ${arch}: run tools/install-deps.sh (it adds arm64 and s390x)"
  rm -rf "${dir}" "${debs}"
  mkdir -p "${dir}" "${debs}"
  echo "=== ${arch}: apt-get download ${packages[*]}" >&2
  # (stdout is the configure options being collected: everything else goes to stderr)
  (cd "${debs}" && apt-get download -q "${packages[@]}" 2>&1 | grep -v 'Download is performed unsandboxed' >&2)
  local deb
  for deb in "${debs}"/*.deb; do
    dpkg -x "${deb}" "${dir}"
  done
  (cd "${debs}" && ls) > "${dir}/.complete"
}

configure_options() {
  local name=$1
  case "${name}" in
    arm64 | s390x)
      sysroot "${name}"
      echo "-DCMAKE_TOOLCHAIN_FILE=${PWD}/cmake/toolchains/debian-cross.cmake"
      echo "-DKORE_CROSS_ARCH=${name}"
      echo "-DKORE_CROSS_SYSROOT=${PWD}/build/cross/sysroot-${name}"
      ;;
    nosimd)
      echo "-DCMAKE_CXX_COMPILER=g++"
      echo "-DCMAKE_CXX_FLAGS=-DKORE_WEBHOOK_NO_SIMD"
      ;;
    *) die "unknown build '${name}' (arm64, s390x, nosimd)" ;;
  esac
}

build() {
  local name=$1 options
  options=$(configure_options "${name}")
  local -a args
  mapfile -t args <<< "${options}"
  echo "=== ${name}: configure and build (${#tests[@]} test executables)"
  cmake -S . -B "build/${name}" -G Ninja -DKORE_WEBHOOK_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DKORE_WEBHOOK_BUILD_EXAMPLES=OFF -DKORE_WEBHOOK_BUILD_TOOLS=OFF -DKORE_WEBHOOK_BUILD_BENCH=OFF \
    -DKORE_WEBHOOK_INSTALL=OFF "${args[@]}" > /dev/null
  cmake --build "build/${name}" -j "$(nproc)" --target "${tests[@]}"
}

case "${1:-}" in
  regex) regex; exit 0 ;;
  build) [ $# -eq 2 ] || usage; build "$2"; exit 0 ;;
  -h | --help | help) usage ;;
esac

[ $# -gt 0 ] || set -- "${names[@]}"
status=0
for name in "$@"; do
  build "${name}"
  echo "=== ${name}: ctest"
  ctest --test-dir "build/${name}" -j "$(nproc)" --output-on-failure -R "$(regex)" || status=1
done
exit "${status}"
