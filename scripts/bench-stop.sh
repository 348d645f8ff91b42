#!/usr/bin/env bash
# Measures how fast a run stops: SIGINT at 10 random points of a long run
# (a hit-ratio sweep of 2 s cells, each with minute-long misses in its second
# half), and the time from the signal to the process's exit. The issue asks
# for at most 100 ms; each line prints one stop.
#   scripts/bench-stop.sh [VTBENCH] [POINTS]
set -euo pipefail
cd "$(dirname "$0")/.."
vtbench="${1:-build/vtbench}"
points="${2:-10}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cat >"$scratch/long.ini" <<'INI'
[scenario]
name = stop-bench
impls = alloc-task, value-task, pooled
hit_ratio = 1, 0.99, 0.9, 0.5
miss_latency = 0, 60s
concurrency = 4
duration = 500ms
repetitions = 3
INI
now_ns() { date +%s%N; }
worst=0
total=0
for i in $(seq 1 "$points"); do
    at_ms=$((200 + RANDOM % 4000))
    "$vtbench" run "$scratch/long.ini" --force --quiet --out "$scratch/out" >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $((at_ms / 1000)) $((at_ms % 1000)))"
    sent=$(now_ns)
    kill -INT "$pid"
    rc=0
    wait "$pid" || rc=$?
    took_us=$(( ($(now_ns) - sent) / 1000 ))
    (( took_us > worst )) && worst=$took_us
    total=$((total + took_us))
    awk -v i="$i" -v at="$at_ms" -v rc="$rc" -v us="$took_us" \
        'BEGIN { printf "stop %2d: signal at %5d ms, exit %d after %6.1f ms\n", i, at, rc, us / 1000 }' 
done
awk -v t="$total" -v w="$worst" -v n="$points" \
    'BEGIN { printf "mean %.1f ms, worst %.1f ms over %d stops\n", t / n / 1000, w / 1000, n }' 
