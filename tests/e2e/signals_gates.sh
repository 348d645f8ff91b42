#!/usr/bin/env bash
# End-to-end test of how the commands other than a run's measuring stop on
# SIGINT, SIGTERM and SIGHUP, and of what they keep ignoring:
#   - compare ends at once (exit 130) while it waits for a pipe that never
#     ends or a FIFO nobody writes to, with a message of its own (not the
#     run's "journal" one);
#   - baseline, reading a pipe, ends with 130 and writes nothing;
#   - report (and the report phase of `run --report`) stops within
#     milliseconds with a gnuplot that hangs: the gnuplot and what it
#     started are killed (by their process group, nothing else), nothing is
#     left under a temporary name, report.md is not written, exit 130;
#   - a gnuplot that outlives VTB_GNUPLOT_TIMEOUT is killed and the report
#     fails (exit 1) naming the chart; `report --help` states the limit;
#   - a SIGHUP ignored when vtbench starts stays ignored (nohup), while a
#     SIGINT inherited as ignored (a script's background job) still stops
#     the run, since scripts stop vtbench with `kill -INT`;
#   - `report --help` into a full or closed stdout exits 1;
#   - report.md escapes a control character from results.csv.
# Every vtbench started here is killed if it outlives its stop by 20 s, or
# runs under `timeout`, so that a regression fails instead of hanging
# ctest; only PIDs started here are signalled.
#   signals_gates.sh VTBENCH SOURCE_DIR
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

# A stop is prompt when it takes less than this (measured values are
# printed; a loaded machine or a sanitizer build is allowed for).
stop_within_ms=1000
base=results/baselines/quick.csv
now_ms() { date +%s%3N; }
started=()
cleanup_hooks+=('for p in "${started[@]}"; do kill -KILL "$p" 2>/dev/null || true; done')

# running PID: the process exists and is not a zombie (a killed orphan may
# stay a zombie when PID 1 does not reap).
running() {
    local state
    state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" || return 1
    [[ -n "$state" && "$state" != Z ]]
}

# gone WHAT PID...: each PID ends within two seconds.
gone() {
    local what="$1" pid waited
    shift
    for pid in "$@"; do
        for ((waited = 0; waited < 200; waited++)); do
            running "$pid" || break
            sleep 0.01
        done
        running "$pid" && fail "$what: process $pid (started by the fake gnuplot) is still running"
    done
    return 0
}

# start COMMAND...: runs COMMAND in the background (where this script's
# shell ignores SIGINT, which vtbench handles all the same, see 6.); its PID
# in $pid, its output in $scratch/out and $scratch/err.
start() {
    "$@" >"$scratch/out" 2>"$scratch/err" &
    pid=$!
    started+=("$pid")
}

# finish WHAT: waits for $pid, killing it after 20 s (a regression must not
# hang ctest); its exit code in $rc.
finish() {
    local waited
    for ((waited = 0; waited < 2000; waited++)); do
        running "$pid" || break
        sleep 0.01
    done
    if running "$pid"; then
        kill -KILL "$pid"
        wait "$pid" 2>/dev/null || true
        echo "--- stderr:" >&2; cat "$scratch/err" >&2
        fail "$1: still running 20 s after the signal"
    fi
    rc=0
    wait "$pid" || rc=$?
}

# stop_and_time SIGNAL WANT WHAT: sends SIGNAL to $pid, waits, checks the
# exit code; the milliseconds it took in $took.
stop_and_time() {
    local signal="$1" want="$2" what="$3" sent
    sent="$(now_ms)"
    kill -s "$signal" "$pid"
    finish "$what"
    took=$(($(now_ms) - sent))
    if [[ "$rc" != "$want" ]]; then
        echo "--- stderr:" >&2; cat "$scratch/err" >&2
        fail "$what: exit $rc after SIG$signal, expected $want"
    fi
    ((took < stop_within_ms)) || fail "$what: took $took ms to stop after SIG$signal"
}

# endless: writes "a," every 50 ms until its reader goes away.
endless() {
    while :; do printf a, || exit 0; sleep .05; done
}

# wait_for FILE WHAT: FILE appears within 20 s (the command got going).
wait_for() {
    local waited
    for ((waited = 0; waited < 2000; waited++)); do
        [[ -s "$1" ]] && return 0
        sleep 0.01
    done
    fail "$2: $1 never appeared"
}

# 1. compare: a pipe that never ends, a FIFO without a writer.
for signal in INT TERM HUP; do
    endless | "$vtbench" compare "$base" /dev/stdin \
        >"$scratch/out" 2>"$scratch/err" &
    pid=$!
    started+=("$pid")
    sleep 0.5
    stop_and_time "$signal" 130 "compare of an endless pipe"
    expect_stderr "compare stopped by SIG$signal" "compare of an endless pipe: message"
    if grep -q journal "$scratch/err"; then
        fail "compare of an endless pipe: the run's message: $(cat "$scratch/err")"
    fi
    ok "compare of an endless pipe: SIG$signal -> exit 130 after $took ms"
done
mkfifo "$scratch/fifo"
start "$vtbench" compare "$base" "$scratch/fifo"
sleep 0.3
stop_and_time INT 130 "compare of a FIFO without a writer"
expect_stderr "compare stopped by SIGINT" "compare of a FIFO without a writer: message"
ok "compare of a FIFO without a writer: SIGINT -> exit 130 after $took ms"

# 2. baseline reading a pipe that never ends: the reader stops with the
# flag, nothing is saved.
endless | "$vtbench" baseline /dev/stdin x --dir "$scratch/baselines" \
    >"$scratch/out" 2>"$scratch/err" &
pid=$!
started+=("$pid")
sleep 0.5
stop_and_time TERM 130 "baseline of an endless pipe"
expect_stderr "baseline: stopped by SIGTERM" "baseline of an endless pipe: message"
[[ -z "$(ls -A "$scratch/baselines" 2>/dev/null)" ]] ||
    fail "baseline of an endless pipe: wrote $(ls -A "$scratch/baselines")"
ok "baseline of an endless pipe: SIGTERM -> exit 130 after $took ms, nothing written"

# 3. report with a gnuplot that hangs, and starts a child that hangs too.
fake="$scratch/gnuplot-hangs"
cat >"$fake" <<'EOF'
#!/bin/sh
sleep 300 &
echo "$$ $!" > "$GP_PIDS"
wait
EOF
chmod +x "$fake"
export VTB_GNUPLOT="$fake" GP_PIDS="$scratch/gp.pids"
# no_leftovers DIR WHAT: no temporary, no report.md.
no_leftovers() {
    if [[ -d "$1" ]]; then
        no_tmp_files "$1"
        [[ ! -e "$1/report.md" ]] || fail "$2: report.md written"
    fi
    return 0
}
for signal in INT TERM HUP; do
    rm -f "$GP_PIDS"
    out="$scratch/report-$signal"
    start "$vtbench" report "$base" --out "$out"
    wait_for "$GP_PIDS" "report ($signal)"
    stop_and_time "$signal" 130 "report with a hanging gnuplot"
    expect_stderr "report: stopped by SIG$signal from process $$\\b" "report ($signal): message"
    # shellcheck disable=SC2046 # two PIDs
    gone "report ($signal)" $(cat "$GP_PIDS")
    no_leftovers "$out" "report ($signal)"
    ok "report with a hanging gnuplot: SIG$signal -> exit 130 after $took ms, gnuplot and its child killed, no temporaries"
done

# 4. The report phase of `run --report`.
rm -f "$GP_PIDS"
start "$vtbench" run scenarios/quick.ini --quick --quiet --report --out "$scratch/run"
wait_for "$GP_PIDS" "run --report"
stop_and_time INT 130 "run --report with a hanging gnuplot"
# shellcheck disable=SC2046
gone "run --report" $(cat "$GP_PIDS")
no_leftovers "$(only_dir "$scratch/run")/report" "run --report"
ok "run --report, report phase: SIGINT -> exit 130 after $took ms, gnuplot killed"

# 5. The time limit of one gnuplot.
rm -f "$GP_PIDS"
expect_exit 1 "a gnuplot past VTB_GNUPLOT_TIMEOUT" \
    timeout -s KILL 60 env VTB_GNUPLOT_TIMEOUT=0.3 "$vtbench" report "$base" --out "$scratch/slow"
expect_stderr "gnuplot did not finish chart [a-z0-9-]+\\.svg within 0.3 s and was killed" \
    "a gnuplot past VTB_GNUPLOT_TIMEOUT: message"
# shellcheck disable=SC2046
gone "timeout" $(cat "$GP_PIDS")
no_leftovers "$scratch/slow" "timeout"
expect_exit 0 "report --help" "$vtbench" report --help
grep -q "Each gnuplot may run 120 s" "$scratch/out" || fail "report --help does not state the time limit"
expect_exit 2 "a bad VTB_GNUPLOT_TIMEOUT" env VTB_GNUPLOT_TIMEOUT=soon "$vtbench" report "$base" \
    --out "$scratch/bad"
expect_stderr "VTB_GNUPLOT_TIMEOUT=soon: expected seconds" "a bad VTB_GNUPLOT_TIMEOUT: message"
ok "a gnuplot past its time limit is killed, exit 1 naming the chart; the limit is in --help"
unset VTB_GNUPLOT GP_PIDS

# 6. An inherited SIG_IGN: SIGHUP under nohup stays ignored (the run goes
# on; SIGTERM stops it afterwards), while SIGINT, which bash ignores in
# this script's background jobs, stops the run as it does in a terminal:
# scripts and CI stop vtbench with `kill -INT`, and get the completed cells.
fixture=tests/e2e/interrupt.ini
for how in nohup background; do
    if [[ "$how" == nohup ]]; then
        nohup "$vtbench" run "$fixture" --out "$scratch/$how" --quiet \
            >"$scratch/out" 2>"$scratch/err" &
    else
        "$vtbench" run "$fixture" --out "$scratch/$how" --quiet >"$scratch/out" 2>"$scratch/err" &
    fi
    pid=$!
    started+=("$pid")
    sleep 1
    running "$pid" || { cat "$scratch/err" >&2; fail "$how: vtbench is not running"; }
    ignored="$(awk '/^SigIgn:/ {print $2}' "/proc/$pid/status")"
    if [[ "$how" == nohup ]]; then
        (( (16#$ignored >> 0) & 1 )) || fail "nohup: SIGHUP is not ignored by vtbench (SigIgn $ignored)"
        kill -s HUP "$pid"
        sleep 0.5
        running "$pid" || { cat "$scratch/err" >&2; fail "nohup: SIGHUP stopped vtbench"; }
        kill -s TERM "$pid"
        finish "$how"
        [[ "$rc" == 130 ]] || { cat "$scratch/err" >&2; fail "$how: exit $rc after SIGTERM, expected 130"; }
        expect_stderr "stopped by SIGTERM" "$how: message"
        ok "nohup: an inherited ignored SIGHUP stays ignored; SIGTERM -> 130"
    else
        (( (16#$ignored >> 1) & 1 )) && fail "background: SIGINT is ignored by vtbench (SigIgn $ignored)"
        kill -s INT "$pid"
        finish "$how"
        [[ "$rc" == 130 ]] || { cat "$scratch/err" >&2; fail "$how: exit $rc after SIGINT, expected 130"; }
        expect_stderr "stopped by SIGINT from process $$" "$how: message"
        ok "background job of a script (SIGINT inherited as ignored): kill -INT -> 130"
    fi
done

# 7. report --help into a full or a closed stdout.
rc=0
"$vtbench" report --help >/dev/full 2>"$scratch/err" || rc=$?
[[ "$rc" == 1 ]] || fail "report --help >/dev/full: exit $rc, expected 1"
rc=0
"$vtbench" report --help >&- 2>"$scratch/err" || rc=$?
[[ "$rc" == 1 ]] || fail "report --help >&-: exit $rc, expected 1"
ok "report --help into a full or closed stdout: exit 1"

# 8. A control character from results.csv is escaped in report.md. A fake
# gnuplot writes its output file (out='...' in its -e text).
run="$scratch/esc-run"
mkdir -p "$run"
cp tests/fixtures/report/single/context.json "$run/"
python3 - tests/fixtures/report/single/results.csv "$run/results.csv" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
impl = rows[0].index("impl")
for row in rows[1:]:
    row[impl] = row[impl].replace("alloc-task", "alloc\x1b[31m-task")
csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\r\n").writerows(rows)
EOF
cat >"$scratch/gnuplot-writes" <<'EOF'
#!/bin/sh
out=$(printf '%s' "$2" | sed -n "s/.*; out='\([^']*\)';.*/\1/p")
printf 'chart' > "$out"
EOF
chmod +x "$scratch/gnuplot-writes"
expect_exit 0 "report of a run with an escape sequence in an implementation's name" \
    env VTB_GNUPLOT="$scratch/gnuplot-writes" "$vtbench" report "$run" --out "$scratch/esc"
if LC_ALL=C grep -q $'\x1b' "$scratch/esc/report.md"; then
    fail "report.md holds a raw ESC"
fi
grep -qF 'alloc\x1b[31m-task' "$scratch/esc/report.md" || fail "report.md does not show the escaped name"
ok "report.md shows a control character from results.csv as \\x1b"

# 9. With that name on one row only, no cell has a row of every
# implementation: the charts say so, not that the hit ratio is unset.
run="$scratch/one-row"
mkdir -p "$run"
cp tests/fixtures/report/sweep/context.json "$run/"
# The first row of results.csv, and its rows in samples.csv and
# percentiles.csv, get the new name.
python3 - tests/fixtures/report/sweep "$run" <<'EOF2'
import csv, sys
first = None
for name in ("results.csv", "samples.csv", "percentiles.csv"):
    rows = list(csv.reader(open(f"{sys.argv[1]}/{name}", newline="")))
    impl, cell = rows[0].index("impl"), rows[0].index("cell_index")
    first = first or (rows[1][cell], rows[1][impl])
    for row in rows[1:]:
        if (row[cell], row[impl]) == first:
            row[impl] += "\x1b"
    csv.writer(open(f"{sys.argv[2]}/{name}", "w", newline=""), lineterminator="\r\n").writerows(rows)
EOF2
expect_exit 0 "report of a run whose cells all miss an implementation" \
    env VTB_GNUPLOT="$scratch/gnuplot-writes" "$vtbench" report "$run" --out "$scratch/one-row-report"
if grep -q "emergent mode" "$scratch/out"; then
    fail "a run with a hit-ratio sweep is said to set no hit ratio: $(grep emergent "$scratch/out")"
fi
grep -q "no cell has a row of every one of the run's 4 implementations" "$scratch/out" ||
    fail "the skipped charts do not say that no cell is complete: $(cat "$scratch/out")"
ok "a run whose cells all miss an implementation: the skipped charts say so"
