"""The SDI completeness check: every missing or inconsistent field, named in Indonesian."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories as ckan_factories
from ckan.tests.helpers import call_action, call_auth

from ckanext.satudata.ms_keg_sample import SURVEY_BLOCK_V, complete_ms_keg
from ckanext.satudata.tests import factories


def _dataset(**fields):
    org = ckan_factories.Organization(title="Dinas Kesehatan")
    return factories.Dataset(owner_org=org["id"], **fields)


def _check(dataset, **context):
    return call_action("satudata_metadata_check", context or None, id=dataset["id"])


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")
class TestMetadataCheck:
    def test_complete_dataset_passes(self):
        dataset = _dataset(**complete_ms_keg("Jumlah Puskesmas", 2025, "Dinas Kesehatan"))
        assert _check(dataset) == {"complete": True, "problems": []}

    def test_draft_saved_empty_lists_every_missing_mandatory_field_in_indonesian(self):
        dataset = _dataset(state="draft", kategori="", klasifikasi_akses="", license_id="")
        result = _check(dataset)
        missing = {p["field"]: p for p in result["problems"] if p["kind"] == "missing"}
        assert result["complete"] is False
        for field in ("kategori", "klasifikasi_akses", "license_id", "sektor_kegiatan",
                      "tahun_kegiatan", "wilayah", "judul_kegiatan", "alamat_instansi",
                      "jadwal_pengumpulan", "variabel_dikumpulkan", "metode_pengumpulan",
                      "tahap_validasi", "produk_digital"):
            assert field in missing, field
        assert missing["judul_kegiatan"]["label"] == "Judul Kegiatan"
        assert missing["tahun_kegiatan"]["message"] == "Tahun wajib diisi"
        # conditional fields are not asked for when their condition does not hold
        assert "jenis_rancangan_sampel" not in missing
        assert "identitas_rekomendasi" not in missing

    def test_survey_requires_sample_design(self):
        fields = complete_ms_keg("Survei Kesehatan", 2025, "Dinas Kesehatan",
                                 cara_pengumpulan_data="SURVEI")
        missing = {p["field"] for p in _check(_dataset(**fields))["problems"]}
        assert {"jenis_rancangan_sampel", "metode_sampling", "kerangka_sampel",
                "fraksi_sampel", "unit_observasi"} <= missing
        fields.update(SURVEY_BLOCK_V)
        assert _check(_dataset(**fields))["complete"] is True

    def test_conditional_fields_follow_their_condition(self):
        fields = complete_ms_keg("Jumlah Posyandu", 2025, "Dinas Kesehatan",
                                 rekomendasi_bps="true", kegiatan_dilakukan="BERULANG",
                                 frekuensi_penyelenggaraan="")
        missing = {p["field"] for p in _check(_dataset(**fields))["problems"]}
        assert {"identitas_rekomendasi", "frekuensi_penyelenggaraan"} <= missing

    def test_inconsistent_values_are_reported(self):
        fields = complete_ms_keg("Jumlah Bidan", 2025, "Dinas Kesehatan",
                                 kegiatan_dilakukan="HANYA_SEKALI",
                                 frekuensi_penyelenggaraan="TAHUNAN",
                                 periode_bulan="05", periode_triwulan="I",
                                 jadwal_pengolahan=[{"mulai": "2025-10-31",
                                                     "selesai": "2025-10-01"}],
                                 variabel_dikumpulkan=[{"nama": "Jumlah bidan"}])
        problems = {(p["field"], p["kind"]) for p in _check(_dataset(**fields))["problems"]}
        assert ("frekuensi_penyelenggaraan", "inconsistent") in problems
        assert ("periode_bulan", "inconsistent") in problems
        assert ("jadwal_pengolahan", "inconsistent") in problems
        assert ("variabel_dikumpulkan", "incomplete") in problems

    def test_check_follows_dataset_visibility(self):
        org = ckan_factories.Organization()
        private = factories.Dataset(owner_org=org["id"], private=True)
        stranger = ckan_factories.User()
        with pytest.raises(tk.NotAuthorized):
            call_auth("satudata_metadata_check", {"user": stranger["name"]}, id=private["id"])
        with pytest.raises(tk.NotAuthorized):
            call_auth("satudata_metadata_check", {"user": ""}, id=private["id"])
        member = ckan_factories.User()
        call_action("organization_member_create", {"ignore_auth": True}, id=org["id"],
                    username=member["name"], role="member")
        assert call_auth("satudata_metadata_check", {"user": member["name"]}, id=private["id"])


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")
class TestSchemaValidators:
    def test_bad_values_are_refused_with_the_field_named(self):
        with pytest.raises(tk.ValidationError) as err:
            _dataset(tahun_kegiatan=1800, pj_email="bukan-email", spatial='{"type": "Kotak"}')
        assert set(err.value.error_dict) == {"tahun_kegiatan", "pj_email", "spatial"}
        assert err.value.error_dict["pj_email"] == ["Alamat email tidak valid"]

    def test_unknown_region_code_is_refused(self):
        with pytest.raises(tk.ValidationError) as err:
            _dataset(wilayah=["35.15"])
        assert list(err.value.error_dict) == ["wilayah"]
