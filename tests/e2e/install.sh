#!/usr/bin/env bash
# Installs the library from the build tree into a temporary prefix and builds
# a user's own implementation against it with pkg-config, as a user would.
#   install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build="$1"
source="$2"
prefix="$(mktemp -d)"
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig:$prefix/lib/x86_64-linux-gnu/pkgconfig"
test -f "$prefix/include/vtb/impl.h" || { echo "headers not installed"; exit 1; }
cc -std=c11 -Wall -Wextra -Werror "$source/tests/e2e/user_impl.c" -o "$prefix/user_impl" \
  $(pkg-config --cflags --libs vtb)
"$prefix/user_impl"
