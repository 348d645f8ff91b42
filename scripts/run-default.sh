#!/usr/bin/env bash
# The main job: installs what is missing, builds, runs the default scenario
# suite, and writes its CSV, JSON, histograms, charts and report.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh normal build
bin=build/vtbench
"$bin" run scenarios/default.ini --report "$@"
