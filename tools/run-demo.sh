#!/usr/bin/env bash
# The main job, from a fresh clone on Debian 12 as root: installs what is missing, builds the
# kore-webhook command-line tool, and runs `kore-webhook demo`, which starts a receiver on
# 127.0.0.1, fires good and forged KORE callbacks at it and prints what a correct receiver does.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash tools/install-deps.sh --demo
cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DKORE_WEBHOOK_BUILD_TESTS=OFF -DKORE_WEBHOOK_BUILD_EXAMPLES=OFF -DKORE_WEBHOOK_BUILD_BENCH=OFF >/dev/null
cmake --build build/demo --target kore-webhook -j "$(nproc)" >/dev/null
exec build/demo/tools/kore-webhook/kore-webhook demo "$@"
