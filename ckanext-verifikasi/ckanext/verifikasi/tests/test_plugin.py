"""The verifikasi plugin loads."""
from __future__ import annotations

import ckan.plugins as p
import pytest


@pytest.mark.usefixtures("with_plugins")
def test_plugin_is_loaded():
    assert p.plugin_loaded("verifikasi")
