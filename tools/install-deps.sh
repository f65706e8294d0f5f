#!/usr/bin/env bash
# Installs, from Debian, every package the build, the tests, the examples and the benchmarks use,
# and adds the foreign architectures whose packages tools/cross-test.sh downloads.
# Idempotent: packages already present are left alone; apt's lists are refreshed only when
# something is missing (pass --update to refresh them anyway, as CI does). `--demo` installs only
# what `kore-webhook demo` needs.
set -euo pipefail

packages=(
  g++ clang libclang-rt-14-dev cmake ninja-build pkg-config clang-format clang-tidy python3
  libssl-dev catch2 nlohmann-json3-dev libcli11-dev libbenchmark-dev libsimdjson-dev valgrind python3-matplotlib
  libcpp-httplib-dev libboost-dev libpoco-dev libcivetweb-dev libpistache-dev libmicrohttpd-dev
  libhiredis-dev redis-server openssl
  g++-aarch64-linux-gnu g++-s390x-linux-gnu qemu-user
  libtomlplusplus-dev nodejs python3-redis wrk
)
# npm (the gateway test's Node upstream installs the standardwebhooks package with it): Debian's
# package, unless a nodejs from elsewhere already brings its own npm (such a nodejs conflicts with
# Debian's npm package).
if ! command -v npm >/dev/null 2>&1; then
  packages+=(npm)
fi
# tools/cross-test.sh downloads these architectures' OpenSSL, Catch2 and nlohmann/json .debs
# (apt-get download, unpacked into a sysroot, not installed): dpkg must know them.
foreign=(arm64 s390x)

update=no
for arg in "$@"; do
  case "${arg}" in
    --update) update=yes ;;
    --demo) packages=(g++ cmake ninja-build pkg-config libssl-dev libcpp-httplib-dev libcli11-dev nlohmann-json3-dev) foreign=() ;;
    *) echo "install-deps: unknown option ${arg} (--update, --demo)" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: run as root (apt-get install needs it)" >&2
  exit 2
fi

for arch in "${foreign[@]}"; do
  if ! grep -qx "${arch}" <<<"$(dpkg --print-foreign-architectures)"; then  # no pipe: see cross-test.sh
    dpkg --add-architecture "${arch}"
    update=yes
  fi
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ "${update}" = yes ] || [ ${#missing[@]} -gt 0 ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${packages[@]}"
fi
