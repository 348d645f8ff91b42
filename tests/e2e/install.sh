#!/usr/bin/env bash
# Installs the library from the build tree into a temporary prefix and uses
# it as a user would, with pkg-config and nothing else:
#   1. the installed headers are the public ones only: no header of
#      impl/internal, no vtb__ name, no atomics or threads in them;
#   2. each installed header compiles on its own as C11 and as C++17 with
#      -pedantic-errors;
#   3. a user's own implementation (tests/e2e/user_impl.c) builds and runs;
#   4. when Google Benchmark is installed (Debian: libbenchmark-dev), the
#      example of docs/google-benchmark.md builds and runs briefly; without
#      it that part is skipped with a note.
#   install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build="$1"
source="$2"
prefix="$(mktemp -d)"
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig:$prefix/lib/x86_64-linux-gnu/pkgconfig"
include="$prefix/include/vtb"
test -f "$include/impl.h" || { echo "headers not installed"; exit 1; }

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# 1. Only public headers are installed.
for header in "$source"/impl/internal/vtb/*.h; do
    name="$(basename "$header")"
    test ! -e "$include/$name" || fail "internal header installed: include/vtb/$name"
done
for header in "$include"/*; do
    name="$(basename "$header")"
    test -f "$source/impl/include/vtb/$name" || test "$name" = config.h ||
        fail "installed header with no public source: include/vtb/$name"
done
if grep -rniE 'vtb__' "$prefix/include"; then
    fail "internal (vtb__) names in the installed headers (above)"
fi
if grep -rnE '_Atomic|stdatomic\.h|pthread|_internal\.h' "$prefix/include"; then
    fail "internals (atomics, threads, private headers) in the installed headers (above)"
fi

# 2. Each installed header on its own, in both languages.
for header in "$include"/*.h; do
    name="vtb/$(basename "$header")"
    printf '#include <%s>\ntypedef int vtb_alone; /* ISO C forbids an empty unit */\n' "$name" \
        >"$prefix/alone.c"
    cp "$prefix/alone.c" "$prefix/alone.cpp"
    # shellcheck disable=SC2046 # pkg-config's flags are words
    cc -std=c11 -Wall -Wextra -Werror -pedantic-errors -c "$prefix/alone.c" \
        -o "$prefix/alone.o" $(pkg-config --cflags vtb) || fail "$name does not compile as C11"
    # shellcheck disable=SC2046
    c++ -std=c++17 -Wall -Wextra -Werror -Wshadow -pedantic-errors -c "$prefix/alone.cpp" \
        -o "$prefix/alone.o" $(pkg-config --cflags vtb) || fail "$name does not compile as C++17"
done

# 3. A user's implementation.
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror "$source/tests/e2e/user_impl.c" -o "$prefix/user_impl" \
  $(pkg-config --cflags --libs vtb)
"$prefix/user_impl"

# 4. The Google Benchmark example.
if ! pkg-config --exists benchmark; then
    echo "note: Google Benchmark not found (pkg-config benchmark; Debian: libbenchmark-dev):" \
        "docs/examples/gbench_impl.cpp not built"
    exit 0
fi
# shellcheck disable=SC2046
c++ -std=c++17 -O2 -Wall -Wextra -Werror "$source/docs/examples/gbench_impl.cpp" \
    -o "$prefix/gbench_impl" $(pkg-config --cflags --libs vtb benchmark)
# Google Benchmark 1.8 takes a unit ("0.01s"); 1.7 a plain number of seconds.
version="$(pkg-config --modversion benchmark)"
min_time=0.01
if [ "$(printf '%s\n1.8\n' "$version" | sort -V | head -n1)" = 1.8 ]; then
    min_time=0.01s
fi
"$prefix/gbench_impl" --benchmark_min_time="$min_time" --benchmark_format=json \
    >"$prefix/gbench.json" 2>"$prefix/gbench.err" ||
    { cat "$prefix/gbench.err" >&2; fail "the Google Benchmark example failed"; }
python3 - "$prefix/gbench.json" <<'EOF'
import json, sys
runs = {b["name"]: b for b in json.load(open(sys.argv[1]))["benchmarks"]}
want = {"BM_get_hit/value_task": 0.0, "BM_get_hit/alloc_task": 1.0}
for name, allocs in want.items():
    run = runs.get(name)
    if run is None or run.get("error_occurred"):
        sys.exit(f"FAIL: {name}: {run and run.get('error_message') or 'missing'}")
    if run["allocs_per_op"] != allocs or run["hit_ratio"] != 1.0:
        sys.exit(f"FAIL: {name}: allocs_per_op {run['allocs_per_op']} (want {allocs}), "
                 f"hit_ratio {run['hit_ratio']} (want 1)")
    print(f"{name}: {run['cpu_time']:.1f} {run['time_unit']}/op, "
          f"{run['allocs_per_op']:g} allocs/op")
EOF
