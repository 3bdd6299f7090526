#!/usr/bin/env bash
# Sets up what is missing, builds (Release) and runs the whole test suite.
#
#   scripts/test.sh            the suite, Release build
#   scripts/test.sh asan       the suite under ASan + UBSan
#   scripts/test.sh tsan       the concurrent suites under ThreadSanitizer
set -euo pipefail
cd "$(dirname "$0")/.."
variant=${1:-release}
bash scripts/setup.sh
bash scripts/build.sh "$variant"
args=(--test-dir "build/$variant" --output-on-failure -j "$(nproc)"
      --timeout 600)
if [[ "$variant" == tsan ]]; then
  # TSan targets the tests that start threads (grep std::thread in tests/)
  # and idle compaction (a background merge racing nothing but readers);
  # the rest add time and nothing else.
  args+=(-R 'Concurren|Thread|GroupCommit|BackPressure|WriteLocked|IdleCompaction')
fi
ctest "${args[@]}"
