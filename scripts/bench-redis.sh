#!/usr/bin/env bash
# Real misses through vtbench beside a plain blocking hiredis GET loop
# (scripts/bench_redis_blocking.c) against the same redis-server, keys and
# values: on a unix socket and on TCP loopback (TCP_NODELAY), one request at
# a time. The two alternate RUNS times per transport so that the VM's slow
# drifts fall on both; each vtbench run measures every strategy at hit
# ratio 0 (every operation a miss) on the worker's loop, and the script
# prints the medians over the runs of: the blocking loop's p50/p99, each
# strategy's miss p50/p99 (issue to consumption, through vtbench's loop,
# hiredis's async client and the shared miss path) and its ratio to the
# blocking p50, and each strategy's allocations per miss: the library's own
# count (allocs_per_op) and everything jemalloc saw on the threads that did
# the work, hiredis's reply objects and buffers included (bytes_per_op).
#   scripts/bench-redis.sh [BUILD_DIR [RUNS [REQUESTS]]]
# Defaults: build, 3 runs, 20000 requests per run and side. The servers are
# started here on a private socket or a free loopback port, and stopped by
# PID on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}" runs="${2:-3}" requests="${3:-20000}"
vtbench="$build/vtbench"
[[ -x "$vtbench" ]] || { echo "bench-redis: no $vtbench (build first)" >&2; exit 2; }
command -v redis-server >/dev/null || { echo "bench-redis: redis-server not found" >&2; exit 2; }
out="$(mktemp -d)"
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$out"
}
trap cleanup EXIT

blocking="$out/bench_redis_blocking"
cc -O2 -std=c11 -D_GNU_SOURCE -Iimpl/include -I"$build/impl/include" \
    scripts/bench_redis_blocking.c "$build/impl/libvtb.a" -lhiredis -lpthread -lm -o "$blocking"

keys=10000
# start_server unix|tcp: a redis-server of this script's own; sets url.
start_server() {
    local dir="$out/redis-$1" port=0 i
    mkdir -p "$dir"
    if [[ $1 == tcp ]]; then
        port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
        url="redis://127.0.0.1:$port"
    else
        url="unix:$dir/redis.sock"
    fi
    local args=(--port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir"
                --logfile "$dir/redis.log" --maxmemory 512mb --maxmemory-policy noeviction)
    [[ $1 == unix ]] && args+=(--unixsocket "$dir/redis.sock" --unixsocketperm 700)
    redis-server "${args[@]}" &
    pids+=($!)
    for ((i = 0; i < 500; i++)); do
        "$blocking" load "$url" bench: "$keys" >/dev/null 2>&1 && return 0
        sleep 0.02
    done
    echo "bench-redis: the $1 server did not answer" >&2
    exit 1
}

cat >"$out/miss.ini" <<EOF
[scenario]
name = bench-redis
impls = alloc-task, value-task, pooled
hit_ratio = 0
keys = $keys
threads = 1
concurrency = 1
backend = redis
ops = $requests
warmup = 1000
repetitions = 1
EOF

for transport in unix tcp; do
    start_server "$transport"
    for ((r = 1; r <= runs; r++)); do
        "$blocking" get "$url" bench: "$keys" "$requests" 1000 >>"$out/$transport-blocking.txt"
        "$vtbench" run "$out/miss.ini" --quiet --out "$out/$transport-vtb" \
            --set "backend_url=$url" >/dev/null
    done
done

python3 - "$out" "$runs" <<'PY'
import csv, glob, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
med = statistics.median
for transport in ("unix", "tcp"):
    lines = [dict(kv.split("=") for kv in l.split()) for l in open(f"{out}/{transport}-blocking.txt")]
    b50 = med(float(l["p50_ns"]) for l in lines)
    b99 = med(float(l["p99_ns"]) for l in lines)
    print(f"{transport}: blocking hiredis GET loop: p50 {b50/1e3:.1f} us, p99 {b99/1e3:.1f} us "
          f"({runs} runs, median)")
    rows = {}
    for path in glob.glob(f"{out}/{transport}-vtb/*/results.csv"):
        for r in csv.DictReader(open(path, newline="")):
            rows.setdefault(r["impl"], []).append(r)
    for impl, rs in rows.items():
        p50 = med(float(r["miss_p50_ns"]) for r in rs)
        p99 = med(float(r["miss_p99_ns"]) for r in rs)
        allocs = med(float(r["allocs_per_op"]) for r in rs)
        byts = med(float(r["bytes_per_op"]) for r in rs if r["bytes_per_op"] != "")
        errors = sum(int(r["errors"]) + int(r["value_mismatches"]) for r in rs)
        print(f"  vtbench {impl:10s}: miss p50 {p50/1e3:.1f} us ({p50/b50:.2f}x blocking), "
              f"p99 {p99/1e3:.1f} us; per miss: {allocs:g} library allocations, "
              f"{byts:.0f} bytes allocated (jemalloc); errors {errors}")
PY
