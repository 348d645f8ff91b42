#!/usr/bin/env bash
# Rewrites the key reference of docs/scenarios.md (between its keys:begin and
# keys:end markers) from the key table, via `vtbench list --markdown`.
#   scripts/make-scenario-docs.sh [VTBENCH]
# tests/e2e/docs.sh fails when the committed document differs from this.
set -euo pipefail
cd "$(dirname "$0")/.."
vtbench="${1:-build/vtbench}"
doc=docs/scenarios.md
table="$("$vtbench" list --markdown)"
python3 - "$doc" "$table" <<'PY'
import sys
path, table = sys.argv[1], sys.argv[2]
text = open(path).read()
begin, end = "<!-- keys:begin -->\n", "<!-- keys:end -->"
start, stop = text.index(begin) + len(begin), text.index(end)
open(path + ".tmp", "w").write(text[:start] + table + "\n" + text[stop:])
PY
mv "$doc.tmp" "$doc"
