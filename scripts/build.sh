#!/usr/bin/env bash
# Configures and builds one flavour of vtbench.
#   scripts/build.sh [normal|asan|tsan|fuzz] [build-dir]
# normal links jemalloc; asan is AddressSanitizer+UBSan; tsan is
# ThreadSanitizer (both without jemalloc, which cannot share malloc with them).
set -euo pipefail
cd "$(dirname "$0")/.."

flavour="${1:-normal}"
case "$flavour" in
  normal) dir="${2:-build}"; args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan)   dir="${2:-build-asan}"; args=(-DCMAKE_BUILD_TYPE=Debug -DVTB_SANITIZE=address) ;;
  tsan)   dir="${2:-build-tsan}"; args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DVTB_SANITIZE=thread) ;;
  fuzz)   dir="${2:-build-fuzz}"; args=(-DCMAKE_BUILD_TYPE=Debug -DVTB_SANITIZE=address -DVTB_FUZZ=ON -DCMAKE_C_COMPILER=clang) ;;
  *) echo "build.sh: unknown flavour '$flavour' (normal, asan, tsan, fuzz)" >&2; exit 2 ;;
esac
cmake -S . -B "$dir" "${args[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)"
