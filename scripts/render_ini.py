"""Render an ini template: replace ${NAME} placeholders with environment values.

Usage: render_ini.py OUTPUT TEMPLATE [TEMPLATE...]; the templates are joined in
order. A placeholder without a value is an error, so a half-rendered config
never reaches CKAN.
"""
from __future__ import annotations

import os
import string
import sys


def main(output: str, *templates: str) -> int:
    parts = []
    for template in templates:
        with open(template, encoding="utf-8") as f:
            try:
                parts.append(string.Template(f.read()).substitute(os.environ))
            except KeyError as err:
                print(f"render_ini: {template} needs a value for {err.args[0]}", file=sys.stderr)
                return 1
    rendered = "\n".join(parts)
    tmp = output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(rendered)
    os.chmod(tmp, 0o600)
    os.replace(tmp, output)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
