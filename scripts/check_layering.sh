#!/usr/bin/env bash
# Checks that includes only point down the layers (DESIGN.md):
#   core <- api <- partiql <- shell
# core never includes api/partiql/shell; api's public headers never include
# core; partiql uses only the public api; shell uses api and partiql.
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0
check() {  # check <dir> <regex of forbidden includes> <why>
  local hits
  hits=$(grep -rnE "#include \"($2)" "$1" --include='*.h' --include='*.cc' 2>/dev/null)
  if [[ -n "$hits" ]]; then
    echo "layering: $3"; echo "$hits"; fail=1
  fi
}
check core 'api/|kstone/|partiql/|shell/' "core must not include upper layers"
check api/include 'core/|partiql/|shell/' "public headers must not include core"
check api 'partiql/|shell/' "api must not include partiql or shell"
check partiql 'core/|shell/' "partiql uses only the public api"
check shell 'core/' "shell uses only api and partiql"
[[ $fail -eq 0 ]] && echo "layering: ok"
exit $fail
