#!/usr/bin/env bash
# End-to-end test of the vtbench command line: a real run of
# scenarios/quick.ini writes every file of a run directory, the informational
# commands work, and every kind of bad input (scenario file, option, option
# value) exits 2 with a message that says what is wrong and leaves no run
# directory behind.
#   cli.sh VTBENCH SOURCE_DIR
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

# A good run: every file, the right number of rows, valid JSON.
out="$scratch/good"
expect_exit 0 "run scenarios/quick.ini" "$vtbench" run scenarios/quick.ini --out "$out" --quiet
dir="$(only_dir "$out")"
grep -qx "results: $dir" "$scratch/out" || fail "stdout does not name the run directory $dir"
for f in results.csv samples.csv results.json context.json; do
    [[ -s "$dir/$f" ]] || fail "quick run: $f missing or empty"
done
no_tmp_files "$dir"
# 3 cells (hit_ratio 0, 0.8, 1) x 3 implementations, one header row.
rows="$(csv_rows "$dir/results.csv")"
(( rows == 9 )) || fail "results.csv has $rows data rows, expected 9"
[[ "$(head -n1 "$dir/results.csv")" == scenario,impl,* ]] || fail "results.csv has no header row"
# One samples.csv row per cell, implementation and repetition (3).
rows="$(csv_rows "$dir/samples.csv")"
(( rows == 27 )) || fail "samples.csv has $rows data rows, expected 27"
python3 -m json.tool "$dir/results.json" >/dev/null || fail "results.json is not valid JSON"
python3 -m json.tool "$dir/context.json" >/dev/null || fail "context.json is not valid JSON"
[[ "$(json_get "$dir/context.json" complete)" == true ]] || fail "context.json: complete is not true"
[[ "$(json_get "$dir/context.json" cells_done)" == 3 ]] || fail "context.json: cells_done is not 3"
for impl in alloc-task value-task pooled; do
    for cell in 0 1 2; do
        [[ -s "$dir/$cell-$impl-all.hgrm" ]] || fail "quick run: $cell-$impl-all.hgrm missing"
    done
    grep -q "Percentile" "$dir/0-$impl-all.hgrm" || fail "0-$impl-all.hgrm is not an HdrHistogram percentile table"
done
ok "run scenarios/quick.ini: results.csv (9 rows), samples.csv, results.json, context.json, .hgrm"

# --set overrides the file; --impl narrows the implementations.
out="$scratch/set"
expect_exit 0 "--set" "$vtbench" run scenarios/quick.ini --out "$out" --quiet --quick \
    --set hit_ratio=0.5 --set ' repetitions = 2 ' --impl pooled
dir="$(only_dir "$out")"
[[ "$(csv_column "$dir/results.csv" hit_ratio_target)" == 0.5 ]] || fail "--set hit_ratio=0.5 not applied"
[[ "$(csv_column "$dir/results.csv" repetitions)" == 2 ]] || fail "--set repetitions=2 not applied"
[[ "$(csv_column "$dir/results.csv" impl)" == pooled ]] || fail "--impl pooled not applied"
ok "--set hit_ratio=0.5 --set repetitions=2 --impl pooled: one row, as asked"

# The informational commands.
expect_exit 0 "list" "$vtbench" list
for word in alloc-task value-task pooled scenarios/quick.ini hit_ratio miss_latency; do
    grep -q -- "$word" "$scratch/out" || fail "vtbench list does not mention $word"
done
expect_exit 0 "--help" "$vtbench" --help
grep -q "^usage: vtbench COMMAND" "$scratch/out" || fail "--help prints no usage"
expect_exit 0 "run --help" "$vtbench" run --help
grep -q "^usage: vtbench run FILE" "$scratch/out" || fail "run --help prints no usage"
expect_exit 0 "--version" "$vtbench" --version
version="$(sed -n 's/^project(vtbench VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)"
[[ "$(cat "$scratch/out")" == "vtbench $version" ]] || fail "--version prints '$(cat "$scratch/out")', expected 'vtbench $version'"
ok "list, --help, run --help, --version"

# Bad input. Each case: exit 2, a message matching the pattern, and no run
# directory in its --out.
bad_file="$scratch/bad.ini"
printf '[scenario]\nname = bad\n\nhit_ratio = 1.5\n' >"$bad_file"
open_load="$scratch/open.ini"
printf '[scenario]\nname = open\nload = open:0\n' >"$open_load"
not_a_dir="$scratch/file"
touch "$not_a_dir"
case_count=0
bad() {
    local pattern="$1" out="$scratch/bad-$case_count"
    shift
    case_count=$((case_count + 1))
    expect_exit 2 "vtbench $*" "$vtbench" "$@" --out "$out"
    expect_stderr "$pattern" "vtbench $*"
    no_dir_in "$out" "vtbench $*"
}
bad "^vtbench: $bad_file:4: hit_ratio: must be in \[0,1\], got 1.5$" run "$bad_file"
# A bad second file stops the first from running: everything is parsed first.
bad "^vtbench: $bad_file:4: hit_ratio:" run scenarios/quick.ini "$bad_file"
bad "^vtbench: $scratch/missing.ini:0: cannot open: No such file" run "$scratch/missing.ini"
bad "load: open rate must be in \(0,1e9\] ops/s, got 0" run "$open_load"
bad "unknown implementation 'nosuch'" run scenarios/quick.ini --impl nosuch
bad "--impl: 'pooled' given twice" run scenarios/quick.ini --impl pooled --impl pooled
bad "unknown implementation ''" run scenarios/quick.ini --impl ''
bad "--set: expected KEY=VALUE, got \`threads\`" run scenarios/quick.ini --set threads
bad "--set: expected KEY=VALUE, got \`=4\`" run scenarios/quick.ini --set =4
bad "--set: threads: empty value" run scenarios/quick.ini --set threads=
bad "--set: frobnicate: unknown key" run scenarios/quick.ini --set frobnicate=1
bad "--set: threads: must be in \[1,1024\] or nproc, got 0" run scenarios/quick.ini --set threads=0
bad "--set: hit_ratio: expected a number" run scenarios/quick.ini --set hit_ratio=lots
bad "unrecognized option '--bogus'" run scenarios/quick.ini --bogus
# Keys that conflict only together are refused before a run directory exists.
bad "^vtbench: scenarios/quick.ini: --set: miss_latency: \`measured\` needs a server to measure: set backend = redis" \
    run scenarios/quick.ini --set miss_latency=measured
bad "no scenario file given" run
bad "unknown command 'frobnicate'" frobnicate
bad "list: unexpected argument 'extra'" list extra
# Options whose value is the problem (the shared --out would hide them).
expect_exit 2 "--out ''" "$vtbench" run scenarios/quick.ini --out ''
expect_stderr "--out: empty directory name" "--out ''"
expect_exit 2 "--out FILE" "$vtbench" run scenarios/quick.ini --out "$not_a_dir"
expect_stderr "--out: $not_a_dir exists and is not a directory" "--out FILE"
expect_exit 2 "--out without a value" "$vtbench" run scenarios/quick.ini --out
expect_stderr "option '--out' requires an argument" "--out without a value"
expect_exit 2 "no command" "$vtbench"
expect_stderr "^usage: vtbench COMMAND" "no command"
ok "$((case_count + 4)) kinds of bad input: exit 2, a clear message, no run directory"
