#!/usr/bin/env bash
# The cost of the stop-flag polling on the hit path: two builds of this
# tree, one looking at the flag every 4096 operations (the default) and one
# every 2^40 (never, in practice), compared on 100% hits by exact
# instruction counts (callgrind) and by time (scripts/bench-ab.sh,
# alternating the two binaries).
#   scripts/bench-poll-cost.sh [RUNS_EACH]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for variant in polled:4096u unpolled:1099511627776u; do
    name=${variant%%:*} every=${variant#*:}
    cmake -S . -B "$work/$name" -DVTB_BUILD_TESTS=OFF \
        -DCMAKE_C_FLAGS="-DVTB_DRIVER_POLL_OPS=$every" >/dev/null
    cmake --build "$work/$name" -j2 --target vtbench >/dev/null
    "$work/$name/vtbench" run scenarios/quick.ini --quiet --instructions --set hit_ratio=1 \
        --out "$work/$name-instr" >/dev/null
done
echo "instructions per operation on 100% hits (callgrind, exact):"
python3 - "$work" <<'PY'
import csv, glob, sys
work = sys.argv[1]
rows = {}
for name in ("polled", "unpolled"):
    run = glob.glob(f"{work}/{name}-instr/*/results.csv")[0]
    rows[name] = {r["impl"]: float(r["instructions_per_op"]) for r in csv.DictReader(open(run))}
for impl in rows["polled"]:
    p, u = rows["polled"][impl], rows["unpolled"][impl]
    print(f"  {impl:12s} polled {p:9.3f}  unpolled {u:9.3f}  difference {p - u:+.4f} ({(p - u) / u * 100:+.3f}%)")
PY
echo "time (alternating the two binaries):"
scripts/bench-ab.sh "$work/polled/vtbench" "$work/unpolled/vtbench" "$runs"
