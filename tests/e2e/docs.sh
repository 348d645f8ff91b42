#!/usr/bin/env bash
# The documents generated from code are current: the key reference of
# docs/scenarios.md is exactly what the key table says today
# (`vtbench list --markdown`; regenerate with scripts/make-scenario-docs.sh).
#   docs.sh VTBENCH SOURCE_DIR
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

"$vtbench" list --markdown >"$scratch/table"
python3 - docs/scenarios.md "$scratch/table" <<'PY' || fail "docs/scenarios.md is out of date: run scripts/make-scenario-docs.sh"
import sys
text = open(sys.argv[1]).read()
table = open(sys.argv[2]).read()
begin, end = "<!-- keys:begin -->\n", "<!-- keys:end -->"
committed = text[text.index(begin) + len(begin):text.index(end)]
if committed.strip() != table.strip():
    import difflib
    sys.stderr.writelines(difflib.unified_diff(committed.splitlines(True), table.splitlines(True),
                                               "docs/scenarios.md", "vtbench list --markdown"))
    sys.exit(1)
PY
ok "docs/scenarios.md's key reference matches the key table"
