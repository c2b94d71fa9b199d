"""The `satudata` plugin: portal look, language, configuration and CLI."""
from __future__ import annotations

from pathlib import Path

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from ckanext.satudata import cli, helpers

PACKAGE_DIR = Path(__file__).resolve().parent.parent


@tk.blanket.config_declarations(str(PACKAGE_DIR / "config_declaration.yaml"))
@tk.blanket.cli(cli.get_commands)
@tk.blanket.helpers(helpers)
class SatudataPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)

    # IConfigurer

    def update_config(self, config: tk.CKANConfig) -> None:
        tk.add_template_directory(config, "../templates")
        tk.add_public_directory(config, "../public")

    # ITranslation

    def i18n_directory(self) -> str:
        return str(PACKAGE_DIR / "i18n")

    def i18n_domain(self) -> str:
        return "ckanext-satudata"

