#!/usr/bin/env bash
# End-to-end tests of sets of runs in `vtbench compare` (compare_set.h): a
# directory of several runs of one build is one side, judged run by run.
#   - two sets of three runs: the time verdicts say "runs 3/3", the inputs
#     say "a set of 3 runs", and the same sets compared by their runs one
#     against one say "rounds";
#   - a set is refused (exit 2, one line naming the run) when a run is not
#     complete, comes from another build, measured other cells, or is not a
#     run at all; --allow-incomplete takes an incomplete run with a warning;
#   - a deterministic metric of a set is its costliest run's: one run of
#     the new set allocating on a hit fails the gate;
#   - `vtbench baseline` refuses a set (a baseline is one run);
#   - scripts/ab-compare.sh alternates two builds' runs into two sets.
#   compare_sets.sh VTBENCH SOURCE_DIR
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

fixture="$scratch/hits.ini"
cat >"$fixture" <<'EOF'
[scenario]
name = hits
impls = value-task, alloc-task
hit_ratio = 1
keys = 64, 256
ops = 2000
warmup = 200
repetitions = 3
EOF

# make_set DIR COUNT [INI]: COUNT runs of INI (the fixture) into the set DIR.
make_set() {
    for ((k = 0; k < $2; k++)); do
        "$vtbench" run "${3:-$fixture}" --out "$1" --quiet >/dev/null ||
            fail "run into $1 failed"
    done
    local runs=("$1"/*/)
    [[ ${#runs[@]} -eq $2 ]] || fail "$1 holds ${#runs[@]} runs, expected $2"
}

# nth_run DIR N: the Nth run (from 1) of the set DIR, in the set's order
# (by name; a glob of "DIR/*/" would put "NAME-2/" before "NAME/").
nth_run() {
    local runs=() d
    for d in "$1"/*; do
        [[ -d "$d" ]] && runs+=("$d")
    done
    echo "${runs[$(($2 - 1))]}"
}

make_set "$scratch/base" 3
make_set "$scratch/new" 3

# Two sets: judged by run. The time gate is off so that a verdict on this
# shared machine cannot fail the test; what is checked is how it was judged.
expect_exit 0 "set against set" "$vtbench" compare --all --time-gate off "$scratch/base" "$scratch/new"
grep -q "^base .*: a set of 3 runs, 4 rows each" "$scratch/out" || fail "the base set is not described: $(head -2 "$scratch/out")"
grep -q "^new .*: a set of 3 runs, 4 rows each" "$scratch/out" || fail "the new set is not described"
[[ $(grep -c "ns_per_op .*runs 3/3, per floor" "$scratch/out") -eq 4 ]] ||
    fail "not every time verdict was judged over 3 runs a side: $(grep ns_per_op "$scratch/out")"
ok "two sets of three runs are compared run by run"

# One run against one run: by round, as before.
expect_exit 0 "run against run" "$vtbench" compare --all --time-gate off \
    "$(nth_run "$scratch/base" 1)" "$(nth_run "$scratch/new" 1)"
[[ $(grep -c "ns_per_op .*rounds 3/3, per floor" "$scratch/out") -eq 4 ]] ||
    fail "single runs were not judged by round: $(grep ns_per_op "$scratch/out")"
# A set against a single run: the single run has no spread between runs, so
# the rounds of both are compared.
expect_exit 0 "set against run" "$vtbench" compare --all --time-gate off \
    "$scratch/base" "$(nth_run "$scratch/new" 1)"
[[ $(grep -c "ns_per_op .*rounds 9/3, per floor" "$scratch/out") -eq 4 ]] ||
    fail "a set against a run was not judged by round over every round: $(grep ns_per_op "$scratch/out")"
ok "single runs, and a set against a run, are compared by round"

# copy_set FROM TO: a copy of a set, to damage.
copy_set() {
    rm -rf "$2"
    cp -r "$1" "$2"
}

# An incomplete run in a set: the second, then the first (whose side the
# set's rows come from).
for nth in 2 1; do
    copy_set "$scratch/new" "$scratch/bad"
    run="$(nth_run "$scratch/bad" "$nth")"
    python3 - "$run/context.json" <<'EOF'
import json, sys
path = sys.argv[1]
doc = json.load(open(path))
doc["complete"] = False
doc["status"] = "interrupted"
doc["incomplete_reason"] = "stopped by SIGINT"
json.dump(doc, open(path, "w"))
EOF
    expect_exit 2 "a set with an incomplete run $nth" "$vtbench" compare "$scratch/base" "$scratch/bad"
    expect_stderr "$(basename "$run"): not a complete run" "a set with an incomplete run $nth"
    [[ $(wc -l <"$scratch/err") -eq 1 ]] || fail "the refusal is not one line: $(cat "$scratch/err")"
    expect_exit 0 "the same with --allow-incomplete" "$vtbench" compare --allow-incomplete --time-gate off \
        "$scratch/base" "$scratch/bad"
    expect_stderr "warning: new .*bad: incomplete \(.*$(basename "$run"): stopped by SIGINT" \
        "the warning names run $nth"
done
ok "a set with an incomplete run is refused, and taken with a warning when allowed"

# A run of another build.
copy_set "$scratch/new" "$scratch/bad"
run3="$(nth_run "$scratch/bad" 3)"
python3 - "$run3/context.json" <<'EOF'
import json, sys
path = sys.argv[1]
doc = json.load(open(path))
doc["vtbench"]["git_revision"] = "0123456789ab"
json.dump(doc, open(path, "w"))
EOF
expect_exit 2 "a set of two builds" "$vtbench" compare "$scratch/base" "$scratch/bad"
expect_stderr "set .*bad: its runs come from different builds or machines: .*git_revision=0123456789ab" \
    "a set of two builds"
ok "a set whose runs come from two builds is refused"

# A run of other cells.
copy_set "$scratch/new" "$scratch/bad"
sed 's/^keys = 64, 256$/keys = 64, 1024/' "$fixture" >"$scratch/other.ini"
"$vtbench" run "$scratch/other.ini" --out "$scratch/bad" --quiet >/dev/null
expect_exit 2 "a set of different cells" "$vtbench" compare "$scratch/base" "$scratch/bad"
expect_stderr "set .*bad: its runs measured different cells: .*results.csv:[0-9]+ \((value|alloc)-task\) is not in " \
    "a set of different cells"
ok "a set whose runs measured different cells is refused"

# A subdirectory that is not a run.
copy_set "$scratch/new" "$scratch/bad"
mkdir "$scratch/bad/notes"
expect_exit 2 "a set with a directory that is not a run" "$vtbench" compare "$scratch/base" "$scratch/bad"
expect_stderr "set .*bad: .*bad/notes: " "the refusal names the set and the directory"
# Files beside the runs are not runs and are left alone.
rmdir "$scratch/bad/notes"
echo "three runs of hits.ini" >"$scratch/bad/README"
expect_exit 0 "a set with a file beside its runs" "$vtbench" compare --time-gate off "$scratch/base" "$scratch/bad"
ok "a set with a subdirectory that is not a run is refused; files beside the runs are ignored"

# One run of the new set allocates on hits: its set's allocs_per_op is that
# run's, and the gate fails (value-task must not allocate on a hit).
copy_set "$scratch/new" "$scratch/bad"
run1="$(nth_run "$scratch/bad" 1)"
python3 - "$run1/results.csv" <<'EOF'
import csv, sys
path = sys.argv[1]
rows = list(csv.DictReader(open(path, newline="")))
for r in rows:
    if r["impl"] == "value-task" and r["keys"] == "256":
        r["allocs_per_op"] = "0.5"
with open(path, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=rows[0].keys(), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
EOF
expect_exit 3 "one run of the new set allocates" "$vtbench" compare --time-gate off "$scratch/base" "$scratch/bad"
grep -Eq "keys=256 .*value-task +allocs_per_op +0 +0.5 .*SLOWER" "$scratch/out" ||
    fail "the costliest run's allocations are not the set's: $(grep allocs_per_op "$scratch/out")"
ok "a deterministic metric of a set is its costliest run's"

# A baseline is one run.
expect_exit 2 "baseline of a set" "$vtbench" baseline "$scratch/base" sets --dir "$scratch/baselines"
expect_stderr "is a set of runs" "baseline of a set"
[[ ! -e "$scratch/baselines/sets.csv" ]] || fail "baseline of a set wrote a file"
ok "baseline refuses a set"

# scripts/ab-compare.sh: two builds (here one binary twice), their runs
# alternated into two sets, compared run by run.
expect_exit 0 "ab-compare.sh" env AB_OUT="$scratch/ab" scripts/ab-compare.sh "$vtbench" "$vtbench" \
    "$fixture" 2 -- --time-gate off --all
grep -q "^base .*ab/base: a set of 2 runs" "$scratch/out" || fail "ab-compare.sh did not compare sets: $(head -3 "$scratch/out")"
[[ $(grep -c "ns_per_op .*runs 2/2, per floor" "$scratch/out") -eq 4 ]] || fail "ab-compare.sh: not judged by run"
expect_exit 2 "ab-compare.sh with one run a side" scripts/ab-compare.sh "$vtbench" "$vtbench" "$fixture" 1
expect_stderr "RUNS must be a whole number >= 2" "ab-compare.sh with one run a side"
expect_exit 2 "ab-compare.sh into used sets" env AB_OUT="$scratch/ab" scripts/ab-compare.sh "$vtbench" \
    "$vtbench" "$fixture" 2
expect_stderr "exists; give AB_OUT a new directory" "ab-compare.sh into used sets"
ok "scripts/ab-compare.sh alternates two builds' runs into sets and compares them"
