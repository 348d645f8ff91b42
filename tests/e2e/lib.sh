# shellcheck shell=bash
# Helpers shared by the end-to-end scripts that drive the vtbench binary
# (cli.sh, interrupt.sh, full_disk.sh, leaks.sh); sourced, not run. Each script is
# called by ctest as SCRIPT VTBENCH SOURCE_DIR and works in a scratch
# directory that is removed on exit. Assertions print what was expected and
# what happened, then exit 1; exit 77 means "skipped" (SKIP_RETURN_CODE).
# CSV and JSON are checked with python3's own parsers, not with grep, so a
# quoted comma or a malformed file cannot fool a count.

if ! command -v python3 >/dev/null; then
    echo "SKIP: python3 is needed to check CSV and JSON output" >&2
    exit 77
fi
# shellcheck disable=SC2034 # used by the scripts that source this file
vtbench="$(realpath "$1")"
source_dir="$(realpath "$2")"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/vtb-e2e.XXXXXX")"
cleanup_hooks=()
cleanup() {
    local hook
    for hook in "${cleanup_hooks[@]}"; do eval "$hook" || true; done
    rm -rf "$scratch"
}
trap cleanup EXIT
cd "$source_dir" || exit 1

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

ok() {
    echo "ok: $*"
}

# expect_exit CODE WHAT COMMAND...: runs COMMAND with its output in
# $scratch/out and $scratch/err and checks the exit code.
expect_exit() {
    local want="$1" what="$2" got=0
    shift 2
    "$@" >"$scratch/out" 2>"$scratch/err" || got=$?
    if [[ "$got" != "$want" ]]; then
        echo "--- stdout:" >&2; cat "$scratch/out" >&2
        echo "--- stderr:" >&2; cat "$scratch/err" >&2
        fail "$what: exit code $got, expected $want"
    fi
}

# expect_stderr PATTERN WHAT: the last command's stderr matches the
# extended regular expression PATTERN.
expect_stderr() {
    if ! grep -Eq -- "$1" "$scratch/err"; then
        echo "--- stderr:" >&2; cat "$scratch/err" >&2
        fail "$2: stderr does not match /$1/"
    fi
}

# only_dir PARENT: prints the single directory in PARENT, or fails.
only_dir() {
    local dirs=("$1"/*/)
    [[ -d "${dirs[0]}" && ${#dirs[@]} -eq 1 ]] ||
        fail "$1: expected exactly one run directory, found: $(ls -A "$1" 2>/dev/null | tr '\n' ' ')"
    echo "${dirs[0]%/}"
}

# no_dir_in PARENT WHAT: PARENT does not exist or holds no directory.
no_dir_in() {
    if [[ -d "$1" ]] && [[ -n "$(find "$1" -mindepth 1 -maxdepth 1 -type d)" ]]; then
        fail "$2: left a run directory: $(ls -A "$1" | tr '\n' ' ')"
    fi
}

# no_tmp_files DIR: no temporary of an atomic file was left behind.
no_tmp_files() {
    local left
    left="$(find "$1" -name '*.tmp')"
    [[ -z "$left" ]] || fail "$1: temporary files left: $left"
}

# csv_rows FILE: number of data rows (RFC 4180, header excluded).
csv_rows() {
    python3 -c 'import csv, sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1], newline=""))))' "$1"
}

# csv_column FILE COLUMN: the column's values, one per line.
csv_column() {
    python3 -c 'import csv, sys
for row in csv.DictReader(open(sys.argv[1], newline="")): print(row[sys.argv[2]])' "$1" "$2"
}

# json_get FILE KEY: the top-level KEY of a JSON object, as JSON text.
json_get() {
    python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))[sys.argv[2]]))' "$1" "$2"
}
