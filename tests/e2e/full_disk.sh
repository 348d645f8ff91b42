#!/usr/bin/env bash
# End-to-end test of a full disk while a run writes its results, on a real
# file system: a 200 KiB tmpfs, first empty (it fills up part-way through
# the run) and then already full. vtbench must exit 1 with a message naming
# the file it could not write, and leave nothing that claims to be complete:
# no temporary files, context.json absent or saying complete: false, and a
# results.csv, if published at all, holding no more than the cells
# context.json counts as done and the one being written when the disk
# filled. Mounting needs root; otherwise the test is skipped (77).
# tests/test_reporters.c covers the same paths by fault injection.
#   full_disk.sh VTBENCH SOURCE_DIR
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

skip() {
    echo "SKIP: $*" >&2
    exit 77
}
[[ "$(id -u)" == 0 ]] || skip "mounting a tmpfs needs root"
mnt="$scratch/mnt"
mkdir "$mnt"
mount -t tmpfs -o size=200k tmpfs "$mnt" 2>"$scratch/mount.err" ||
    skip "cannot mount a tmpfs: $(cat "$scratch/mount.err")"
cleanup_hooks+=("umount '$mnt'")

impl_count=3

# check_full_disk WHAT: the last run failed cleanly on a full disk.
check_full_disk() {
    local what="$1" dir
    # The name of the file that could not be written, then the OS's reason.
    expect_stderr "^vtbench: (cell [0-9]+ of [0-9]+: )?$mnt/out/[^/]+/[^:/]+: .*No space left on device" "$what"
    [[ ! -s "$scratch/out" ]] || grep -qv "^results:" "$scratch/out" ||
        fail "$what: stdout announces results"
    dir="$(only_dir "$mnt/out")"
    no_tmp_files "$dir"
    local cells_done=0
    if [[ -f "$dir/context.json" ]]; then
        python3 -m json.tool "$dir/context.json" >/dev/null || fail "$what: context.json is not valid JSON"
        [[ "$(json_get "$dir/context.json" complete)" == false ]] ||
            fail "$what: context.json says complete"
        cells_done="$(json_get "$dir/context.json" cells_done)"
    fi
    if [[ -f "$dir/results.csv" ]]; then
        [[ -f "$dir/context.json" ]] || fail "$what: results.csv published without a context.json"
        local rows
        rows="$(csv_rows "$dir/results.csv")"
        # The completed cells, plus at most the rows of the cell whose
        # records were being written when another file hit the full disk
        # (each such row is a finished measurement; context.json does not
        # count its cell as done, since not every output holds it).
        (( rows >= cells_done * impl_count && rows <= (cells_done + 1) * impl_count )) ||
            fail "$what: results.csv has $rows rows but context.json counts $cells_done cells done"
    fi
    ok "$what: exit 1, '$(head -n1 "$scratch/err")', left: $(find "$dir" -type f | wc -l) files, cells_done $cells_done"
}

# The disk fills up part-way: the quick run writes more than 200 KiB.
expect_exit 1 "empty 200k tmpfs" "$vtbench" run scenarios/quick.ini --out "$mnt/out" --quiet
check_full_disk "disk fills during the run"
rm -rf "${mnt:?}/out"

# The reproductions of the issue: on 240 KiB the final files fill the disk,
# on 24 KiB the run leaves a partial results.csv at most. Neither may say
# complete (check_full_disk), and what is left must be refused by the gate
# (tests/e2e/gates.sh covers the refusals themselves).
for size in 240k 24k; do
    mount -o remount,size=$size "$mnt"
    expect_exit 1 "$size tmpfs" "$vtbench" run scenarios/quick.ini --set ops=20000 \
        --set repetitions=2 --out "$mnt/out" --quiet
    check_full_disk "disk fills on $size"
    rm -rf "${mnt:?}/out"
done

# check_said WHAT: the last run's last words say what its directory holds:
# with a context.json, the cells it counts done; without one, that it could
# not be written and how many cells a reader recovers from the journal (as
# vtbench baseline, which reads runs as every reader does, counts them on
# a copy off the full disk).
check_said() {
    local what="$1" dir cells
    dir="$(only_dir "$mnt/out")"
    if [[ -f "$dir/context.json" ]]; then
        cells="$(json_get "$dir/context.json" cells_done)"
        expect_stderr "^vtbench: $cells of 3 cells written to $dir \(marked incomplete in context.json\)$" "$what"
    else
        grep -q "marked incomplete in context.json" "$scratch/err" &&
            fail "$what: stderr speaks of a context.json that is not there"
        rm -rf "$scratch/copy"
        cp -r "$dir" "$scratch/copy"
        "$vtbench" baseline "$scratch/copy" x --dir "$scratch/b" 2>"$scratch/baseline.err" &&
            fail "$what: baseline accepted a run without context.json"
        cells="$(sed -n 's/.*; \([0-9]*\) completed cell(s) recovered from its journal.*/\1/p' \
            "$scratch/baseline.err")"
        [[ -n "$cells" ]] || fail "$what: baseline says: $(cat "$scratch/baseline.err")"
        if (( cells == 0 )); then
            expect_stderr "^vtbench: context.json could not be written \(.*No space left on device\); $dir holds no recoverable cell of 3$" "$what"
        else
            expect_stderr "^vtbench: context.json could not be written \(.*No space left on device\); $dir holds $cells recoverable cell\(s\) of 3 in its journal$" "$what"
        fi
    fi
    ok "$what: says what is on disk: $(tail -n1 "$scratch/err" | cut -c1-160)"
}

# Very small disks: the journal or the files fill them before context.json,
# which cannot be written; the message must not claim one.
for size in 8k 24k 40k; do
    mount -o remount,size=$size "$mnt"
    expect_exit 1 "$size tmpfs, quick" "$vtbench" run scenarios/quick.ini --out "$mnt/out" --quiet
    check_full_disk "quick on $size"
    check_said "quick on $size"
    rm -rf "${mnt:?}/out"
done
mount -o remount,size=240k "$mnt"
expect_exit 1 "240k tmpfs, quick" "$vtbench" run scenarios/quick.ini --set ops=20000 \
    --set repetitions=2 --out "$mnt/out" --quiet
check_said "quick on 240k"
rm -rf "${mnt:?}/out"

# The disk is full before the run starts writing.
dd if=/dev/zero of="$mnt/filler" bs=4k 2>/dev/null || true
expect_exit 1 "full tmpfs" "$vtbench" run scenarios/quick.ini --out "$mnt/out" --quiet
check_full_disk "disk full from the start"
