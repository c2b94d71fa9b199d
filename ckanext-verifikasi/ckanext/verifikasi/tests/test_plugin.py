"""The verifikasi plugin loads and declares its config."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import pytest


@pytest.mark.usefixtures("with_plugins")
def test_plugin_is_loaded():
    assert p.plugin_loaded("verifikasi")


@pytest.mark.usefixtures("with_plugins")
def test_reminder_hour_is_a_declared_int():
    assert tk.config["ckanext.verifikasi.reminder_hour"] == 7
