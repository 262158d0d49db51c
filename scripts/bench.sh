#!/usr/bin/env bash
# make bench: performance figures of SPEC §11 on a release build.
# The import, plan, run and selection benchmarks are added by their issues.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release/outdial
WORK=.build/bench
mkdir -p "$WORK"
rm -f "$WORK"/init.db*
start=$(date +%s%N)
"$BIN" --quiet --db "$WORK/init.db" init >/dev/null
end=$(date +%s%N)
echo "init: $(( (end - start) / 1000000 )) ms"
