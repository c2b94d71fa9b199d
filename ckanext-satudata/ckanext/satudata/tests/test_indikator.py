"""Indicators (MS-Ind): linked to their activity, with yearly target and achievement."""
from __future__ import annotations

import re

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories as ckan_factories
from ckan.tests.helpers import call_action

from ckanext.satudata.ms_keg_sample import complete_ms_ind
from ckanext.satudata.tests import factories

COMPLETE_MS_IND = complete_ms_ind(
    "Partisipasi sekolah", "",
    definisi="Persentase murid usia 7-12 tahun di SD",
    metode_perhitungan="Murid 7-12 / penduduk 7-12",
    variabel_pembangun=[{"nama": "Murid SD", "kegiatan_penghasil": "Data Pokok Pendidikan",
                         "kode_kegiatan": "DAPODIK"}],
    capaian=[{"tahun": 2024, "target": "97,5", "realisasi": "96,80"},
             {"tahun": 2025, "target": "98", "realisasi": "1.234,5"}],
)


def _indicator(activity, **fields):
    data = {**COMPLETE_MS_IND, "ms_keg_id": activity["name"], **fields}
    return factories.Dataset(owner_org=activity["owner_org"], **data)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")
class TestIndikator:
    def test_indicator_links_to_its_activity_and_keeps_yearly_values(self):
        activity = factories.Dataset(title="Data Pokok Pendidikan")
        indicator = _indicator(activity, title="Angka Partisipasi Murni SD")
        assert indicator["type"] == "indikator"
        assert indicator["ms_keg_id"] == activity["id"]
        assert [c["target"] for c in indicator["capaian"]] == ["97.5", "98"]
        assert indicator["capaian"][1]["realisasi"] == "1234.5"
        check = call_action("satudata_metadata_check", id=indicator["id"])
        assert check == {"complete": True, "problems": []}

    def test_indicator_needs_an_existing_activity(self):
        org = ckan_factories.Organization()
        other = factories.Dataset(type="indikator", owner_org=org["id"], ms_keg_id="",
                                  state="draft")
        with pytest.raises(tk.ValidationError) as err:
            factories.Dataset(type="indikator", owner_org=org["id"], ms_keg_id="tidak-ada")
        assert "Tidak ada kegiatan statistik" in err.value.error_dict["ms_keg_id"][0]
        with pytest.raises(tk.ValidationError):
            factories.Dataset(type="indikator", owner_org=org["id"], ms_keg_id=other["id"])

    def test_bad_yearly_values_name_the_row(self):
        activity = factories.Dataset()
        with pytest.raises(tk.ValidationError) as err:
            _indicator(activity, capaian=[{"tahun": 2025, "target": "sembilan", "realisasi": "1"}])
        assert "Bukan angka: sembilan" in str(err.value.error_dict["capaian"])

    def test_incomplete_indicator_lists_missing_ms_ind_fields(self):
        activity = factories.Dataset()
        indicator = _indicator(activity, konsep="", indikator_komposit="true",
                               variabel_pembangun=[], ukuran="Persentase", satuan="")
        missing = {p["field"] for p in
                   call_action("satudata_metadata_check", id=indicator["id"])["problems"]}
        assert missing == {"konsep", "indikator_pembangun", "satuan"}

    def test_indicators_are_found_by_their_activity(self):
        activity = factories.PublishedDataset()
        indicator = _indicator(activity, private=False)
        fq = f'dataset_type:indikator ms_keg_id:"{activity["id"]}"'
        found = call_action("package_search", fq=fq)
        assert [d["id"] for d in found["results"]] == [indicator["id"]]


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_indicator_page_names_its_activity_with_a_link(app):
    activity = factories.Dataset(title="Data Pokok Pendidikan")
    indicator = _indicator(activity, title="Angka Partisipasi Murni SD")
    admin = ckan_factories.SysadminWithToken()

    body = app.get(f"/dataset/{indicator['name']}",
                   headers={"Authorization": admin["token"]}).body

    (cell,) = re.findall(r"Kegiatan Statistik \(MS-Keg\)</th>\s*<td[^>]*>(.*?)</td>", body, re.S)
    assert cell.strip() == f'<a href="/dataset/{activity["name"]}">Data Pokok Pendidikan</a>'
