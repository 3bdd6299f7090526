#!/usr/bin/env bash
# Installs the Debian packages kstone needs to build and test. Idempotent: when
# everything is present it makes no apt call and returns in well under a second.
#
#   scripts/setup.sh            build + test dependencies
#   scripts/setup.sh --peers    also the comparison engines for kstone_bench
#                               (LevelDB, RocksDB, SQLite)
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config uuid-dev
  libabsl-dev libxxhash-dev libantlr4-runtime-dev antlr4 libedit-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
if [[ "${1:-}" == "--peers" ]]; then
  packages+=(libleveldb-dev librocksdb-dev libsqlite3-dev)
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends \
  -o DPkg::Lock::Timeout=300 "${missing[@]}"
