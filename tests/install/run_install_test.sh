#!/usr/bin/env bash
# Installs the build tree into a temporary prefix, then builds and runs a
# small consumer program against it twice: with find_package(kstone CONFIG)
# and with pkg-config. Registered as a ctest labelled "install".
#
#   run_install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/kstone_install_XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

cmake --install "$build" --prefix "$prefix" >/dev/null

# 1. CMake package.
cmake -S "$src/tests/install/consumer" -B "$work/cmake-build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/cmake-build" >/dev/null
out=$("$work/cmake-build/consumer")
echo "find_package: $out"
[[ $out == ok* ]]

# 2. pkg-config. kstone.pc finds its prefix relative to where it is
# installed, so it works under this temporary prefix as it is.
pcdir=$(find "$prefix" -name kstone.pc -printf '%h\n' | head -1)
[[ -n $pcdir ]]
export PKG_CONFIG_PATH=$pcdir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
flags=$(pkg-config --cflags --libs kstone)
# shellcheck disable=SC2086
c++ -o "$work/pc-consumer" "$src/tests/install/consumer/main.cc" $flags
libdir=$(dirname "$pcdir")
out=$(LD_LIBRARY_PATH=$libdir "$work/pc-consumer")
echo "pkg-config: $out"
[[ $out == ok* ]]

# 3. The installed command-line tool, if it was built.
if [[ -x $prefix/bin/kstone ]]; then
  # No LD_LIBRARY_PATH: the binary finds libkstone through its RPATH.
  "$prefix/bin/kstone" --version
fi
echo "install test: ok"
