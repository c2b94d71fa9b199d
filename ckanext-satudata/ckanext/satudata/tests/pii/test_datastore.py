"""Scan of DataStore tables in PostgreSQL (real datastore)."""
from __future__ import annotations

import pytest
from ckan.tests.helpers import call_action

from ckanext.satudata.pii.datastore import scan_table
from ckanext.satudata.tests import factories

FIELDS = [{"id": "nama", "type": "text"}, {"id": "nik", "type": "text"},
          {"id": "hp", "type": "text"}, {"id": "kode_wilayah", "type": "int8"},
          {"id": "tahun", "type": "int4"}, {"id": "jumlah", "type": "numeric"}]


@pytest.mark.usefixtures("with_plugins", "clean_db", "with_request_context")
def test_scan_table_rows_not_values(sysadmin_context):
    records = [{"nama": f"Warga {i}", "nik": f"35140152049{i:05d}", "hp": f"0812345{i:05d}",
                "kode_wilayah": 3514010001 + i, "tahun": 2020 + i % 5, "jumlah": i * 1500}
               for i in range(1, 41)]
    table = call_action("datastore_create", sysadmin_context, fields=FIELDS, records=records,
                        resource={"package_id": factories.Dataset()["id"], "name": "Penerima"})
    found = scan_table(table["resource_id"], "Penerima")
    assert {(f.column, f.kind) for f in found} == {
        ("nik", "nik"), ("hp", "phone"), ("nama", "name")}
    nik = next(f for f in found if f.kind == "nik")
    assert nik.count == 40 and nik.rows == list(range(1, 11))
    assert "3514015204900001" not in repr([f.as_dict() for f in found])

    # Masking the column clears the finding.
    call_action("datastore_upsert", sysadmin_context, resource_id=table["resource_id"],
                method="update", force=True,
                records=[{"_id": i, "nik": "3514XXXXXXXXXXXX", "hp": None} for i in range(1, 41)])
    assert scan_table(table["resource_id"], "Penerima") == []
