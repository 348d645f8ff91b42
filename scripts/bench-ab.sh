#!/usr/bin/env bash
# Compares two vtbench binaries (two commits, or two builds of one commit)
# on 100% cache hits, alternating them A B A B ... so that the VM's slow
# speed changes fall on both alike. Each run interleaves the floor and the
# three implementations in rounds; per run we take the paired per-round
# ratios alloc-task / value-task and value-task / floor (the floor is the
# bare cache lookup, measured in every round), and over the runs of each
# binary their geometric mean with a 95% t interval.
#   scripts/bench-ab.sh BIN_A BIN_B [RUNS_EACH [OPS]]
# Only columns every vtbench version writes are read (samples.csv's
# per-repetition ns_per_op and results.csv's floor_ns_per_hit), so an old
# binary can be compared with a new one.
set -euo pipefail
cd "$(dirname "$0")/.."
a="$1" b="$2" runs="${3:-5}" ops="${4:-2000000}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for i in $(seq 1 "$runs"); do
    for side in a b; do
        bin=$a
        [[ $side == b ]] && bin=$b
        "$bin" run scenarios/quick.ini --quiet --set hit_ratio=1 --set "ops=$ops" \
            --set repetitions=10 --out "$out/$side-$i" >/dev/null
    done
done
python3 - "$out" "$runs" "$a" "$b" <<'PY'
import csv, glob, math, sys
out, runs, names = sys.argv[1], int(sys.argv[2]), {"a": sys.argv[3], "b": sys.argv[4]}
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
       10: 2.228, 11: 2.201, 12: 2.179, 14: 2.145, 19: 2.093}
def gmean_ci(values):
    logs = [math.log(v) for v in values]
    n = len(logs); m = sum(logs) / n
    if n < 2:
        return math.exp(m), float("nan"), float("nan")
    sd = math.sqrt(sum((x - m) ** 2 for x in logs) / (n - 1))
    t = T95.get(n - 1, 2.0)
    h = t * sd / math.sqrt(n)
    return math.exp(m), math.exp(m - h), math.exp(m + h)
for side in "ab":
    alloc_value, value_floor = [], []
    for run in sorted(glob.glob(f"{out}/{side}-*/*/")):
        reps = {}
        for r in csv.DictReader(open(run + "samples.csv")):
            reps.setdefault(r["repetition"], {})[r["impl"]] = float(r["ns_per_op"])
        per_round = [v["alloc-task"] / v["value-task"] for v in reps.values()]
        alloc_value.append(gmean_ci(per_round)[0])
        rows = {r["impl"]: r for r in csv.DictReader(open(run + "results.csv"))}
        floor = float(rows["value-task"]["floor_ns_per_hit"])
        value_floor.append(float(rows["value-task"]["ns_per_op_median"]) / floor)
    av = gmean_ci(alloc_value); vf = gmean_ci(value_floor)
    print(f"{side} {names[side]}: {len(alloc_value)} runs")
    print(f"  alloc-task/value-task {av[0]:.3f} [{av[1]:.3f}, {av[2]:.3f}]  runs: " +
          " ".join(f"{x:.2f}" for x in alloc_value))
    print(f"  value-task/floor      {vf[0]:.3f} [{vf[1]:.3f}, {vf[2]:.3f}]  runs: " +
          " ".join(f"{x:.2f}" for x in value_floor))
PY
