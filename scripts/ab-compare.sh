#!/usr/bin/env bash
# Compares two builds of vtbench the way the time gate has power on a noisy
# machine: RUNS runs of SCENARIO by each build, alternated (base, new, base,
# new, ... as Chromium's Pinpoint alternates its builds, so that a change of
# the machine's speed falls on both sides alike), each side kept as a set
# of runs, then `vtbench compare BASE_SET NEW_SET`, which judges time run
# by run (docs/ci.md, "Sets of runs").
#
#   scripts/ab-compare.sh BASE_VTBENCH NEW_VTBENCH SCENARIO [RUNS] [-- COMPARE_OPTIONS...]
#
# RUNS defaults to 10. Short runs are best: many runs of a few rounds tell
# more than a few long ones (the spread that matters is between processes;
# docs/ci.md: an injected 20% slowdown was seen in 19-20 of 20 pairs with
# 14 runs of 3 rounds a side, 16-20 with 7, 18-20 with 5 runs of 4, and in
# 30 of 30 with 10 runs of 4, batches of 5 merged two by two).
# The sets are kept in AB_OUT (default: a new directory under /tmp, printed);
# the exit code is compare's (0 ok, 3 regression, 2 refused, 1 I/O) or 1
# when a run failed, 2 on bad arguments.
set -euo pipefail

usage() {
    echo "usage: scripts/ab-compare.sh BASE_VTBENCH NEW_VTBENCH SCENARIO [RUNS] [-- COMPARE_OPTIONS...]" >&2
    exit 2
}
[[ $# -ge 3 ]] || usage
base_bin="$1" new_bin="$2" scenario="$3"
shift 3
runs=10
if [[ $# -gt 0 && "$1" != "--" ]]; then
    runs="$1"
    shift
fi
if [[ $# -gt 0 ]]; then
    [[ "$1" == "--" ]] || usage
    shift
fi
[[ "$runs" =~ ^[0-9]+$ && "$runs" -ge 2 ]] || { echo "ab-compare.sh: RUNS must be a whole number >= 2" >&2; exit 2; }
for bin in "$base_bin" "$new_bin"; do
    [[ -x "$bin" ]] || { echo "ab-compare.sh: $bin is not an executable vtbench" >&2; exit 2; }
done
[[ -f "$scenario" ]] || { echo "ab-compare.sh: $scenario: no such scenario file" >&2; exit 2; }

out="${AB_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/ab-compare.XXXXXX")}"
mkdir -p "$out"
for side in base new; do
    if [[ -e "$out/$side" ]]; then
        echo "ab-compare.sh: $out/$side exists; give AB_OUT a new directory" >&2
        exit 2
    fi
done

# Stop the run in progress with the script (vtbench keeps what it completed
# and marks the run incomplete; compare would refuse the set).
child=""
trap '[[ -n "$child" ]] && kill -INT "$child" 2>/dev/null; exit 130' INT TERM

one_run() {
    "$1" run "$scenario" --out "$2" --quiet >/dev/null &
    child=$!
    wait "$child" || { echo "ab-compare.sh: a run of $1 failed (see $2)" >&2; exit 1; }
    child=""
}

echo "ab-compare: $runs runs of $scenario per build, alternated, into $out"
for ((k = 1; k <= runs; k++)); do
    one_run "$base_bin" "$out/base"
    one_run "$new_bin" "$out/new"
    printf '\r  %d of %d pairs of runs' "$k" "$runs"
done
echo
# The base build judges: a change under review must not be judged by rules
# it may itself have changed.
rc=0
"$base_bin" compare "$@" "$out/base" "$out/new" || rc=$?
exit "$rc"
