#!/usr/bin/env bash
# Refresh the message catalogues of both packages: extract -> update the id/en
# .po files -> compile .mo. Translate new entries in the .po, then run again.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/var/venv/bin
for ext in satudata verifikasi; do
  pkg=$root/ckanext-$ext/ckanext/$ext
  domain=ckanext-$ext
  mkdir -p "$pkg/i18n"
  "$bin/pybabel" -q extract -F "$root/config/babel.cfg" --no-location --sort-output \
    -k _ -k gettext -k ngettext:1,2 -k lazy_gettext -k N_ -k message:1 \
    --ignore-dirs=tests -o "$pkg/i18n/$domain.pot" "$pkg"
  for lang in id en; do
    po=$pkg/i18n/$lang/LC_MESSAGES/$domain.po
    if [ -f "$po" ]; then
      "$bin/pybabel" -q update --no-fuzzy-matching -i "$pkg/i18n/$domain.pot" -d "$pkg/i18n" -D "$domain" -l "$lang"
    else
      "$bin/pybabel" -q init -i "$pkg/i18n/$domain.pot" -d "$pkg/i18n" -D "$domain" -l "$lang"
    fi
  done
  "$bin/pybabel" -q compile -d "$pkg/i18n" -D "$domain" --statistics || true
done
