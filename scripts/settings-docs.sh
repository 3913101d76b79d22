#!/usr/bin/env bash
# Rewrites experiments/README.md's key tables from the code (`research settings --markdown`),
# between their <!-- settings: ... --> markers. A test fails while they differ.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tables="$(mktemp)"
trap 'rm -f "$tables"' EXIT
"$root/research" settings --markdown > "$tables"
python3 - "$root/experiments/README.md" "$tables" <<'PY'
import re, sys
readme, tables = open(sys.argv[1]).read(), open(sys.argv[2]).read()
new = {m.group(1): m.group(0) for m in re.finditer(r'<!-- settings: (.*?) -->\n.*?<!-- end settings -->\n', tables, re.S)}
def replace(m):
    return new.get(m.group(1), m.group(0))
out = re.sub(r'<!-- settings: (.*?) -->\n.*?<!-- end settings -->\n', replace, readme, flags=re.S)
missing = [t for t in new if f'<!-- settings: {t} -->' not in readme]
open(sys.argv[1], 'w').write(out)
if missing:
    print('experiments/README.md has no section for: ' + ', '.join(missing), file=sys.stderr)
    sys.exit(1)
PY
