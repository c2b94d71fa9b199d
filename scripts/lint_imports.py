#!/usr/bin/env python3
"""Run import-linter (contracts in .importlinter) over both extension packages.

grimp, which import-linter builds on, accepts `ckanext.satudata` as a root only
when `ckanext` is a namespace package, but CKAN installs `ckanext` as a regular
package. Here `ckanext` is a namespace made of the two source folders alone, so
the graph holds exactly our modules; imports of CKAN and other extensions count
as external.
"""
from __future__ import annotations

import importlib.machinery
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
portions = [str(ROOT / f"ckanext-{name}" / "ckanext") for name in ("satudata", "verifikasi")]
spec = importlib.machinery.ModuleSpec("ckanext", None, is_package=True)
spec.submodule_search_locations = portions
namespace = types.ModuleType("ckanext")
namespace.__spec__ = spec
namespace.__path__ = portions
sys.modules["ckanext"] = namespace
# The editable install's finder would map ckanext.* elsewhere first.
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]

sys.path.insert(0, str(ROOT / "scripts"))  # the contract types in scripts/importlinter_contracts
from importlinter.cli import lint_imports_command  # noqa: E402

sys.exit(lint_imports_command(["--config", str(ROOT / ".importlinter"), *sys.argv[1:]]))
