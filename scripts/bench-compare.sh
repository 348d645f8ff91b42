#!/usr/bin/env bash
# Measures what the CI regression gate costs on a large run: generates a
# results.csv of ROWS rows (default 80000) in vtbench's real layout (the
# header and rows of a run of scenarios/quick.ini, about 95 columns, with the
# axis columns keys and capacity varied so that every row is a distinct
# cell) and a samples.csv with 5 rounds per row (times and floors, as
# vtbench writes them), plus a context.json that says complete, copies them, runs
# `vtbench compare --time-gate off A B` on the two copies, and prints the
# wall time and peak resident memory of that one process. The target is
# under 1 s and under 100 MB for 80000 rows; the generated files' sizes are
# printed too, because memory should stay within a small multiple of them.
#
#   scripts/bench-compare.sh [ROWS]
# Environment: VTBENCH (binary, default build/vtbench), BENCH_TEMPLATE (a
# results file to take the header and rows from; default: a fresh run of
# scenarios/quick.ini by that binary, so that the columns are the ones it
# writes and compare requires, whatever axes the key table has today). Exit 0 when the comparison passed, 1 when it
# did not (its output is shown), 2 on bad arguments.
set -euo pipefail
cd "$(dirname "$0")/.."

rows="${1:-80000}"
vtbench="${VTBENCH:-build/vtbench}"
template="${BENCH_TEMPLATE:-}"
[[ "$rows" =~ ^[0-9]+$ && "$rows" -ge 1 ]] || { echo "bench-compare.sh: ROWS must be a whole number >= 1" >&2; exit 2; }
[[ -x "$vtbench" ]] || { echo "bench-compare.sh: $vtbench not found; build first (scripts/build.sh) or set VTBENCH" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench-compare.sh: needs python3 to generate the files" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/A" "$work/B"
if [[ -z "$template" ]]; then
    "$vtbench" run scenarios/quick.ini --quiet --out "$work/template" >/dev/null
    template="$(echo "$work"/template/*/results.csv)"
fi
[[ -r "$template" ]] || { echo "bench-compare.sh: cannot read $template" >&2; exit 2; }

# The template's rows are cycled; each cycle gets its own keys (and a
# capacity to match) and its own cell indexes, so (scenario, impl, axes) and
# (scenario, impl, cell_index) are unique, as in a real run. The samples are
# spread +-1% around the row's median so that the repetitions look real.
python3 - "$template" "$rows" "$work/A" <<'EOF'
import csv, sys

template, rows, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(template, newline="") as f:
    table = list(csv.reader(f))
header, body = table[0], table[1:]
if not body:
    sys.exit(f"{template}: no data rows to use as a template")
col = {name: i for i, name in enumerate(header)}
for name in ("scenario", "impl", "keys", "capacity", "cell_index", "repetitions",
             "floor_ns_per_hit"):
    if name not in col:
        sys.exit(f"{template}: no column {name}")
cells_per_cycle = max(int(r[col["cell_index"]]) for r in body) + 1
median = col.get("ns_per_op_median", col.get("ns_per_op"))
reps = 5
spread = [-0.01, 0.005, 0.0, -0.005, 0.01]
with open(f"{out}/results.csv", "w", newline="") as rf, \
        open(f"{out}/samples.csv", "w", newline="") as sf:
    results = csv.writer(rf, lineterminator="\r\n")
    samples = csv.writer(sf, lineterminator="\r\n")
    results.writerow(header)
    samples.writerow(["scenario", "cell_index", "impl", "repetition", "ns_per_op", "floor_ns",
                      "disturbed", "used"])
    # Whole cycles only: every cell has a row for each implementation, as
    # the gate checks of a complete run.
    rows = max(len(body), rows - rows % len(body))
    for n in range(rows):
        cycle, row = divmod(n, len(body))
        r = list(body[row])
        keys = 1024 + cycle
        r[col["keys"]] = str(keys)
        r[col["capacity"]] = str(3 * keys)
        cell = cycle * cells_per_cycle + int(r[col["cell_index"]])
        r[col["cell_index"]] = str(cell)
        r[col["repetitions"]] = str(reps)
        results.writerow(r)
        ns = float(r[median]) if median is not None and r[median] else 100.0
        floor_ns = float(r[col["floor_ns_per_hit"]]) if r[col["floor_ns_per_hit"]] else 10.0
        for k in range(reps):
            samples.writerow([r[col["scenario"]], cell, r[col["impl"]], k,
                              f"{ns * (1 + spread[k]):.3f}",
                              f"{floor_ns * (1 + spread[(k + 2) % reps]):.3f}", "false", "true"])
# The gate accepts only a run whose context.json says it is complete and
# agrees with its tables (cells x implementations rows, every output ok).
import json
impls = len({r[col["impl"]] for r in body})
cells = rows // len(body) * cells_per_cycle
with open(f"{out}/context.json", "w") as cf:
    json.dump({"complete": True, "status": "complete", "cell_count": cells, "cells_done": cells,
               "impl_count": impls, "instructions_mode": False,
               "outputs": [{"reporter": "csv", "ok": True}, {"reporter": "samples", "ok": True}]},
              cf)
    cf.write("\n")
EOF
cp "$work/A/results.csv" "$work/A/samples.csv" "$work/A/context.json" "$work/B/"

results_mb=$(du -m --apparent-size "$work/A/results.csv" | cut -f1)
samples_mb=$(du -m --apparent-size "$work/A/samples.csv" | cut -f1)
echo "files: $rows rows; results.csv ${results_mb} MB, samples.csv ${samples_mb} MB (each side)"

status=0
if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -f '%e s %M KB' -o "$work/time" \
        "$vtbench" compare --time-gate off "$work/A" "$work/B" >"$work/out" 2>&1 || status=$?
    read -r seconds _ kb _ <"$work/time"
else
    read -r seconds kb < <(python3 - "$vtbench" "$work" <<'EOF'
import resource, subprocess, sys, time
vtbench, work = sys.argv[1], sys.argv[2]
with open(f"{work}/out", "w") as out:
    start = time.monotonic()
    rc = subprocess.call([vtbench, "compare", "--time-gate", "off", f"{work}/A", f"{work}/B"],
                         stdout=out, stderr=subprocess.STDOUT)
    elapsed = time.monotonic() - start
with open(f"{work}/rc", "w") as f:
    f.write(str(rc))
print(f"{elapsed:.2f}", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
EOF
)
    status=$(cat "$work/rc")
fi
if [[ "$status" -ne 0 ]]; then
    echo "bench-compare.sh: vtbench compare exited $status:" >&2
    tail -n 20 "$work/out" >&2
    exit 1
fi
grep -E '^cells:|^result:' "$work/out" || true
echo "vtbench compare: ${seconds} s, peak RSS $((kb / 1024)) MB (${kb} KB)"
