#!/usr/bin/env bash
# Configures and builds kstone into build/<variant>.
#
#   scripts/build.sh [release|debug|asan|tsan] [cmake --build args...]
#
# release: optimised, what the shell quick start and the test suite use.
# asan:    ASan + UBSan (debug info, -O1).   tsan: ThreadSanitizer (clang).
set -euo pipefail
cd "$(dirname "$0")/.."
variant=${1:-release}
shift || true
flags=()
case "$variant" in
  release) flags=(-DCMAKE_BUILD_TYPE=Release) ;;
  debug)   flags=(-DCMAKE_BUILD_TYPE=Debug) ;;
  asan)    flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DKSTONE_SANITIZE=ON
                  -DKSTONE_BUILD_BENCH=OFF) ;;
  tsan)    flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DKSTONE_TSAN=ON
                  -DKSTONE_BUILD_BENCH=OFF -DCMAKE_CXX_COMPILER=clang++-14) ;;
  *) echo "usage: scripts/build.sh [release|debug|asan|tsan]" >&2; exit 2 ;;
esac
dir=build/$variant
if [[ ! -f $dir/build.ninja ]]; then
  cmake -S . -B "$dir" -G Ninja "${flags[@]}" >/dev/null
fi
cmake --build "$dir" -j "$(nproc)" "$@"
