"""The `satudata_locale` plugin: completes CKAN's Indonesian interface.

CKAN 2.11 ships an Indonesian catalogue with 22% of its messages translated,
so pages mix English and Indonesian. This plugin adds a catalogue with the
missing core messages; Flask-Babel merges plugin catalogues over core's.
Our own messages stay in the `ckanext-satudata` catalogue of `satudata`.
"""
from __future__ import annotations

from pathlib import Path

import ckan.plugins as p
from ckan.lib.plugins import DefaultTranslation

CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "i18n_core"


class SatudataLocalePlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.ITranslation)

    def i18n_directory(self) -> str:
        return str(CATALOGUE_DIR)

    def i18n_domain(self) -> str:
        return "satudata_core"
