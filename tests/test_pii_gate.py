"""The personal data gate (issue 14): a dataset whose DataStore table or uploaded file holds
personal data cannot be submitted or published (API and web form) until the column is
removed or masked, or the walidata records an accepted exception (audited).

Real PostgreSQL, DataStore and Solr. The NIKs are valid by python-stdnum's
`stdnum.id.nik` rules (Kabupaten Pasuruan 3514, a woman born 12-04-1990, serials from 1)
and by the portal's own recogniser; none of them may appear in any message.
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.satudata.pii.model import PiiScan
from ckanext.verifikasi.tests.world import make_world

ROWS = 40


def nik(i: int) -> str:
    return f"35140152049{i:05d}"


ALL_NIKS = [nik(i) for i in range(1, ROWS + 1)]


@pytest.fixture
def world(with_plugins, clean_db, clean_index, with_request_context):
    return make_world()


@pytest.fixture
def web(make_app):
    """An app of its own: each request gets its own app context (see test_pages)."""
    return make_app()


def admin(world) -> dict:
    return {"user": world.users["sysadmin"]["name"]}


def penerima(world, ds, rows: int = ROWS, name: str = "Penerima Bantuan") -> str:
    """A table of aid recipients: NIK, kecamatan, amount, year (no name column)."""
    table = call_action(
        "datastore_create", admin(world),
        resource={"package_id": ds["id"], "name": name, "format": "CSV"},
        fields=[{"id": "nik", "type": "text"}, {"id": "kecamatan", "type": "text"},
                {"id": "jumlah", "type": "numeric"}, {"id": "tahun", "type": "int4"}],
        records=[{"nik": nik(i), "kecamatan": "Bangil", "jumlah": i * 150000,
                  "tahun": 2025} for i in range(1, rows + 1)])
    return table["resource_id"]


def submit(world, ds, who="operator"):
    return call_action("verifikasi_submit", world.context(who), id=ds["id"])


def refused(world, action, ds, who) -> list[str]:
    with pytest.raises(tk.ValidationError) as err:
        call_action(f"verifikasi_{action}", world.context(who), id=ds["id"])
    messages = err.value.error_dict["data_pribadi"]
    assert not any(value in repr(err.value.error_dict) for value in ALL_NIKS)
    return messages


def state(world, ds) -> str:
    return call_action("verifikasi_status_show", world.context("walidata"),
                       id=ds["id"])["state"]


def exception(world, ds, resource_id, column, who="walidata", reason="Data by name "
              "and address is needed by Dinas Sosial (Perbup 12/2026)"):
    return call_action("satudata_pii_exception_create", world.context(who),
                       package_id=ds["id"], resource_id=resource_id, column=column,
                       reason=reason)


def test_a_nik_table_cannot_be_submitted_and_the_message_names_column_and_rows(world):
    ds = world.dataset("terbuka")
    rid = penerima(world, ds)
    messages = refused(world, "submit", ds, "operator")
    assert len(messages) == 2  # the nik column, then what to do
    assert '"Penerima Bantuan"' in messages[0] and '"nik"' in messages[0]
    assert "NIK" in messages[0] and "40" in messages[0]
    assert "1, 2, 3, 4, 5, 6, 7, 8, 9, 10" in messages[0]
    assert state(world, ds) == "draft"
    check = call_action("satudata_pii_check", world.context("operator"), package_id=ds["id"])
    assert check["applies"] and check["blocked"]
    assert [(f["resource_id"], f["column"], f["kind"], f["count"])
            for f in check["findings"]] == [(rid, "nik", "nik", ROWS)]
    # Only the numbers of the columns kecamatan, jumlah, tahun: not flagged.


def test_api_answers_409_and_the_web_form_shows_the_finding(world, web):
    ds = world.dataset("terbatas")
    penerima(world, ds)
    token = {"Authorization": world.users["operator"]["token"]}
    res = web.post("/api/3/action/verifikasi_submit", json={"id": ds["id"]}, headers=token)
    assert res.status_code == 409
    errors = res.json["error"]
    assert '"nik"' in errors["data_pribadi"][0]
    assert not any(value in res.body for value in ALL_NIKS)

    res = web.post(f"/verifikasi/dataset/{ds['name']}/submit", data={}, headers=token)
    assert res.status_code == 400
    page = res.body
    assert "Penerima Bantuan" in page and "nik" in page
    assert "1, 2, 3, 4, 5, 6, 7, 8, 9, 10" in page
    assert not any(value in page for value in ALL_NIKS)
    assert "••••" in page  # the table preview shows the column masked
    assert state(world, ds) == "draft"


def test_data_mikro_is_gated_even_when_rahasia_other_rahasia_data_is_not(world):
    mikro = world.dataset("rahasia", kategori="DATA_MIKRO")
    penerima(world, mikro)
    refused(world, "submit", mikro, "operator")
    dasar = world.dataset("rahasia")
    penerima(world, dasar)
    submit(world, dasar)  # never public: the gate does not hold it back
    assert state(world, dasar) == "submitted"
    check = call_action("satudata_pii_check", world.context("walidata"),
                        package_id=dasar["id"])
    assert not check["applies"] and not check["blocked"] and check["findings"]


def test_exception_lets_it_through_audited_publication_gated_again_new_column_blocks(world):
    ds = world.dataset("terbuka")
    rid = penerima(world, ds)
    made = exception(world, ds, rid, "nik")
    submit(world, ds)
    assert state(world, ds) == "submitted"
    audit = call_action("verifikasi_audit_list", world.context("walidata"), object_id=ds["id"])
    entry = next(a for a in audit if a["action"] == "pii_exception_create")
    assert entry["actor"] == world.users["walidata"]["id"]
    assert entry["detail"]["column"] == "nik" and entry["detail"]["resource_id"] == rid
    assert "Perbup 12/2026" in entry["detail"]["reason"]
    listed = call_action("satudata_pii_exception_list", world.context("verifikator"),
                         package_id=ds["id"])
    assert [e["id"] for e in listed] == [made["id"]]

    # Publishing is checked again: without the exception the walidata cannot publish.
    call_action("verifikasi_approve", world.context("verifikator"), id=ds["id"])
    call_action("satudata_pii_exception_delete", world.context("walidata"), id=made["id"])
    assert any(a["action"] == "pii_exception_delete" for a in call_action(
        "verifikasi_audit_list", world.context("walidata"), object_id=ds["id"]))
    messages = refused(world, "approve", ds, "walidata")
    assert '"nik"' in messages[0]
    assert state(world, ds) == "verified"

    # Back to the operator: a new column with phone numbers blocks although nik is excepted.
    exception(world, ds, rid, "nik")
    call_action("verifikasi_return", world.context("walidata"), id=ds["id"],
                note="Tambahkan nomor kontak")
    call_action("datastore_create", admin(world), resource_id=rid, force=True,
                fields=[{"id": "nik", "type": "text"}, {"id": "kecamatan", "type": "text"},
                        {"id": "jumlah", "type": "numeric"}, {"id": "tahun", "type": "int4"},
                        {"id": "telepon", "type": "text"}])
    call_action("datastore_upsert", admin(world), resource_id=rid, method="update",
                force=True, records=[{"_id": i, "telepon": f"08123456{i:04d}"}
                                     for i in range(1, ROWS + 1)])
    messages = refused(world, "submit", ds, "operator")
    assert len(messages) == 2 and '"telepon"' in messages[0] and '"nik"' not in messages[0]
    assert "08123456" not in repr(messages)

    # Masking the column clears it: submitted, approved and published.
    call_action("datastore_upsert", admin(world), resource_id=rid, method="update",
                force=True, records=[{"_id": i, "telepon": "08xx-xxxx-xxxx"}
                                     for i in range(1, ROWS + 1)])
    world.publish(ds["id"])
    assert state(world, ds) == "published"


def test_ordinary_numbers_do_not_block(world):
    ds = world.dataset("terbuka", kategori="DATA_MIKRO")
    call_action(
        "datastore_create", admin(world),
        resource={"package_id": ds["id"], "name": "Anggaran per Desa", "format": "CSV"},
        fields=[{"id": "kode_wilayah", "type": "int8"}, {"id": "kode_desa", "type": "text"},
                {"id": "tahun", "type": "int4"}, {"id": "anggaran", "type": "numeric"},
                {"id": "kode_rekening", "type": "text"}, {"id": "jumlah", "type": "int8"}],
        records=[{"kode_wilayah": 3514010001 + i, "kode_desa": f"35.14.01.{2001 + i}",
                  "tahun": 2015 + i % 11, "anggaran": 1_250_000_000 + i * 1_000_000.5,
                  "kode_rekening": f"{1000000000000000 + i * 9_999_991}",
                  "jumlah": 1_500_000_000_000_000 + i} for i in range(200)])
    world.publish(ds["id"])
    assert state(world, ds) == "published"


def test_an_uploaded_csv_with_niks_blocks_and_names_the_file(world, create_with_upload):
    ds = world.dataset("terbuka")
    content = "Nama,NIK,Jumlah\n" + "".join(
        f"Warga {i},{nik(i)},{i * 1000}\n" for i in range(1, 21))
    create_with_upload(content, "penerima.csv",
                       context={"user": world.users["operator"]["name"], "ignore_auth": False},
                       package_id=ds["id"], name="Daftar Penerima", format="CSV",
                       url="penerima.csv")
    messages = refused(world, "submit", ds, "operator")
    text = " ".join(messages)
    assert '"Daftar Penerima"' in text and '"NIK"' in text and '"Nama"' in text
    assert "2, 3, 4" in text  # spreadsheet rows: the header is row 1
    assert "Warga 1" not in text


@pytest.mark.ckan_config("ckanext.satudata.pii.sample_rows", "300")
def test_a_large_table_is_scanned_on_a_sample_and_once_while_unchanged(world):
    ds = world.dataset("terbuka")
    rid = penerima(world, ds, rows=3000)
    messages = refused(world, "submit", ds, "operator")
    assert '"nik"' in messages[0]
    scan = model.Session.execute(sa.select(PiiScan).where(PiiScan.resource_id == rid)).scalar_one()
    assert scan.sampled
    first = (scan.fingerprint, scan.scanned)
    assert 150 < next(f for f in scan.findings if f["column"] == "nik")["count"] < 500
    # The same table again: the stored result is used (not scanned again).
    refused(world, "submit", ds, "operator")
    model.Session.expire_all()
    scan = model.Session.execute(sa.select(PiiScan).where(PiiScan.resource_id == rid)).scalar_one()
    assert (scan.fingerprint, scan.scanned) == first
    # One masked row changes the fingerprint; masking every row clears the finding.
    call_action("datastore_upsert", admin(world), resource_id=rid, method="update",
                force=True, records=[{"_id": i, "nik": "3514XXXXXXXXXXXX"}
                                     for i in range(1, 3001)])
    submit(world, ds)
    assert state(world, ds) == "submitted"


def test_entered_rows_waiting_for_an_update_are_scanned(world):
    """A published dataset's new rows wait in the data-input working table: submitting
    the update is refused while they carry NIKs, although the public table has none."""
    ds = world.dataset("terbuka")
    op = world.context("operator")
    columns = [{"id": "kecamatan", "label": "Kecamatan", "tipe_data": "CHARACTER",
                "key": True},
               {"id": "nik_kepala", "label": "NIK Kepala Keluarga", "tipe_data": "CHARACTER"},
               {"id": "jumlah", "label": "Jumlah", "tipe_data": "INTEGER"}]
    pkg = call_action("satudata_input_package_create", op, package_id=ds["id"],
                      title="Keluarga Penerima", frequency="tahunan", columns=columns)
    call_action("satudata_input_rows_save", op, id=pkg["id"], period="2024",
                rows=[{"values": {"kecamatan": f"K{i:02d}", "nik_kepala": "", "jumlah": str(i)}}
                      for i in range(1, 6)])
    world.publish(ds["id"])
    call_action("satudata_input_rows_save", op, id=pkg["id"], period="2025",
                rows=[{"values": {"kecamatan": f"K{i:02d}", "nik_kepala": nik(i),
                                  "jumlah": str(i)}} for i in range(1, 21)])
    messages = refused(world, "submit", ds, "operator")
    assert '"Keluarga Penerima"' in messages[0] and '"nik_kepala"' in messages[0]
    # The exception for the resource's column covers the rows it will receive.
    exception(world, ds, pkg["resource_id"], "nik_kepala")
    world.publish(ds["id"])
    assert state(world, ds) == "published"
