#!/usr/bin/env bash
# Refreshes the baselines that CI's regression gate compares against
# (docs/ci.md), from two runs of one scenario file on this machine:
#   results/baselines/NAME.csv (+ NAME.samples.csv, NAME.context.json)  a
#       normal run: allocations, bytes, pool misses and errors per operation
#       (times are kept for the report, not gated in CI)
#   results/baselines/NAME-instructions.csv (+ NAME-instructions.context.json)
#       a run under callgrind (vtbench run --instructions): instructions per
#       operation
# Each baseline keeps its run's context.json: the gate refuses a baseline
# without one (nothing would say the run was complete).
#
#   scripts/refresh-baseline.sh [SCENARIO_FILE [NAME]]
#       defaults: scenarios/quick.ini, NAME = the file's base name
#   VTBENCH=path/to/vtbench uses that binary instead of building build/.
#
# Instruction counts depend on the compiler, its flags, glibc and jemalloc:
# refresh on the same image CI uses, after any change to code on the measured
# path, and review the diff before committing it. A baseline that moved is
# exactly what the gate exists to show.
set -euo pipefail
cd "$(dirname "$0")/.."

scenario="${1:-scenarios/quick.ini}"
name="${2:-$(basename "$scenario" .ini)}"
vtbench="${VTBENCH:-}"
if [[ -z "$vtbench" ]]; then
    scripts/build.sh normal build
    vtbench=build/vtbench
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$vtbench" run "$scenario" --quiet --out "$out/normal"
"$vtbench" run "$scenario" --quiet --instructions --out "$out/instructions"
"$vtbench" baseline "$out"/normal/*/ "$name"
"$vtbench" baseline "$out"/instructions/*/ "$name-instructions"
# The new baselines against themselves must pass: a sanity check of the files.
"$vtbench" compare --time-gate off "results/baselines/$name.csv" "$out"/normal/*/ >/dev/null
"$vtbench" compare "results/baselines/$name-instructions.csv" "$out"/instructions/*/ >/dev/null
