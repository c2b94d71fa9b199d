#!/usr/bin/env bash
# Re-resolve requirements*.txt in a scratch venv and write constraints.txt with every
# package pinned. Run after changing a requirement; commit both files together.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q --upgrade pip
"$tmp/venv/bin/pip" install -q -r "$root/requirements.txt" -r "$root/requirements-test.txt"
"$tmp/venv/bin/pip" check
{
  echo "# Every installed package, pinned: regenerate with scripts/lock-constraints.sh"
  "$tmp/venv/bin/pip" freeze --exclude-editable
} >"$root/constraints.txt"
echo "constraints.txt updated"
