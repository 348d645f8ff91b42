#!/usr/bin/env bash
# End-to-end test of an interrupted run: SIGINT and SIGTERM in the middle of
# a sweep must stop vtbench at its next safe point (between two timed runs),
# exit 130, write every completed cell and nothing else, mark the run
# incomplete in context.json and leave no temporary file. A second signal
# stops it at once. Two runs started in the same second into the same
# --out get two directories: an existing run directory is never reused.
#   interrupt.sh VTBENCH SOURCE_DIR
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

fixture=tests/e2e/interrupt.ini
impl_count=3
cell_count=8
# The fixture's cells take about 0.7 s each (see interrupt.ini), so after
# this long at least one cell is done and most of the sweep is still ahead.
signal_after_s=2.5
# One timed run is 50 ms; allow generously for warm-up, a loaded machine, a
# sanitizer build and writing the files.
stop_within_ms=5000

now_ms() { date +%s%3N; }

# interrupt SIGNAL: runs the fixture, sends SIGNAL mid-sweep, checks the run
# directory it leaves.
interrupt() {
    local signal="$1" out="$scratch/$1" rc=0
    "$vtbench" run "$fixture" --out "$out" --quiet \
        >"$scratch/out" 2>"$scratch/err" &
    local pid=$!
    sleep "$signal_after_s"
    kill -0 "$pid" 2>/dev/null || fail "$signal: vtbench finished before the signal; lengthen $fixture"
    local sent
    sent="$(now_ms)"
    kill -s "$signal" "$pid"
    wait "$pid" || rc=$?
    local stopped_after_ms=$(($(now_ms) - sent))
    if [[ "$rc" != 130 ]]; then
        cat "$scratch/err" >&2
        fail "$signal: exit code $rc, expected 130"
    fi
    (( stopped_after_ms < stop_within_ms )) ||
        fail "$signal: took ${stopped_after_ms} ms to stop, more than ${stop_within_ms} ms"
    expect_stderr "interrupted during cell [0-9]+ of $cell_count" "$signal: message"
    # It says who stopped it: this shell, by its PID.
    expect_stderr "stopped by SIG$signal from process $$\\b" "$signal: the sender"

    local dir
    dir="$(only_dir "$out")"
    no_tmp_files "$dir"
    [[ -f "$dir/context.json" ]] || fail "$signal: no context.json"
    [[ "$(json_get "$dir/context.json" complete)" == false ]] ||
        fail "$signal: context.json does not say complete: false"
    grep -q "stopped by SIG$signal from process $$\\b" "$dir/context.json" ||
        fail "$signal: context.json does not name the signal and its sender"
    local cells_done
    cells_done="$(json_get "$dir/context.json" cells_done)"
    (( cells_done >= 1 && cells_done < cell_count )) ||
        fail "$signal: cells_done is $cells_done, expected 1..$((cell_count - 1)) (signal too early or late?)"
    [[ "$(json_get "$dir/context.json" cell_count)" == "$cell_count" ]] ||
        fail "$signal: context.json cell_count is not $cell_count"

    # Exactly the completed cells, each with every implementation; no row of
    # the cell that was interrupted.
    local rows
    rows="$(csv_rows "$dir/results.csv")"
    (( rows == cells_done * impl_count )) ||
        fail "$signal: results.csv has $rows rows, expected $cells_done cells x $impl_count"
    local expected_cells
    expected_cells="$(seq 0 $((cells_done - 1)) | tr '\n' ' ')"
    [[ "$(csv_column "$dir/results.csv" cell_index | sort -n | uniq | tr '\n' ' ')" == "$expected_cells" ]] ||
        fail "$signal: results.csv cell_index values are not exactly $expected_cells"
    [[ "$(csv_column "$dir/samples.csv" cell_index | sort -n | uniq | tr '\n' ' ')" == "$expected_cells" ]] ||
        fail "$signal: samples.csv cell_index values are not exactly $expected_cells"
    python3 -m json.tool "$dir/results.json" >/dev/null || fail "$signal: results.json is not valid JSON"
    ok "$signal after ${signal_after_s}s: exit 130 ${stopped_after_ms} ms later, $cells_done of $cell_count cells written, complete=false, no .tmp"
}

interrupt INT
interrupt TERM

# A second signal means "now": vtbench exits 130 at once. Nothing it leaves
# may claim to be complete; unfinished files stay under their .tmp names.
out="$scratch/twice"
"$vtbench" run "$fixture" --out "$out" --quiet \
    >"$scratch/out" 2>"$scratch/err" &
pid=$!
sleep "$signal_after_s"
kill -INT "$pid"
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
[[ "$rc" == 130 ]] || fail "two SIGINTs: exit code $rc, expected 130"
dir="$(only_dir "$out")"
if [[ -f "$dir/context.json" ]]; then
    [[ "$(json_get "$dir/context.json" complete)" == false ]] ||
        fail "two SIGINTs: context.json says complete"
fi
ok "two SIGINTs: exit 130, nothing claims to be complete (left: $(ls "$dir" | tr '\n' ' '))"

# Two runs into the same --out in the same second get two directories. The
# runs take a fraction of a second, so they almost always share a second;
# the second check makes the collision certain by occupying the directory
# names of the next few seconds beforehand.
out="$scratch/same-second"
"$vtbench" run scenarios/quick.ini --quick --out "$out" --quiet >/dev/null 2>"$scratch/err1" &
pid1=$!
"$vtbench" run scenarios/quick.ini --quick --out "$out" --quiet >/dev/null 2>"$scratch/err2" &
pid2=$!
rc1=0 rc2=0
wait "$pid1" || rc1=$?
wait "$pid2" || rc2=$?
[[ "$rc1" == 0 && "$rc2" == 0 ]] || fail "concurrent runs: exit codes $rc1 and $rc2"
dirs=("$out"/*/)
(( ${#dirs[@]} == 2 )) || fail "concurrent runs: expected 2 run directories, got ${#dirs[@]}"
for d in "${dirs[@]}"; do
    (( $(csv_rows "$d/results.csv") == 9 )) || fail "concurrent runs: $d/results.csv is not 9 rows"
done
ok "two concurrent runs: two directories ($(basename "${dirs[0]}"), $(basename "${dirs[1]}"))"

out="$scratch/occupied"
mkdir -p "$out"
start="$(date -u +%s)"
for s in 0 1 2 3 4 5; do
    taken="$out/$(date -u -d "@$((start + s))" +%Y%m%dT%H%M%SZ)-quick"
    mkdir "$taken"
    echo "an earlier run" >"$taken/sentinel"
done
expect_exit 0 "run into an occupied directory name" \
    "$vtbench" run scenarios/quick.ini --quick --out "$out" --quiet
fresh="$(sed -n 's/^results: //p' "$scratch/out")"
[[ "$fresh" == *-quick-2 ]] || fail "occupied name: the run went to '$fresh', expected a -2 suffix"
for d in "$out"/*-quick/; do
    [[ "$(ls -A "$d")" == sentinel && "$(cat "$d/sentinel")" == "an earlier run" ]] ||
        fail "occupied name: $d was written into"
done
ok "an existing run directory is never reused: the run went to $(basename "$fresh")"
