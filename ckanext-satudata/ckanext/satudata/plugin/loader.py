"""The `satudata_loader` plugin: DataStore loading through a shadow table (after `xloader`)."""
from __future__ import annotations

from pathlib import Path

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.satudata.loader import badges, cli, logic, views

LOADER_DIR = Path(__file__).resolve().parent.parent / "loader"


@tk.blanket.config_declarations(str(LOADER_DIR / "config_declaration.yaml"))
@tk.blanket.actions(logic)
@tk.blanket.blueprints(views.get_blueprints)
@tk.blanket.cli(cli.get_commands)
@tk.blanket.helpers({"xloader_badge": badges.xloader_badge})
class SatudataLoaderPlugin(p.SingletonPlugin):
    """Templates come from the `satudata` plugin's template directory."""
