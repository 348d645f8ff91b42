#!/usr/bin/env bash
# End-to-end leak check of the vtbench binary under valgrind's memcheck: a
# short complete run and a run interrupted mid-sweep (the EINTR path closes
# the reporters and tears down the cell's threads early) must free every
# block and make no invalid access. Normal builds only (valgrind cannot run
# a sanitizer build); valgrind's preloaded malloc takes the place of
# jemalloc's, so the allocation figures of these runs mean nothing, but
# every allocation is tracked. Skipped (77) when valgrind is missing.
#   leaks.sh VTBENCH SOURCE_DIR
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

command -v valgrind >/dev/null || { echo "SKIP: valgrind not installed" >&2; exit 77; }
memcheck=(valgrind --leak-check=full "--show-leak-kinds=definite,indirect,possible"
          "--errors-for-leak-kinds=definite,indirect,possible" --error-exitcode=99)

# check_clean LOG WHAT: memcheck found no error and nothing left allocated.
check_clean() {
    grep -q "ERROR SUMMARY: 0 errors" "$1" || { cat "$1" >&2; fail "$2: memcheck reports errors"; }
    grep -q "All heap blocks were freed" "$1" || { cat "$1" >&2; fail "$2: memory left allocated"; }
    ok "$2: $(grep -o 'total heap usage: .*' "$1"), no leaks, no errors"
}

"${memcheck[@]}" --log-file="$scratch/quick.vg" \
    "$vtbench" run scenarios/quick.ini --quick --quiet --out "$scratch/quick" >/dev/null ||
    { cat "$scratch/quick.vg" >&2; fail "complete run under memcheck failed"; }
check_clean "$scratch/quick.vg" "run scenarios/quick.ini --quick"

# The interrupt fixture takes about 6 s natively and far longer under
# memcheck, so after 6 s it is surely mid-sweep.
"${memcheck[@]}" --log-file="$scratch/interrupt.vg" \
    "$vtbench" run tests/e2e/interrupt.ini --quiet --out "$scratch/interrupt" >/dev/null 2>&1 &
pid=$!
sleep 6
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
[[ "$rc" == 130 ]] || { cat "$scratch/interrupt.vg" >&2; fail "interrupted run: exit code $rc, expected 130"; }
check_clean "$scratch/interrupt.vg" "run interrupted by SIGINT"
