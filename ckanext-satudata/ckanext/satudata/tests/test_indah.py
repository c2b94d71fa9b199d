"""INDAH v2 export: MS-Keg blocks, MS-Var from the DataStore, MS-Ind, never failing on drafts."""
from __future__ import annotations

import json

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories as ckan_factories
from ckan.tests.helpers import call_action, call_auth

from ckanext.satudata.ms_keg_sample import SURVEY_BLOCK_V, complete_ms_ind, complete_ms_keg
from ckanext.satudata.tests import factories

ENVELOPE_KEYS = {"submission_period", "data", "status", "submitter", "produsen_data",
                 "walidata_pusat", "version", "incomplete", "local_ref"}
BLOCKS = ["blok_i", "blok_ii", "blok_iii", "blok_iv", "blok_v", "blok_vi", "blok_vii",
          "blok_viii"]
PASURUAN = {"kode_provinsi": "35", "nama_provinsi": "Jawa Timur",
            "kode_kabupaten_kota": "3514", "nama_kabupaten_kota": "Kabupaten Pasuruan"}

COLUMNS = [
    {"id": "kode_kecamatan", "type": "text", "info": {
        "label": "Kode Kecamatan", "nama_variabel": "Kode Kecamatan", "alias": "kd_kec",
        "konsep": "Wilayah administrasi", "definisi": "Kode Kemendagri kecamatan",
        "referensi_pemilihan": "-", "referensi_waktu": "2025", "tipe_data": "CHARACTER",
        "value_domain": "35.14.01=Purwodadi\n35.14.02=Tutur", "aturan_validasi": "HARUS TERISI",
        "kalimat_pertanyaan": "-", "akses_umum": "true"}},
    {"id": "jumlah_rt", "type": "int", "info": {
        "label": "Jumlah Rumah Tangga", "konsep": "Rumah tangga",
        "notes": "Banyaknya rumah tangga yang dicacah", "ukuran": "Jumlah",
        "satuan": "Rumah tangga"}},
    {"id": "rasio", "type": "numeric"},
]

INDICATOR = {k: v for k, v in complete_ms_ind(
    "Cakupan pelayanan kesehatan", "",
    definisi="Persentase rumah tangga terlayani",
    metode_perhitungan="RT terlayani / semua RT",
    variabel_pembangun=[{"nama": "Jumlah RT", "kegiatan_penghasil": "Survei Kesehatan",
                         "kode_kegiatan": "SKRT"}],
    capaian=[{"tahun": 2025, "target": "80", "realisasi": "78,5"}],
).items() if k not in ("type", "ms_keg_id")}


def _export(dataset, user=None):
    context = {"user": user["name"]} if user else {"user": ""}
    return call_action("satudata_indah_export", context, id=dataset["id"])


def _survey(org, **overrides):
    fields = complete_ms_keg("Survei Kesehatan Rumah Tangga", 2025, org["title"],
                             **SURVEY_BLOCK_V)
    fields.update(overrides)
    return factories.Dataset(owner_org=org["id"], title="Survei Kesehatan Rumah Tangga",
                             **fields)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")
class TestMsKeg:
    def test_complete_survey_is_a_full_v2_envelope(self):
        org = ckan_factories.Organization(title="Dinas Kesehatan")
        admin = ckan_factories.Sysadmin(fullname="Admin Walidata")
        dataset = _survey(org)

        result = _export(dataset, admin)

        assert set(result) == {"ms_keg", "ms_var", "ms_ind"}
        keg = result["ms_keg"]
        assert set(keg) == ENVELOPE_KEYS
        assert keg["version"] == "v2"
        assert keg["status"] == "SUBMITTED"
        assert keg["submission_period"] == 2025
        assert keg["incomplete"] == []
        assert keg["produsen_data"] == {"id": org["id"], "name": "Dinas Kesehatan",
                                        "province_code": "35", "city_code": "3514"}
        assert keg["walidata_pusat"] == {"id": None, "name": None}
        assert keg["submitter"]["username"] == admin["name"]
        assert keg["submitter"]["name"] == "Admin Walidata"

        data = keg["data"]
        assert [k for k in data if k.startswith("blok_")] == BLOCKS
        assert all(isinstance(data[b], dict) for b in BLOCKS)
        assert data["judul_kegiatan"] == "Survei Kesehatan Rumah Tangga"
        assert data["tahun_kegiatan"] == 2025
        assert data["cara_pengumpulan_data"] == "SURVEI"
        assert data["rekomendasi_bps"] is False
        assert data["identitas_rekomendasi"] is None
        assert data["blok_i"]["instansi_penyelenggara"] == "Dinas Kesehatan"
        assert data["blok_ii"]["pj_email"] == "statistik@pasuruankab.go.id"

        blok_iii = data["blok_iii"]
        assert blok_iii["jadwal_pengumpulan"] == [{"mulai": "2025-03-01", "selesai": "2025-09-30"}]
        assert blok_iii["variabel_dikumpulkan"][0]["nama"] == "Jumlah"

        blok_iv = data["blok_iv"]
        assert blok_iv["frekuensi_penyelanggara"] == "TAHUNAN"
        assert "frekuensi_penyelenggaraan" not in blok_iv
        assert blok_iv["metode_pengumpulan"] == ["wawancara"]
        assert blok_iv["sarana_pengumpulan"] == ["capi"]
        assert blok_iv["sarana_pengumpulan_lainnya"] is None
        assert blok_iv["wilayah_kegiatan"] == [PASURUAN]

        assert data["blok_v"] == {
            "jenis_rancangan_sampel": "MULTI_STAGE_PHASE",
            "metode_pemilihan_sampel": "SAMPEL_PROBABILITAS",
            "metode_sampling": "STRATIFIED_RANDOM_SAMPLING", "kerangka_sampel": "LIST_FRAME",
            "fraksi_sampel": "10 persen rumah tangga", "sampling_error": "RSE < 25 persen",
            "unit_sampel": "Rumah tangga", "unit_observasi": "Rumah tangga",
        }
        blok_vi = data["blok_vi"]
        assert blok_vi["uji_coba"] is False
        assert blok_vi["penyesuaian_nonrespon"] is False
        assert blok_vi["pelatihan_petugas"] is True
        assert blok_vi["jumlah_enumerator"] == 48
        assert blok_vi["pemeriksaan_kualitas"] == ["supervisi"]
        blok_vii = data["blok_vii"]
        assert (blok_vii["tahap_editing"], blok_vii["tahap_coding"]) == (True, False)
        assert blok_vii["tingkat_penyajian"] == ["kabupaten_kota", "kecamatan"]
        blok_viii = data["blok_viii"]
        assert (blok_viii["produk_digital"], blok_viii["produk_tercetak"]) == (True, False)
        assert blok_viii["rilis_digital"] == ["2025-12-15"]
        assert blok_viii["rilis_tercetak"] is None

        assert result["ms_var"] == []
        assert result["ms_ind"] == []
        json.dumps(result)

    def test_incomplete_draft_exports_nulls_and_lists_what_is_missing(self):
        org = ckan_factories.Organization(title="Dinas Pendidikan")
        dataset = factories.Dataset(owner_org=org["id"], state="draft", title="Draf Survei",
                                    cara_pengumpulan_data="SURVEI", rekomendasi_bps="true",
                                    uji_coba="true")

        keg = _export(dataset, ckan_factories.Sysadmin())["ms_keg"]

        assert keg["status"] == "DRAFT"
        assert keg["submission_period"] is None
        assert [k for k in keg["data"] if k.startswith("blok_")] == BLOCKS
        assert keg["data"]["judul_kegiatan"] is None
        assert keg["data"]["rekomendasi_bps"] is True
        assert keg["data"]["blok_vi"]["uji_coba"] is True
        assert keg["data"]["blok_vi"]["penyesuaian_nonrespon"] is None
        assert keg["data"]["blok_iii"]["jadwal_pengumpulan"] is None
        assert keg["data"]["blok_iv"]["metode_pengumpulan"] is None
        assert keg["data"]["blok_v"]["metode_sampling"] is None
        assert {"judul_kegiatan", "tahun_kegiatan", "sektor_kegiatan", "wilayah",
                "identitas_rekomendasi", "jadwal_pengumpulan", "metode_pengumpulan",
                "jenis_rancangan_sampel", "metode_sampling", "penyesuaian_nonrespon",
                "tahap_validasi", "produk_digital"} <= set(keg["incomplete"])
        assert len(keg["incomplete"]) == len(set(keg["incomplete"]))

    def test_fields_whose_condition_does_not_hold_are_null(self):
        org = ckan_factories.Organization()
        # a compilation that once was a survey still holds block V values
        dataset = factories.Dataset(owner_org=org["id"], **complete_ms_keg(
            "Kompilasi", 2025, "Dinas", metode_sampling="CLUSTER_SAMPLING",
            kegiatan_dilakukan="HANYA_SEKALI", frekuensi_penyelenggaraan="",
            cakupan_wilayah="SELURUH_WILAYAH_INDONESIA"))

        data = _export(dataset, ckan_factories.Sysadmin())["ms_keg"]["data"]

        assert data["blok_v"]["metode_sampling"] is None
        assert data["blok_iv"]["frekuensi_penyelanggara"] is None
        assert data["blok_iv"]["wilayah_kegiatan"] is None
        assert data["blok_iv"]["sarana_pengumpulan_lainnya"] == "Aplikasi pelaporan OPD"

    def test_export_is_a_get_action(self, app):
        org = ckan_factories.Organization()
        dataset = _survey(org, private=False)

        response = app.get("/api/3/action/satudata_indah_export", params={"id": dataset["name"]})

        assert response.status_code == 200
        assert response.json["result"]["ms_keg"]["local_ref"]["dataset_id"] == dataset["id"]
        assert response.json["result"]["ms_keg"]["submitter"] is None


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")
class TestMsVarAndMsInd:
    def test_one_ms_var_record_per_datastore_column(self, sysadmin_context):
        org = ckan_factories.Organization()
        dataset = _survey(org)
        table = call_action("datastore_create", sysadmin_context, fields=COLUMNS,
                            resource={"package_id": dataset["id"], "name": "Rumah tangga"},
                            records=[{"kode_kecamatan": "35.14.01", "jumlah_rt": 120,
                                      "rasio": 0.5}])

        records = _export(dataset, ckan_factories.Sysadmin())["ms_var"]

        assert [r["local_ref"] for r in records] == [
            {"resource_id": table["resource_id"], "column": c["id"]} for c in COLUMNS]
        for record in records:
            assert record["ms_keg_id"] == dataset["id"]
            assert record["version"] == "v2"
            assert record["submission_period"] == 2025
            assert record["status"] == "SUBMITTED"

        kode, jumlah, rasio = (r["data"] for r in records)
        assert kode == {
            "nama_variabel": "Kode Kecamatan", "alias": "kd_kec", "konsep": "Wilayah administrasi",
            "definisi": "Kode Kemendagri kecamatan", "referensi_pemilihan": "-",
            "referensi_waktu": "2025", "tipe_data": "CHARACTER",
            "value_domain": [{"kode": "35.14.01", "nilai": "Purwodadi"},
                             {"kode": "35.14.02", "nilai": "Tutur"}],
            "ukuran": None, "satuan": None, "aturan_validasi": ["HARUS TERISI"],
            "kalimat_pertanyaan": "-", "akses_umum": True, "id_sds": None,
        }
        assert records[0]["incomplete"] == []

        assert jumlah["nama_variabel"] == "Jumlah Rumah Tangga"
        assert jumlah["alias"] == "jumlah_rt"
        assert jumlah["definisi"] == "Banyaknya rumah tangga yang dicacah"
        assert jumlah["tipe_data"] == "INTEGER"
        assert (jumlah["ukuran"], jumlah["satuan"]) == ("Jumlah", "Rumah tangga")
        assert {"nama_variabel", "alias", "definisi", "referensi_pemilihan", "referensi_waktu",
                "tipe_data", "value_domain", "aturan_validasi", "kalimat_pertanyaan",
                "akses_umum"} == set(records[1]["incomplete"])

        assert (rasio["nama_variabel"], rasio["alias"], rasio["tipe_data"]) == (
            "rasio", "rasio", "DECIMAL")
        assert rasio["konsep"] is None
        assert rasio["akses_umum"] is True  # the dataset is terbuka
        assert "konsep" in records[2]["incomplete"]

    def test_linked_indicators_are_ms_ind_records(self):
        org = ckan_factories.Organization()
        dataset = _survey(org)
        other = _survey(org, name="survei-lain")
        indicator = factories.Dataset(type="indikator", owner_org=org["id"],
                                      title="Cakupan Pelayanan Kesehatan",
                                      ms_keg_id=dataset["name"], **INDICATOR)
        factories.Dataset(type="indikator", owner_org=org["id"], title="Lain",
                          ms_keg_id=other["id"], **INDICATOR)

        records = _export(dataset, ckan_factories.Sysadmin())["ms_ind"]

        assert [r["local_ref"]["dataset_id"] for r in records] == [indicator["id"]]
        [record] = records
        assert set(record) == ENVELOPE_KEYS | {"ms_keg_id"}
        assert record["ms_keg_id"] == dataset["id"]
        assert record["status"] == "SUBMITTED"
        assert record["incomplete"] == []
        data = record["data"]
        assert data["nama_indikator"] == "Cakupan Pelayanan Kesehatan"
        assert data["indikator_komposit"] is False
        assert data["akses_umum"] is True
        assert data["level_estimasi"] == "kabupaten"
        assert data["klasifikasi_penyajian"] == [{"nama": "Wilayah", "sumber": "Kemendagri"}]
        assert data["variabel_pembangun"][0]["kode_kegiatan"] == "SKRT"
        assert data["indikator_pembangun"] is None


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")
class TestAuth:
    def test_private_dataset_is_refused_to_anonymous_and_outsiders(self, app):
        org = ckan_factories.Organization()
        dataset = _survey(org, private=True)
        outsider = ckan_factories.User()
        member = ckan_factories.User()
        ckan_factories.Organization(users=[{"name": outsider["name"], "capacity": "editor"}])
        call_action("organization_member_create", id=org["id"], username=member["name"],
                    role="editor")

        with pytest.raises(tk.NotAuthorized):
            call_auth("satudata_indah_export", {"user": ""}, id=dataset["id"])
        with pytest.raises(tk.NotAuthorized):
            call_auth("satudata_indah_export", {"user": outsider["name"]}, id=dataset["id"])
        assert call_auth("satudata_indah_export", {"user": member["name"]}, id=dataset["id"])
        response = app.get("/api/3/action/satudata_indah_export", params={"id": dataset["id"]},
                           status=403)
        assert response.json["success"] is False
        assert _export(dataset, member)["ms_keg"]["status"] == "SUBMITTED"

    def test_public_dataset_is_open_to_anonymous(self):
        dataset = _survey(ckan_factories.Organization(), private=False)

        assert call_auth("satudata_indah_export", {"user": ""}, id=dataset["id"])
