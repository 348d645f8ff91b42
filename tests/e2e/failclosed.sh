#!/usr/bin/env bash
# End-to-end tests of runs that fail closed: every way a run can end
# early, stall or be fed something hostile ends promptly, with a clear
# message and the right exit code, keeps every completed cell, and never
# leaves a run directory that claims to be complete when it is not.
#   failclosed.sh VTBENCH SOURCE_DIR
# Time bounds here only catch hangs (a few seconds); how fast a stop really
# is, is measured by scripts/bench-stop.sh.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

now_ms() { date +%s%3N; }

# A two-cell fixture: a quick first cell that always completes, then a
# second cell that the test makes long or impossible with --set.
two_cells="$scratch/two-cells.ini"
cat >"$two_cells" <<'EOF'
[scenario]
name = two-cells
impls = value-task, pooled
hit_ratio = 1, 0
ops = 2000
warmup = 200
repetitions = 2
EOF

complete_of() { json_get "$1/context.json" complete; }

# stop_within SIGNAL MS CELLS WHAT ARGS...: starts a run, waits until CELLS
# cells (0 or 1) are in its journal, then a little more, sends SIGNAL and
# checks: exit 130 within MS, complete false, exactly the completed cells
# kept.
stop_within() {
    local signal="$1" bound_ms="$2" cells="$3" what="$4" out="$scratch/stop-$RANDOM" rc=0
    shift 4
    "$vtbench" run "$@" --out "$out" --quiet >/dev/null \
        2>"$scratch/err" &
    local pid=$! waited=0
    until compgen -G "$out/*/journal" >/dev/null &&
          { (( cells == 0 )) || grep -q '^C 0 ' "$out"/*/journal 2>/dev/null; }; do
        sleep 0.05
        waited=$((waited + 1))
        (( waited < 400 )) || { kill -9 "$pid"; fail "$what: the run never got going"; }
    done
    sleep 0.5 # well inside the long cell
    local sent
    sent="$(now_ms)"
    kill -s "$signal" "$pid"
    wait "$pid" || rc=$?
    local took=$(($(now_ms) - sent))
    [[ "$rc" == 130 ]] || { cat "$scratch/err" >&2; fail "$what: exit $rc, expected 130"; }
    (( took < bound_ms )) || fail "$what: stopped after ${took} ms (bound ${bound_ms} ms)"
    local dir
    dir="$(only_dir "$out")"
    no_tmp_files "$dir"
    [[ "$(complete_of "$dir")" == false ]] || fail "$what: context.json says complete"
    [[ "$(json_get "$dir/context.json" status)" == '"interrupted"' ]] ||
        fail "$what: status is $(json_get "$dir/context.json" status)"
    (( $(csv_rows "$dir/results.csv") == 2 * cells )) ||
        fail "$what: results.csv does not hold exactly $cells completed cell(s)"
    ok "$what: $signal -> exit 130 after ${took} ms, $cells completed cell(s) kept, complete=false"
}

# 2. A stop is honoured inside a measured run of any length: the long
# second cell of an axis, or the first cell of a long setting.
stop_within INT 3000 1 "a minute-long miss" "$two_cells" --set hit_ratio=0 --set miss_latency=0,60s --set ops=50 --force
stop_within INT 3000 1 "a minute-long miss on the completion thread" "$two_cells" \
    --set hit_ratio=0 --set completion=thread --set miss_latency=0,60s --set ops=50 --force
stop_within INT 3000 1 "open loop at 0.01/s" "$two_cells" --set load=closed,open:0.01 \
    --set ops=10 --force
stop_within TERM 3000 0 "duration=30s" "$two_cells" --set duration=30s
stop_within HUP 3000 0 "ops=1T" "$two_cells" --set ops=1T --force

expect_stderr_file() { grep -Eq -- "$1" "$scratch/err" || { cat "$scratch/err" >&2; fail "$2"; }; }

# 1. A worker that cannot be started: a clear error, no hang, exit 1, the
# completed cell kept. A virtual-memory limit makes 400 thread stacks fail.
# Not in a sanitizer build, whose shadow memory alone exceeds any such
# limit (the normal build, which CI runs too, covers it).
if [[ "${VTB_SANITIZE:-none}" != none ]]; then
    echo "note: thread limit (ulimit -v) not run in a $VTB_SANITIZE build: its shadow memory exceeds the limit"
else
out="$scratch/threads"
start="$(now_ms)"
rc=0
(ulimit -v 1200000; exec "$vtbench" run "$two_cells" --set threads=1,400 --set hit_ratio=1 \
    --out "$out" --quiet --report >/dev/null 2>"$scratch/err") || rc=$?
took=$(($(now_ms) - start))
[[ "$rc" == 1 ]] || { cat "$scratch/err" >&2; fail "thread limit: exit $rc, expected 1"; }
expect_stderr_file "cannot start worker [0-9]+ of 400: Resource temporarily unavailable" \
    "thread limit: message"
(( took < 20000 )) || fail "thread limit: took ${took} ms"
dir="$(only_dir "$out")"
[[ "$(complete_of "$dir")" == false ]] || fail "thread limit: context.json says complete"
(( $(csv_rows "$dir/results.csv") == 2 )) || fail "thread limit: cell 0 lost"
# --report still reports the completed cell, marked incomplete.
grep -q "report of the 1 completed cells (incomplete run)" "$scratch/err" ||
    fail "thread limit: --report does not say it reports the completed cell"
grep -qi "incomplete" "$dir/report/report.md" ||
    fail "thread limit: --report wrote no report marked incomplete"
ok "thread limit (ulimit -v): exit 1 in ${took} ms, '$(grep -o 'cannot start worker.*' "$scratch/err")'"
fi

# The same under a process limit, as an unprivileged user (root is exempt
# from RLIMIT_NPROC): the binary and fixture are copied where that user can
# read them.
if command -v setpriv >/dev/null && [[ "$(id -u)" == 0 ]]; then
    jail="$(mktemp -d /tmp/vtb-nproc.XXXXXX)"
    cleanup_hooks+=("rm -rf '$jail'")
    cp "$vtbench" "$two_cells" "$jail/"
    chmod -R a+rwX "$jail"
    rc=0
    start="$(now_ms)"
    (cd "$jail" && setpriv --reuid=65534 --regid=65534 --clear-groups \
        bash -c 'ulimit -u 40; exec ./vtbench run two-cells.ini --set threads=64 --set ops=1000 --out out --quiet' \
        >/dev/null 2>"$scratch/err") || rc=$?
    took=$(($(now_ms) - start))
    [[ "$rc" == 1 ]] || { cat "$scratch/err" >&2; fail "ulimit -u 40: exit $rc, expected 1"; }
    expect_stderr_file "cannot start worker [0-9]+ of 64: Resource temporarily unavailable" \
        "ulimit -u: message"
    (( took < 20000 )) || fail "ulimit -u: took ${took} ms"
    ok "ulimit -u 40 as an unprivileged user: exit 1 in ${took} ms"
    # No thread at all: the completion thread cannot start, and says why.
    # (Not in a sanitizer build, whose runtime needs threads of its own.)
    rc=0
    [[ "${VTB_SANITIZE:-none}" != none ]] || (cd "$jail" && setpriv --reuid=65534 --regid=65534 --clear-groups \
        bash -c 'ulimit -u 1; exec ./vtbench run two-cells.ini --set completion=thread --set threads=1 --set ops=1000 --out out1 --quiet' \
        >/dev/null 2>"$scratch/err") || rc=$?
    if [[ "${VTB_SANITIZE:-none}" == none ]]; then
        [[ "$rc" == 1 ]] || { cat "$scratch/err" >&2; fail "ulimit -u 1: exit $rc, expected 1"; }
        expect_stderr_file "^vtbench: cell 1 of 2: cannot start the completion thread: Resource temporarily unavailable$" \
            "ulimit -u 1: message"
        ok "ulimit -u 1: '$(head -n1 "$scratch/err")'"
    fi
else
    fail "setpriv and root are needed for the RLIMIT_NPROC case"
fi

# 3. Input that never ends, or never comes.
expect_exit 2 "/dev/zero as the scenario" "$vtbench" run /dev/zero --out "$scratch/zero"
expect_stderr "^vtbench: /dev/zero:0: larger than 1048576 bytes" "/dev/zero"
no_dir_in "$scratch/zero" "/dev/zero"
rc=0
"$vtbench" run <(yes) --out "$scratch/yes" >/dev/null 2>"$scratch/err" || rc=$?
[[ "$rc" == 2 ]] || fail "a FIFO that never ends: exit $rc, expected 2"
ok "/dev/zero and an endless FIFO: refused at the bound, exit 2"
mkfifo "$scratch/fifo"
"$vtbench" run "$scratch/fifo" --out "$scratch/fifo-out" >/dev/null \
    2>"$scratch/err" &
pid=$!
sleep 0.5
sent="$(now_ms)"
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
took=$(($(now_ms) - sent))
[[ "$rc" == 130 ]] || fail "FIFO without a writer: exit $rc after SIGINT, expected 130"
(( took < 2000 )) || fail "FIFO without a writer: stopped after ${took} ms"
expect_stderr "interrupted while reading" "FIFO open"
ok "a FIFO nobody writes to: SIGINT -> exit 130 after ${took} ms"

# 5. stdout unwritable: the console stops, the results are complete, exit 0.
for target in full closed; do
    out="$scratch/stdout-$target"
    rc=0
    if [[ "$target" == full ]]; then
        "$vtbench" run "$two_cells" --out "$out" >/dev/full 2>"$scratch/err" || rc=$?
    else
        "$vtbench" run "$two_cells" --out "$out" >&- 2>"$scratch/err" || rc=$?
    fi
    [[ "$rc" == 0 ]] || { cat "$scratch/err" >&2; fail "stdout $target: exit $rc, expected 0"; }
    dir="$(only_dir "$out")"
    [[ "$(complete_of "$dir")" == true ]] || fail "stdout $target: context.json not complete"
    (( $(grep -c "stdout: write failed" "$scratch/err") == 1 )) ||
        fail "stdout $target: the failure is not reported exactly once"
    grep -q "incomplete\|partial" "$scratch/err" && fail "stdout $target: stderr calls the results incomplete"
    ok "stdout $target: exit 0, results complete, reported once"
done

# 6. SIGPIPE never kills the run: a reader that goes away ends the console.
out="$scratch/pipe"
rc=0
set +o pipefail
"$vtbench" run "$two_cells" --set hit_ratio=1,0,0.5,0.9 --out "$out" 2>"$scratch/err" | head -1 >/dev/null
rc=${PIPESTATUS[0]}
set -o pipefail
[[ "$rc" == 0 ]] || { cat "$scratch/err" >&2; fail "| head -1: exit $rc, expected 0"; }
dir="$(only_dir "$out")"
[[ "$(complete_of "$dir")" == true ]] || fail "| head -1: run not complete"
(( $(csv_rows "$dir/results.csv") == 8 )) || fail "| head -1: cells lost"
ok "| head -1: the run completes all 4 cells, exit 0"

# 10. A run that would not end, or not fit, is refused before it starts.
expect_exit 2 "a two-year plan" "$vtbench" run "$two_cells" --set hit_ratio=0 \
    --set miss_latency=60s --set ops=1M --out "$scratch/plan"
expect_stderr "refused: would take about .* years" "a two-year plan"
no_dir_in "$scratch/plan" "a two-year plan"
expect_exit 2 "a cache beyond memory" "$vtbench" run "$two_cells" --set keys=4294967296 \
    --out "$scratch/plan"
expect_stderr "refused: needs .* over 75% of this machine's memory" "a cache beyond memory"
no_dir_in "$scratch/plan" "a cache beyond memory"
# The limits are the command's, not each file's: three runs of 10 h each
# (30 h together), and three of 38,407 files each (115,221 together).
ten_hours=(--set hit_ratio=0 --set miss_latency=10s --set ops=3600 --set repetitions=1
    --set warmup=0 --set impls=value-task)
expect_exit 0 "one 10 h run, planned" "$vtbench" run "$two_cells" "${ten_hours[@]}" --dry-run
expect_exit 2 "three 10 h runs" "$vtbench" run "$two_cells" "$two_cells" "$two_cells" \
    "${ten_hours[@]}" --out "$scratch/plan"
expect_stderr "^vtbench: refused: the 3 scenario files would take about 30.0 h together, over 24 h" \
    "three 10 h runs"
no_dir_in "$scratch/plan" "three 10 h runs"
keys256="keys=$(seq -s, 1 256)"
many_files=(--set "$keys256" --set "concurrency=$(seq -s, 1 50)" --set hit_ratio=1
    --set ops=1 --set warmup=0 --set repetitions=1 --set impls=value-task)
expect_exit 2 "three runs of 38,407 files" "$vtbench" run "$two_cells" "$two_cells" \
    "$two_cells" "${many_files[@]}" --out "$scratch/plan"
expect_stderr "^vtbench: refused: the 3 scenario files would write 115221 files together, over 100000" \
    "three runs of 38,407 files"
no_dir_in "$scratch/plan" "three runs of 38,407 files"
expect_exit 0 "--dry-run" "$vtbench" run "$two_cells" --dry-run --out "$scratch/plan"
grep -q "^  time " "$scratch/out" && grep -q "^  memory " "$scratch/out" &&
    grep -q "^  files " "$scratch/out" || fail "--dry-run prints no plan"
no_dir_in "$scratch/plan" "--dry-run"
ok "plans: two years, a cache beyond memory, 30 h and 115,221 files over three files refused, --dry-run writes nothing"

# Reproducible from its directory: scenario.ini runs the same cells.
out="$scratch/repro"
expect_exit 0 "a run to reproduce" "$vtbench" run "$two_cells" --set seed=7 --set keys=99 \
    --out "$out" --quiet
first="$(only_dir "$out")"
grep -q "^seed = 7$" "$first/scenario.ini" || fail "scenario.ini does not hold the seed"
grep -q "^keys = 99$" "$first/scenario.ini" || fail "scenario.ini does not hold the override"
grep -q "^warmup = 200$" "$first/scenario.ini" || fail "scenario.ini does not hold the warm-up"
expect_exit 0 "the reproduction" "$vtbench" run "$first/scenario.ini" --out "$scratch/repro2" --quiet
second="$(only_dir "$scratch/repro2")"
cells() { python3 -c 'import csv,sys
keys=["impl","cell_index","hit_ratio_target","keys","capacity","ttl_ms","key_dist","threads","concurrency","miss_latency","completion","continuation","cache_lock","load","ops","repetitions"]
for r in csv.DictReader(open(sys.argv[1],newline="")): print(",".join(r[k] for k in keys))' "$1"; }
[[ "$(cells "$first/results.csv")" == "$(cells "$second/results.csv")" ]] ||
    fail "RUN_DIR/scenario.ini does not reproduce the cells"
python3 - "$first/context.json" <<'EOF' || fail "context.json lacks the version or the command line"
import json, sys
c = json.load(open(sys.argv[1]))
assert c["vtbench"]["version"] and c["vtbench"]["git_revision"]
assert c["vtbench"]["command_line"][0] == "run"
EOF
# What the command line chose is in scenario.ini too: --impl's
# implementations (not the file's impls), a description with a tab; and
# --force-async, which no key holds, in the command it names.
out="$scratch/repro-impl"
expect_exit 0 "a run of one implementation" "$vtbench" run "$two_cells" --impl pooled \
    --force-async --set "description=tab$(printf '\t')here" --out "$out" --quiet
first="$(only_dir "$out")"
grep -q "^impls = pooled$" "$first/scenario.ini" ||
    fail "scenario.ini does not name the implementation run: $(grep '^impls' "$first/scenario.ini")"
grep -q "^; Reproduce with: vtbench run scenario.ini --force-async$" "$first/scenario.ini" ||
    fail "scenario.ini does not say --force-async"
expect_exit 0 "its reproduction" "$vtbench" run "$first/scenario.ini" --force-async \
    --out "$scratch/repro-impl2" --quiet
second="$(only_dir "$scratch/repro-impl2")"
[[ "$(cells "$first/results.csv")" == "$(cells "$second/results.csv")" ]] ||
    fail "RUN_DIR/scenario.ini of --impl pooled does not reproduce the cells and implementations"
[[ "$(csv_column "$second/results.csv" impl | sort -u)" == pooled ]] ||
    fail "the reproduction ran $(csv_column "$second/results.csv" impl | sort -u | tr '\n' ' ')"
cmp -s <(grep -v '^;' "$first/scenario.ini") <(grep -v '^;' "$second/scenario.ini") ||
    fail "the reproduction's scenario.ini differs from the first's"
# A value is one line: a newline cannot add a key, an escape sequence
# cannot make scenario.ini a file that is refused; from --set and a file.
expect_exit 2 "a newline in --set description" "$vtbench" run "$two_cells" \
    --set $'description=x\nops=7' --out "$scratch/nl"
expect_stderr "^vtbench: --set: description: control character \(byte 0x0a at position 2\)" \
    "a newline in --set description"
no_dir_in "$scratch/nl" "a newline in --set description"
expect_exit 2 "an escape in --set description" "$vtbench" run "$two_cells" \
    --set "description=ESC$(printf '\033')[31mred" --out "$scratch/nl"
expect_stderr "^vtbench: --set: description: control character \(byte 0x1b at position 4\)" \
    "an escape in --set description"
no_dir_in "$scratch/nl" "an escape in --set description"
printf '[scenario]\nname = esc\ndescription = ESC\033[31mred\n' >"$scratch/esc.ini"
expect_exit 2 "an escape in a file's description" "$vtbench" run "$scratch/esc.ini" --out "$scratch/nl"
expect_stderr "^vtbench: $scratch/esc.ini:3: description: control character \(byte 0x1b at column 18\)" \
    "an escape in a file's description"
no_dir_in "$scratch/nl" "an escape in a file's description"
ok "vtbench run RUN_DIR/scenario.ini measures the same cells and implementations; control characters refused"

# Small ones.
expect_exit 2 "an escape sequence in --set" "$vtbench" run "$two_cells" \
    --set "name=a$(printf '\033')[31mred" --out "$scratch/esc"
grep -q "$(printf '\033')" "$scratch/err" && fail "--set echoed a raw escape sequence"
expect_stderr 'a\\x1b\[31mred' "the escape shows as text"
expect_exit 2 "miss_latency=-1ms" "$vtbench" run "$two_cells" --set miss_latency=-1ms --out "$scratch/x"
expect_stderr "miss_latency: .*negative" "miss_latency=-1ms says it is negative"
for cmd in "list" "--help" "run --help"; do
    rc=0
    # shellcheck disable=SC2086
    "$vtbench" $cmd >/dev/full 2>"$scratch/err" || rc=$?
    [[ "$rc" == 1 ]] || fail "$cmd >/dev/full: exit $rc, expected 1"
done
long="$scratch/$(printf 'd%.0s' {1..200})/$(printf 'e%.0s' {1..200})/$(printf 'f%.0s' {1..200})"
expect_exit 2 "a long missing path" "$vtbench" run "$long/x.ini" --out "$scratch/x"
expect_stderr "No such file or directory$" "a long path keeps the OS's reason"
rc=0
VTB_VALGRIND=/bin/false "$vtbench" run "$two_cells" --instructions --out "$scratch/x" \
    >/dev/null 2>"$scratch/err" || rc=$?
[[ "$rc" == 1 ]] || fail "VTB_VALGRIND=/bin/false: exit $rc, expected 1"
expect_stderr "/bin/false exited with status 1 before vtbench ran" "VTB_VALGRIND=/bin/false"
ok "escapes escaped, list/--help to /dev/full exit 1, long paths keep the reason, a bad VTB_VALGRIND says so"
