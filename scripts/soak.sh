#!/usr/bin/env bash
# Soak test: runs scenarios/soak.ini (pooled and alloc-task, misses completed
# on a separate thread, 2 worker threads) for a long time and samples the
# process's resident memory, to show that a long run neither leaks nor
# grows its pool. RSS (VmRSS from /proc/PID/status) is sampled every few
# seconds into rss.csv in the run directory. The verdict: after a warm-up
# (the first 20% of the samples) RSS must stay flat, i.e. the largest sample
# of the remaining 80% is within 5% of the first one after the warm-up.
# It also prints the pool's high-water mark from results.csv.
#   scripts/soak.sh [SECONDS]         default 600 (10 minutes)
# Environment: VTBENCH (binary, default build/vtbench), SOAK_OUT
# (parent of the run directory, default results), SOAK_INTERVAL (seconds
# between samples, default 5), SOAK_NICE (niceness, default 19: other
# people's benchmarks come first). Exit 0 flat, 1 growing or run failed.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-600}"
vtbench="${VTBENCH:-build/vtbench}"
out="${SOAK_OUT:-results}"
interval="${SOAK_INTERVAL:-5}"
niceness="${SOAK_NICE:-19}"
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -ge 30 ]] || { echo "soak.sh: SECONDS must be a whole number >= 30" >&2; exit 2; }
[[ -x "$vtbench" ]] || { echo "soak.sh: $vtbench not found; build first (scripts/build.sh) or set VTBENCH" >&2; exit 2; }

# The run is repetitions x 3 timed runs (floor, pooled, alloc-task) of
# `duration` each; keep runs at 2 s (a stop request waits for at most one)
# and use more of them, up to the limit of 1000 repetitions.
duration_s=2
repetitions=$(( (seconds + 3 * duration_s - 1) / (3 * duration_s) ))
if (( repetitions > 1000 )); then
    duration_s=$(( (seconds + 2999) / 3000 ))
    repetitions=$(( (seconds + 3 * duration_s - 1) / (3 * duration_s) ))
fi

samples="$(mktemp "${TMPDIR:-/tmp}/vtb-soak-rss.XXXXXX")"
log="$(mktemp "${TMPDIR:-/tmp}/vtb-soak-out.XXXXXX")"
trap 'rm -f "$samples" "$log"' EXIT
echo "elapsed_s,rss_kib" >"$samples"

echo "soak: $vtbench, ${repetitions} repetitions x 3 runs x ${duration_s}s (about ${seconds}s), RSS every ${interval}s" >&2
nice -n "$niceness" "$vtbench" run scenarios/soak.ini --out "$out" --quiet \
    --set "repetitions=$repetitions" --set "duration=${duration_s}s" >"$log" 2>&1 &
pid=$!
# Stop the run (at its next safe point) if the soak itself is interrupted.
trap 'kill -INT "$pid" 2>/dev/null || true' INT TERM
start=$SECONDS
while kill -0 "$pid" 2>/dev/null; do
    rss="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)"
    [[ -n "$rss" ]] && echo "$((SECONDS - start)),$rss" >>"$samples"
    sleep "$interval"
done
rc=0
wait "$pid" || rc=$?
cat "$log" >&2
if (( rc != 0 )); then
    echo "soak: vtbench exited with $rc" >&2
    exit 1
fi
dir="$(sed -n 's/^results: //p' "$log")"
cp "$samples" "$dir/rss.csv"

# The verdict, and the pool's high-water mark per implementation.
python3 - "$dir" <<'EOF'
import csv, sys
run_dir = sys.argv[1]
rss = [int(r["rss_kib"]) for r in csv.DictReader(open(f"{run_dir}/rss.csv"))]
if len(rss) < 5:
    sys.exit(f"soak: only {len(rss)} RSS samples; run longer")
warm = len(rss) // 5
after_warmup = rss[warm]
tail_max = max(rss[warm:])
growth = (tail_max - after_warmup) / after_warmup
flat = growth <= 0.05
print(f"soak: {len(rss)} samples in {run_dir}/rss.csv")
print(f"soak: RSS start {rss[0]} KiB, after warm-up {after_warmup} KiB, end {rss[-1]} KiB, "
      f"max {max(rss)} KiB (max after warm-up {tail_max} KiB, {growth:+.1%})")
for row in csv.DictReader(open(f"{run_dir}/results.csv", newline="")):
    print(f"soak: {row['impl']}: pool_high_water {row['pool_high_water']}, "
          f"pool_misses {row['pool_misses']}, ns/op {float(row['ns_per_op']):.1f}, "
          f"allocs/op {row['allocs_per_op']}")
print("soak: RSS is flat after warm-up" if flat else "soak: RSS GROWS after warm-up (more than 5%)")
sys.exit(0 if flat else 1)
EOF
