#!/usr/bin/env bash
# Installs what vtbench needs from Debian's packages, skipping what is there.
# Why each one: see README.md, "Dependencies".
set -euo pipefail

packages=(cmake make gcc g++ pkg-config libjemalloc-dev libcmocka-dev libinih-dev gnuplot-nox valgrind
          python3 redis-server libhiredis-dev libbenchmark-dev)
if [[ "${VTB_WITH_CLANG:-0}" == 1 ]]; then
  packages+=(clang libclang-rt-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
