"""Publishing entered rows when the resource's DataStore table has gone (e.g. a sysadmin's
datastore_delete): the table made again is empty, so every period is copied, not only
the period that changed."""
from __future__ import annotations

import pytest
from ckan.tests.helpers import call_action

from ckanext.verifikasi.tests.world import make_world

pytestmark = pytest.mark.usefixtures(
    "with_plugins", "clean_db", "clean_index", "with_request_context")

COLUMNS = [{"id": "kode", "label": "Kode", "tipe_data": "CHARACTER", "key": True},
           {"id": "jumlah", "label": "Jumlah", "tipe_data": "INTEGER"}]


def _save(world, pkg, period, *rows):
    return call_action("satudata_input_rows_save", world.context("operator"), id=pkg["id"],
                       period=period, rows=[{"values": {"kode": k, "jumlah": j}}
                                            for k, j in rows])


def test_all_periods_reach_a_datastore_table_made_again():
    world = make_world()
    dataset = world.dataset()
    pkg = call_action("satudata_input_package_create", world.context("operator"),
                      package_id=dataset["id"], title="Penduduk", frequency="tahunan",
                      columns=COLUMNS)
    _save(world, pkg, "2024", ("01", "1"))
    assert _save(world, pkg, "2025", ("02", "2"))["published"]
    sysadmin = {"user": world.users["sysadmin"]["name"], "ignore_auth": True}
    call_action("datastore_delete", sysadmin, resource_id=pkg["resource_id"], force=True)

    assert _save(world, pkg, "2025", ("03", "3"))["published"]
    records = call_action("datastore_search", sysadmin, resource_id=pkg["resource_id"],
                          sort="periode, kode")["records"]
    assert [(r["periode"], r["kode"]) for r in records] == [("2024", "01"), ("2025", "02"),
                                                             ("2025", "03")]
