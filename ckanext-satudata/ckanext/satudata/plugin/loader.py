"""The `satudata_loader` plugin: DataStore loading through a shadow table (after `xloader`)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.satudata.loader import badges, cli, logic, resources, views

LOADER_DIR = Path(__file__).resolve().parent.parent / "loader"


@tk.blanket.config_declarations(str(LOADER_DIR / "config_declaration.yaml"))
@tk.blanket.actions(logic)
@tk.blanket.blueprints(views.get_blueprints)
@tk.blanket.cli(cli.get_commands)
@tk.blanket.helpers({"xloader_badge": badges.xloader_badge})
class SatudataLoaderPlugin(p.SingletonPlugin):
    """Templates come from the `satudata` plugin's template directory."""

    p.implements(p.IResourceController, inherit=True)

    # IResourceController: a changed sheet reloads; a macro workbook is refused (loader.resources)

    def after_resource_create(self, context: Any, resource: dict[str, Any]) -> None:
        resources.after_create(context, resource)

    def before_resource_update(self, context: Any, current: dict[str, Any],
                               resource: dict[str, Any]) -> None:
        resources.before_update(context, current, resource)

    def after_resource_update(self, context: Any, resource: dict[str, Any]) -> None:
        resources.after_update(context, resource)
