#!/usr/bin/env bash
# Sets up what is missing, builds (Release) and opens the kstone shell.
#
#   scripts/shell.sh                 kstone shell :memory:
#   scripts/shell.sh PATH [...]      kstone shell PATH ...
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2
bash scripts/build.sh release --target kstone >&2
exec build/release/shell/kstone shell "${@:-:memory:}"
