"""Fail when an installed package breaks one of CKAN's own `requirements` extra pins.

`pip check` only looks at a package's base requirements, not at the extra we
install CKAN with (ckan[requirements]), so a test tool can silently upgrade a
package CKAN pins. This closes that gap.
"""
from __future__ import annotations

import sys
from importlib import metadata

from packaging.requirements import Requirement


def main() -> int:
    problems = []
    for line in metadata.requires("ckan") or []:
        req = Requirement(line)
        if not req.marker or not req.marker.evaluate({"extra": "requirements"}):
            continue
        try:
            installed = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            problems.append(f"{req.name} is not installed (ckan wants {req})")
            continue
        if not req.specifier.contains(installed, prereleases=True):
            problems.append(f"{req.name} {installed} is installed; ckan[requirements] wants {req}")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
