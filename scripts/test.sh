#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, and runs the test
# suite under ctest. This is the README's test command and what CI calls.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh normal build
cd build
ctest --output-on-failure -j"$(nproc)"
