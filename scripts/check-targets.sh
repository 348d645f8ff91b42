#!/usr/bin/env bash
# Benchmarks the harness issue's speed targets on this machine and prints
# each with its measured figure. A benchmark, not a test: the machine is
# shared, so read the CV columns before trusting a verdict.
#   scripts/check-targets.sh [BUILD_DIR]
# Targets (single thread, median ns/op over repetitions):
#   1. value-task on 100% hits within 1.10x of floor_ns_per_hit
#   2. pooled on 100% misses within 1.10x of value-task on 100% misses, 0 allocs/op
#   3. latency recording costs at most 10% on the hit path (sample every 64th
#      hit versus recording off)
#   4. scenarios/quick.ini under 30 s, scenarios/default.ini under 5 min
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
vtbench="$build/vtbench"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# col FILE NAME: prints column NAME of every data row (CSV without embedded
# commas in these columns; CRLF stripped).
col() {
  awk -F, -v name="$2" 'NR == 1 { sub(/\r$/, ""); for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
                        { sub(/\r$/, ""); print $c }' "$1"
}
# value FILE IMPL HIT_RATIO COLUMN
value() {
  paste -d' ' <(col "$1" impl) <(col "$1" hit_ratio_target) <(col "$1" "$4") |
    awk -v impl="$2" -v hr="$3" '$1 == impl && $2 + 0 == hr + 0 { print $3; exit }'
}
verdict() { awk -v a="$1" -v b="$2" -v lim="$3" 'BEGIN { r = a / b; printf "%.3fx (limit %.2fx): %s\n", r, lim, (r <= lim ? "met" : "MISSED") }'; }

"$vtbench" run scenarios/targets.ini --out "$out" --quiet >/dev/null
on="$(ls -d "$out"/*-targets | head -1)/results.csv"
"$vtbench" run scenarios/targets.ini --set latency_sample=0 --out "$out/off" --quiet >/dev/null
off="$(ls -d "$out"/off/*-targets | head -1)/results.csv"

vt_hit=$(value "$on" value-task 1 ns_per_op_median)
floor=$(value "$on" value-task 1 floor_ns_per_hit)
vt_miss=$(value "$on" value-task 0 ns_per_op_median)
po_miss=$(value "$on" pooled 0 ns_per_op_median)
po_allocs=$(value "$on" pooled 0 allocs_per_op)
vt_hit_off=$(value "$off" value-task 1 ns_per_op_median)

echo "1. value-task hit ${vt_hit} ns vs floor ${floor} ns: $(verdict "$vt_hit" "$floor" 1.10)"
echo "2. pooled miss ${po_miss} ns vs value-task miss ${vt_miss} ns: $(verdict "$po_miss" "$vt_miss" 1.10), pooled allocs/op ${po_allocs}"
echo "3. hit path with latency sampling ${vt_hit} ns vs off ${vt_hit_off} ns: $(verdict "$vt_hit" "$vt_hit_off" 1.10)"
for s in quick default; do
  start=$(date +%s.%N)
  "$vtbench" run "scenarios/$s.ini" --out "$out/$s" --quiet >/dev/null
  end=$(date +%s.%N)
  awk -v s="$s" -v a="$start" -v b="$end" -v lim="$([[ $s == quick ]] && echo 30 || echo 300)" \
    'BEGIN { t = b - a; printf "4. scenarios/%s.ini wall time %.1f s (limit %d s): %s\n", s, t, lim, (t <= lim ? "met" : "MISSED") }'
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
