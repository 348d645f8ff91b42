#!/usr/bin/env bash
# Implementations as plugins, end to end: the library is installed into a
# temporary prefix and a user's implementation (user_impl.c, wrapped by
# user_plugin.c) is built from it as a plugin, with `pkg-config --cflags vtb`
# and without linking libvtb, as docs/plugins.md says. Then:
#   1. `vtbench run --plugin` measures it beside value-task in every cell,
#      and the allocation counts show that the plugin runs on the program's
#      own library (its always-task allocates once per operation: counted by
#      the library's counters, and by jemalloc in a build that has it);
#   2. the scenario key `plugins`, relative to the scenario file, does the
#      same, and the run's scenario.ini runs again from anywhere;
#   3. bad plugins (tests/e2e/plugins/) and bad paths are refused with exit 2
#      and a message naming the file, before any run directory exists.
# In a sanitizer build the plugins are compiled with the same sanitizer.
#   plugin.sh VTBENCH SOURCE_DIR BUILD_DIR [SANITIZE [CC]]
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
build="$(realpath "$3")"
sanitize="${4:-none}"
cc="${5:-cc}"

prefix="$scratch/prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig:$prefix/lib/x86_64-linux-gnu/pkgconfig"
case "$sanitize" in
    none) sanitizer_flags=() ;;
    address) sanitizer_flags=(-fsanitize=address,undefined -fno-sanitize-recover=all) ;;
    thread) sanitizer_flags=(-fsanitize=thread) ;;
    *) fail "unknown sanitizer '$sanitize'" ;;
esac

# vtbench exports every function the installed headers declare (what a
# plugin may call), and nothing internal.
exported="$(nm -D --defined-only "$vtbench" | awk '{print $3}')"
declared="$(grep -hE '^[a-z].*vtb_[a-z0-9_]+\(' "$prefix"/include/vtb/*.h | grep -vE '^(static|typedef)' |
    grep -oE 'vtb_[a-z0-9_]+\(' | sort -u | tr -d '(' | grep -vx vtb_plugin_impls)"
for name in $declared; do
    grep -qx "$name" <<<"$exported" || fail "vtbench does not export $name (declared in include/vtb)"
done
if grep -q '^vtb__' <<<"$exported"; then
    fail "vtbench exports internal names: $(grep '^vtb__' <<<"$exported" | tr '\n' ' ')"
fi
ok "vtbench exports the $(wc -w <<<"$declared") functions of the installed headers, nothing internal"

# build_plugin SOURCE OUT: a plugin as a user builds one.
build_plugin() {
    # shellcheck disable=SC2046 # pkg-config's flags are words
    "$cc" -std=c11 -Wall -Wextra -Werror -fPIC -shared "${sanitizer_flags[@]}" \
        $(pkg-config --cflags vtb) "$1" -o "$2" || fail "cannot build the plugin $1"
}
plugin="$scratch/user_plugin.so"
build_plugin tests/e2e/user_plugin.c "$plugin"
if nm -D --defined-only "$plugin" | grep -q ' T vtb_service_'; then
    fail "$plugin defines libvtb's functions: it must take them from vtbench"
fi
small=(--quiet --set ops=2000 --set warmup=200 --set repetitions=2)

# check_results RUN_DIR IMPL...: every cell has a row for each IMPL and no
# other; allocs_per_op is what each implementation's code implies, and
# bytes_per_op follows where jemalloc measures it.
check_results() {
    python3 - "$sanitize" "$@" <<'EOF'
import csv, sys
sanitize, run_dir, impls = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = list(csv.DictReader(open(f"{run_dir}/results.csv", newline="")))
cells = {}
for row in rows:
    cells.setdefault(row["hit_ratio_target"], []).append(row["impl"])
if sorted(cells) != ["0", "0.8", "1"]:
    sys.exit(f"FAIL: cells {sorted(cells)}, expected hit ratios 0, 0.8 and 1")
for cell, names in cells.items():
    if sorted(names) != sorted(impls):
        sys.exit(f"FAIL: cell hit_ratio {cell}: rows for {names}, expected {impls}")
# always-async completes through pooled sources, which the pool keeps after
# the warm-up; always-task allocates a task on every call; value-task only
# on a miss.
expected = {"always-async": lambda hit: 0.0, "always-task": lambda hit: 1.0,
            "value-task": lambda hit: 1.0 if hit == 0 else 0.0 if hit == 1 else None}
for row in rows:
    name, hit = row["impl"], float(row["hit_ratio_target"])
    allocs = float(row["allocs_per_op"])
    want = expected[name](hit)
    if want is not None and allocs != want:
        sys.exit(f"FAIL: {name} at hit_ratio {hit}: allocs_per_op {allocs}, expected {want}")
    if int(row["errors"]) != 0 or int(row["value_mismatches"]) != 0:
        sys.exit(f"FAIL: {name} at hit_ratio {hit}: errors or wrong values")
    if sanitize == "none":
        # jemalloc's own count of the bytes, also for the plugin's calls.
        if row["bytes_per_op"] == "" or (allocs > 0) != (float(row["bytes_per_op"]) > 0):
            sys.exit(f"FAIL: {name} at hit_ratio {hit}: bytes_per_op "
                     f"'{row['bytes_per_op']}' with allocs_per_op {allocs}")
print(f"{len(rows)} rows, allocations as the code implies")
EOF
}

# 1. --plugin.
out="$scratch/run"
expect_exit 0 "run --plugin" "$vtbench" run scenarios/quick.ini --plugin "$plugin" \
    --impl always-async --impl always-task --impl value-task --out "$out" "${small[@]}"
dir="$(only_dir "$out")"
check_results "$dir" always-async always-task value-task || fail "run --plugin: results"
grep -qx "plugins = $plugin" "$dir/scenario.ini" ||
    fail "run --plugin: scenario.ini does not name the plugin: $(grep plugins "$dir/scenario.ini")"
ok "run --plugin: the plugin's implementations beside value-task in every cell"

# 2. The scenario key, relative to the scenario file; its scenario.ini runs
# again from another directory.
mkdir "$scratch/elsewhere"
cp "$plugin" "$scratch/elsewhere/mine.so"
cat >"$scratch/elsewhere/mine.ini" <<'EOF'
[scenario]
name = mine
plugins = ./mine.so
impls = always-task, value-task
hit_ratio = 0, 0.8, 1
keys = 1024
EOF
out="$scratch/keyed"
expect_exit 0 "plugins = ./mine.so" "$vtbench" run "$scratch/elsewhere/mine.ini" --out "$out" \
    "${small[@]}"
dir="$(only_dir "$out")"
check_results "$dir" always-task value-task || fail "plugins = ./mine.so: results"
grep -qx "plugins = $scratch/elsewhere/mine.so" "$dir/scenario.ini" ||
    fail "scenario.ini does not name the plugin by its absolute path"
(cd / && expect_exit 0 "scenario.ini of a run with a plugin" "$vtbench" run --dry-run \
    "$dir/scenario.ini")
ok "plugins = ./mine.so: loaded relative to the scenario file; scenario.ini runs again"

# `vtbench list --plugin` names the plugin's implementations and their file.
expect_exit 0 "list --plugin" "$vtbench" list --plugin "$plugin"
grep -q "always-task .*$plugin" "$scratch/out" || fail "list --plugin does not show always-task"

# 3. Refusals: exit 2, the file named on stderr, no run directory.
for bad in wrong_version no_symbol clash invalid; do
    build_plugin "tests/e2e/plugins/$bad.c" "$scratch/$bad.so"
done
printf 'not a shared object\n' >"$scratch/text.so"
refusals=0
launcher=(env) # what vtbench runs under
refused() {
    local pattern="$1" out="$scratch/refused-$refusals"
    shift
    refusals=$((refusals + 1))
    expect_exit 2 "vtbench run $*" "${launcher[@]}" "$vtbench" run "$@" --out "$out" --quiet
    expect_stderr "$pattern" "vtbench run $*"
    [[ "$(wc -l <"$scratch/err")" -eq 1 ]] || fail "vtbench run $*: more than one line on stderr"
    no_dir_in "$out" "vtbench run $*"
}
q="scenarios/quick.ini"
refused "^vtbench: --plugin: $scratch/wrong_version.so: implementation \`wrong-version\`: ABI version 7, this vtbench needs 1$" \
    "$q" --plugin "$scratch/wrong_version.so"
refused "^vtbench: --plugin: $scratch/no_symbol.so: not a vtbench plugin: no symbol vtb_plugin_impls$" \
    "$q" --plugin "$scratch/no_symbol.so"
refused "^vtbench: --plugin: $scratch/clash.so: implementation \`value-task\` clashes with the built-in one$" \
    "$q" --plugin "$scratch/clash.so"
refused "^vtbench: --plugin: $scratch/invalid.so: implementation \`no-get\` has no get function$" \
    "$q" --plugin "$scratch/invalid.so"
refused "^vtbench: --plugin: $scratch/missing.so: cannot open: No such file or directory$" \
    "$q" --plugin "$scratch/missing.so"
refused "^vtbench: --plugin: $scratch/text.so: cannot load: .*$scratch/text.so" \
    "$q" --plugin "$scratch/text.so"
refused "^vtbench: --plugin: $scratch: not a regular file$" "$q" --plugin "$scratch"
# A plugin linked with its own libvtb would count in its own counters.
# shellcheck disable=SC2046
"$cc" -std=c11 -fPIC -shared "${sanitizer_flags[@]}" $(pkg-config --cflags vtb) \
    tests/e2e/user_plugin.c -o "$scratch/linked.so" $(pkg-config --libs vtb) ||
    fail "cannot build the plugin linked with libvtb"
# Under ASan the second copy's globals are an ODR violation, which ASan
# reports at dlopen, before the loader could say what is wrong: let it by.
launcher=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_odr_violation=0")
refused "^vtbench: --plugin: $scratch/linked.so: carries its own copy of libvtb \(vtb_service_new\): a plugin must not link libvtb" \
    "$q" --plugin "$scratch/linked.so"
launcher=(env)
# Two plugins that name the same implementation: the second is refused.
refused "^vtbench: --plugin: $scratch/elsewhere/mine.so: implementation \`always-async\` clashes with the one from $plugin$" \
    "$q" --plugin "$plugin" --plugin "$scratch/elsewhere/mine.so"
# In a scenario file: its file and line, and the path as resolved.
printf '[scenario]\nname = bad\nplugins = ../clash.so\n' >"$scratch/elsewhere/bad.ini"
refused "^vtbench: $scratch/elsewhere/bad.ini:3: plugins: $scratch/elsewhere/../clash.so: implementation \`value-task\` clashes" \
    "$scratch/elsewhere/bad.ini"
# An implementation of a plugin that was not loaded is an unknown name.
printf '[scenario]\nname = nameless\nimpls = always-task\n' >"$scratch/elsewhere/nameless.ini"
refused "^vtbench: $scratch/elsewhere/nameless.ini:3: impls: unknown implementation \`always-task\`" \
    "$scratch/elsewhere/nameless.ini"
refused "^vtbench: --impl: unknown implementation 'always-tusk'" "$q" --plugin "$plugin" \
    --impl always-tusk
ok "$refusals refusals: exit 2, one line naming the file, no run directory"
