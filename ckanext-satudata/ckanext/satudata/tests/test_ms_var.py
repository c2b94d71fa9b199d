"""MS-Var on the DataStore data dictionary: validated, shown, searchable."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests.helpers import call_action

from ckanext.satudata.tests import factories

FIELDS = [
    {"id": "kode_kecamatan", "type": "text", "info": {
        "label": "Kode Kecamatan", "nama_variabel": "Kode Kecamatan", "alias": "-",
        "konsep": "Wilayah administrasi", "definisi": "Kode Kemendagri kecamatan",
        "referensi_pemilihan": "-", "referensi_waktu": "2025", "tipe_data": "character",
        "value_domain": "35.14.01=Purwodadi\n35.14.02=Tutur", "aturan_validasi": "HARUS TERISI",
        "kalimat_pertanyaan": "-", "akses_umum": "true"}},
    {"id": "jumlah_peternak", "type": "int", "info": {
        "label": "Jumlah Peternak", "konsep": "Peternak sapi perah",
        "definisi": "Rumah tangga yang memelihara sapi perah", "satuan": "Rumah tangga",
        "tipe_data": "INTEGER", "akses_umum": False}},
]


def _table(dataset, fields, context):
    return call_action("datastore_create", context, fields=fields,
                       resource={"package_id": dataset["id"], "name": "Peternak"},
                       records=[{"kode_kecamatan": "35.14.01", "jumlah_peternak": 120}])


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")
class TestMsVar:
    def test_ms_var_is_normalised_and_returned_by_datastore_info(self, sysadmin_context):
        table = _table(factories.Dataset(), FIELDS, sysadmin_context)
        info = {f["id"]: f.get("info", {})
                for f in call_action("datastore_info", id=table["resource_id"])["fields"]}
        kode = info["kode_kecamatan"]
        assert kode["tipe_data"] == "CHARACTER"
        assert kode["value_domain"] == [{"kode": "35.14.01", "nilai": "Purwodadi"},
                                        {"kode": "35.14.02", "nilai": "Tutur"}]
        assert kode["aturan_validasi"] == ["HARUS TERISI"]
        assert kode["akses_umum"] is True
        assert info["jumlah_peternak"]["akses_umum"] is False

    def test_bad_ms_var_is_refused_and_nothing_is_created(self, sysadmin_context):
        dataset = factories.Dataset()
        bad = [{"id": "x", "type": "text", "info": {"tipe_data": "TEKS"}},
               {"id": "y", "type": "text", "info": {"value_domain": "tanpa-sama-dengan"}}]
        with pytest.raises(tk.ValidationError) as err:
            _table(dataset, bad, sysadmin_context)
        messages = str(err.value.error_dict)
        assert "Tipe Data harus salah satu dari" in messages
        assert "tanpa-sama-dengan" in messages
        assert call_action("package_show", sysadmin_context, id=dataset["id"])["resources"] == []

    def test_dataset_page_lists_variables_with_definitions(self, app, sysadmin_context):
        dataset = factories.PublishedDataset()
        _table(dataset, FIELDS, sysadmin_context)
        page = app.get(f"/dataset/{dataset['name']}")
        assert 'id="satudata-variables"' in page.body
        assert "Rumah tangga yang memelihara sapi perah" in page.body

    def test_variable_names_are_searchable_with_indonesian_stemming(self, sysadmin_context):
        dataset = factories.PublishedDataset(title="Data Kecamatan 2025")
        factories.PublishedDataset(title="Data Lain 2025")
        _table(dataset, FIELDS, sysadmin_context)
        found = call_action("package_search", q="ternak")["results"]
        assert [d["id"] for d in found] == [dataset["id"]]
