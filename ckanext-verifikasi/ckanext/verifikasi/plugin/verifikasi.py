"""The `verifikasi` plugin: roles, the verification workflow and access classes."""
from __future__ import annotations

from pathlib import Path

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

PACKAGE_DIR = Path(__file__).resolve().parent.parent


@tk.blanket.config_declarations(str(PACKAGE_DIR / "config_declaration.yaml"))
class VerifikasiPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)

    # IConfigurer

    def update_config(self, config: tk.CKANConfig) -> None:
        tk.add_template_directory(config, "../templates")

    # ITranslation

    def i18n_directory(self) -> str:
        return str(PACKAGE_DIR / "i18n")

    def i18n_domain(self) -> str:
        return "ckanext-verifikasi"
