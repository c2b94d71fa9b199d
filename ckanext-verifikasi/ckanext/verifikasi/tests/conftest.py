from __future__ import annotations

import pytest

from ckanext.verifikasi.tests.world import make_world


@pytest.fixture
def world(with_plugins, clean_db, clean_index, with_request_context):
    return make_world()
