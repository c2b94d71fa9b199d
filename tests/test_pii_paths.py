"""The personal data gate on every path to the public, not only the workflow (issue 14).

Each path is tried by a sysadmin, the walidata and the owning OPD's operator: personal
data (valid NIKs, by python-stdnum's `stdnum.id.nik` rules) never becomes public without
an exception recorded by the walidata. A sysadmin's direct publication, DataStore write
or upload that would make it public is refused with a 409 naming the resource and column
(`data_pribadi`); the walidata and the operator cannot publish outside the workflow at
all (their writes start an update that goes through the gate). An exception lets the
same request through, and a dataset without personal data is unaffected.

Real PostgreSQL, DataStore and Solr; no value of a NIK appears in any message.
"""
from __future__ import annotations

import io
import os

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from ckan.lib.uploader import get_resource_uploader
from ckan.tests.helpers import call_action
from ckan.tests.pytest_ckan.fixtures import FakeFileStorage

from ckanext.satudata import harvest_source
from ckanext.verifikasi.tests.world import make_world

ROWS = 20
ROLES = ("sysadmin", "walidata", "operator")


def nik(i: int) -> str:
    return f"35140152049{i:05d}"


ALL_NIKS = [nik(i) for i in range(1, ROWS + 1)]
NIK_CSV = "Nama,NIK,Jumlah\n" + "".join(f"Warga {i},{nik(i)},{i * 1000}\n"
                                        for i in range(1, ROWS + 1))
CLEAN_CSV = "Kecamatan,Jumlah\n" + "".join(f"K{i:02d},{i * 1000}\n" for i in range(1, ROWS + 1))


@pytest.fixture
def world(with_plugins, clean_db, clean_index, with_request_context, ckan_config,
          monkeypatch, tmpdir):
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmpdir))
    return make_world()


def ctx(world, who: str) -> dict:
    return world.context(who) if who != "sysadmin" else {
        "user": world.users["sysadmin"]["name"], "ignore_auth": False}


def admin(world) -> dict:
    return {"user": world.users["sysadmin"]["name"]}


def table(world, ds, name: str = "Penerima Bantuan", with_nik: bool = True) -> str:
    result = call_action(
        "datastore_create", admin(world),
        resource={"package_id": ds["id"], "name": name, "format": "CSV"},
        fields=[{"id": "nik", "type": "text"}, {"id": "jumlah", "type": "int4"}],
        records=[{"nik": nik(i) if with_nik else f"K{i:02d}", "jumlah": i}
                 for i in range(1, ROWS + 1)])
    return result["resource_id"]


def upload(content: str, filename: str) -> FakeFileStorage:
    return FakeFileStorage(io.BytesIO(content.encode()), filename)


def refused(action: str, context: dict, key: str = "data_pribadi", **data) -> str:
    """The request is refused by the personal data gate (its messages under `key`; bulk
    actions name each dataset instead): its messages, as one text."""
    with pytest.raises(tk.ValidationError) as err:
        call_action(action, context, **data)
    text = repr(err.value.error_dict)
    assert key in err.value.error_dict, text
    assert "walidata" in text, text
    assert not any(value in text for value in ALL_NIKS)
    return text


def attempt(action: str, context: dict, **data) -> None:
    """A walidata's or operator's request: it may be refused (neither may edit every
    dataset, nor publish outside the workflow), but never by making data public."""
    try:
        call_action(action, context, **data)
    except tk.NotAuthorized:
        pass
    except tk.ValidationError as err:
        assert "data_pribadi" not in err.error_dict, err.error_dict


def status(world, ds) -> str:
    return call_action("verifikasi_status_show", world.context("walidata"),
                       id=ds["id"])["state"]


def private(ds) -> bool:
    model.Session.expire_all()
    pkg = model.Package.get(ds["id"])
    assert pkg is not None
    return bool(pkg.private)


def public_rows(rid: str) -> str:
    """What an anonymous visitor gets from the resource's DataStore table."""
    try:
        result = call_action("datastore_search", {"user": "", "ignore_auth": False},
                             resource_id=rid, limit=1000)
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return ""
    return repr(result["records"])


def file_text(rid: str) -> str:
    path = get_resource_uploader({"id": rid, "url_type": "upload"}).get_path(rid)
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def exception(world, ds, rid: str, column: str = "nik") -> None:
    call_action("satudata_pii_exception_create", world.context("walidata"),
                package_id=ds["id"], resource_id=rid, column=column,
                reason="Dibutuhkan Dinas Sosial (Perbup 12/2026)")


# Direct publication: package_update / package_patch with private: false


@pytest.mark.parametrize("who", ROLES)
def test_patch_private_false_never_publishes_personal_data(world, who):
    ds = world.dataset("terbuka")
    rid = table(world, ds)
    if who == "sysadmin":
        text = refused("package_patch", ctx(world, who), id=ds["id"], private=False)
        assert '"Penerima Bantuan"' in text and '"nik"' in text and "walidata" in text
    else:
        attempt("package_patch", ctx(world, who), id=ds["id"], private=False)
    assert private(ds) and status(world, ds) == "draft"
    assert nik(1) not in public_rows(rid)
    # The walidata's exception lets the sysadmin's publication through.
    exception(world, ds, rid)
    call_action("package_patch", admin(world), id=ds["id"], private=False)
    assert not private(ds) and status(world, ds) == "published"


def test_patch_private_false_without_personal_data_publishes(world):
    ds = world.dataset("terbuka")
    rid = table(world, ds, "Jumlah per Kecamatan", with_nik=False)
    call_action("package_patch", admin(world), id=ds["id"], private=False)
    assert not private(ds) and status(world, ds) == "published"
    assert "K01" in public_rows(rid)


@pytest.mark.parametrize("who", ROLES)
def test_access_class_change_of_a_published_rahasia_dataset(world, who):
    """rahasia data is published privately (the gate does not hold it back); making it
    terbuka would make its NIKs public."""
    ds = world.dataset("rahasia")
    rid = table(world, ds)
    world.publish(ds["id"])
    assert private(ds) and status(world, ds) == "published"
    change = {"id": ds["id"], "klasifikasi_akses": "terbuka", "private": False}
    if who == "sysadmin":
        text = refused("package_patch", ctx(world, who), **change)
        assert '"nik"' in text
        assert status(world, ds) == "published"
    else:
        attempt("package_patch", ctx(world, who), **change)
    assert private(ds)
    assert nik(1) not in public_rows(rid)


# package_create with private: false. A new dataset holds no data yet: core refuses a
# file in package_create's resources, and a DataStore table needs its resource first.
# Its data comes afterwards, through the writes to a published dataset tested below.


@pytest.mark.parametrize("who", ROLES)
def test_package_create_public(world, who):
    data = {"name": f"penerima-{who}", "title": "Penerima Bantuan", "private": False,
            "owner_org": world.opd["id"], "kategori": "DATA_DASAR",
            "klasifikasi_akses": "terbuka", "license_id": "cc-by", **_complete(world)}
    attempt("package_create", ctx(world, who), **data)
    made = model.Package.get(data["name"])
    if who == "sysadmin":
        assert made is not None and not made.private  # a direct publication, no data
    else:
        assert made is None or made.private


def _complete(world) -> dict:
    from ckanext.satudata.ms_keg_sample import complete_ms_keg

    return complete_ms_keg("Penerima Bantuan", 2025, world.opd["title"])


# Bulk actions of CKAN core


@pytest.mark.parametrize("who", ROLES)
def test_bulk_update_public(world, who):
    with_nik = world.dataset("terbuka")
    rid = table(world, with_nik)
    clean = world.dataset("terbuka")
    table(world, clean, "Jumlah per Kecamatan", with_nik=False)
    body = {"org_id": world.opd["id"], "datasets": [with_nik["id"], clean["id"]]}
    if who == "sysadmin":
        text = refused("bulk_update_public", ctx(world, who), key=with_nik["name"], **body)
        assert with_nik["name"] in text and '"nik"' in text and clean["name"] not in text
    else:
        with pytest.raises(tk.NotAuthorized):
            call_action("bulk_update_public", ctx(world, who), **body)
    # One refused refuses them all.
    assert private(with_nik) and private(clean)
    exception(world, with_nik, rid)
    call_action("bulk_update_public", admin(world), **body)
    assert not private(with_nik) and not private(clean)


@pytest.mark.parametrize("who", ROLES)
def test_bulk_update_private_publishes_nothing(world, who):
    ds = world.dataset("terbuka")
    rid = table(world, ds)
    try:
        call_action("bulk_update_private", ctx(world, who), org_id=world.opd["id"],
                    datasets=[ds["id"]])
    except tk.NotAuthorized:
        assert who != "sysadmin"
    assert private(ds) and nik(1) not in public_rows(rid)


# DataStore writes to a published dataset


def _published_clean(world) -> tuple[dict, str]:
    ds = world.dataset("terbuka")
    rid = table(world, ds, "Jumlah per Kecamatan", with_nik=False)
    world.publish(ds["id"])
    return ds, rid


@pytest.mark.parametrize("who", ROLES)
def test_datastore_upsert_of_niks_into_a_published_table(world, who):
    ds, rid = _published_clean(world)
    records = [{"nik": nik(i), "jumlah": i} for i in range(1, 6)]
    if who == "sysadmin":
        text = refused("datastore_upsert", ctx(world, who), resource_id=rid,
                       method="insert", records=records, force=True)
        assert '"Jumlah per Kecamatan"' in text and '"nik"' in text
        assert status(world, ds) == "published"
    else:
        attempt("datastore_upsert", ctx(world, who), resource_id=rid,
                method="insert", records=records, force=True)
        assert status(world, ds) in ("published", "draft")  # refused, or an update
    assert nik(1) not in public_rows(rid)
    assert "K01" in public_rows(rid)


def test_datastore_upsert_with_an_exception_or_without_niks_goes_live(world):
    ds, rid = _published_clean(world)
    call_action("datastore_upsert", admin(world), resource_id=rid, method="insert",
                records=[{"nik": "K99", "jumlah": 99}], force=True)
    assert "K99" in public_rows(rid)
    exception(world, ds, rid)
    call_action("datastore_upsert", admin(world), resource_id=rid, method="insert",
                records=[{"nik": nik(i), "jumlah": i} for i in range(1, 6)], force=True)
    assert nik(1) in public_rows(rid) and status(world, ds) == "published"


@pytest.mark.parametrize("who", ROLES)
def test_datastore_create_of_a_new_nik_table_in_a_published_dataset(world, who):
    ds, _ = _published_clean(world)
    before = len(call_action("package_show", admin(world), id=ds["id"])["resources"])
    body = {"resource": {"package_id": ds["id"], "name": "Penerima Baru", "format": "CSV"},
            "fields": [{"id": "nik", "type": "text"}],
            "records": [{"nik": nik(i)} for i in range(1, 6)], "force": True}
    if who == "sysadmin":
        text = refused("datastore_create", ctx(world, who), **body)
        assert '"Penerima Baru"' in text and '"nik"' in text
        after = call_action("package_show", admin(world), id=ds["id"])["resources"]
        assert len(after) == before and status(world, ds) == "published"
    else:
        attempt("datastore_create", ctx(world, who), **body)
        for res in call_action("package_show", admin(world), id=ds["id"])["resources"]:
            assert nik(1) not in public_rows(res["id"])


# Uploaded files on a published dataset


@pytest.mark.parametrize("who", ROLES)
def test_resource_create_with_a_nik_file_on_a_published_dataset(world, who):
    ds, _ = _published_clean(world)
    body = {"package_id": ds["id"], "name": "Daftar Penerima", "format": "CSV",
            "url": "penerima.csv", "upload": upload(NIK_CSV, "penerima.csv")}
    if who == "sysadmin":
        text = refused("resource_create", ctx(world, who), **body)
        assert '"Daftar Penerima"' in text and '"NIK"' in text
        names = [r["name"] for r in call_action("package_show", admin(world),
                                                id=ds["id"])["resources"]]
        assert "Daftar Penerima" not in names and status(world, ds) == "published"
    else:
        attempt("resource_create", ctx(world, who), **body)
        assert status(world, ds) in ("published", "draft")  # refused, or an update


@pytest.mark.parametrize("who", ROLES)
def test_resource_update_with_a_nik_file_on_a_published_dataset(world, who):
    ds = world.dataset("terbuka")
    res = call_action("resource_create", world.context("operator"), package_id=ds["id"],
                      name="Rekap", format="CSV", url="rekap.csv",
                      upload=upload(CLEAN_CSV, "rekap.csv"))
    world.publish(ds["id"])
    body = {"id": res["id"], "upload": upload(NIK_CSV, "rekap.csv"), "url": "rekap.csv"}
    if who == "sysadmin":
        text = refused("resource_patch", ctx(world, who), **body)
        assert '"Rekap"' in text and '"NIK"' in text
        assert status(world, ds) == "published"
        # The stored file is still the published one.
        assert file_text(res["id"]) == CLEAN_CSV
    else:
        attempt("resource_patch", ctx(world, who), **body)
        assert status(world, ds) in ("published", "draft")  # refused, or an update


def test_a_file_or_table_added_during_an_update_is_not_public(world, make_app):
    """The operator's new resource of a published dataset belongs to the update: before
    it is published, outsiders can neither download its file nor read its table."""
    ds, _ = _published_clean(world)
    op = world.context("operator")
    made = call_action("resource_create", op, package_id=ds["id"], name="Daftar Penerima",
                       format="CSV", url="penerima.csv", upload=upload(NIK_CSV, "penerima.csv"))
    table_id = call_action("datastore_create", op, force=True,
                           resource={"package_id": ds["id"], "name": "Penerima Baru"},
                           fields=[{"id": "nik", "type": "text"}],
                           records=[{"nik": nik(i)} for i in range(1, 6)])["resource_id"]
    assert status(world, ds) == "draft" and not private(ds)
    web = make_app()
    url = f"/dataset/{ds['id']}/resource/{made['id']}/download/penerima.csv"
    res = web.get(url)
    assert res.status_code == 404 and nik(1) not in res.body
    assert nik(1) not in public_rows(table_id)
    # The team works on it.
    token = {"Authorization": world.users["operator"]["token"]}
    assert nik(1) in web.get(url, headers=token).body


def test_resource_create_of_a_clean_file_by_a_sysadmin_goes_live(world):
    ds, _ = _published_clean(world)
    made = call_action("resource_create", admin(world), package_id=ds["id"], name="Rekap",
                       format="CSV", url="rekap.csv", upload=upload(CLEAN_CSV, "rekap.csv"))
    assert status(world, ds) == "published" and file_text(made["id"]) == CLEAN_CSV


# Harvest: what a harvester writes (as the site user, a sysadmin)


def test_harvested_datasets_never_publish_personal_data(world):
    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    harvester = {"user": site["name"], "ignore_auth": True}
    source = harvest_source.SourceSettings(defaults={"kategori": "DATA_DASAR"})
    # A new harvested dataset is a private draft whatever the remote says.
    remote = {"name": "remote-penerima", "title": "Penerima Bantuan", "private": False,
              "owner_org": world.opd["id"], "klasifikasi_akses": "terbuka",
              "license_id": "cc-by", **_complete(world)}
    ds = call_action("package_create", dict(harvester),
                     **harvest_source.apply(dict(remote), source, existing=False))
    rid = table(world, ds)
    assert private(ds) and status(world, ds) == "draft"
    # Published with an exception; the exception is removed later: the next harvest of
    # the published dataset (a direct publication of the harvester's edit) is refused.
    exception(world, ds, rid)
    world.publish(ds["id"])
    made = call_action("satudata_pii_exception_list", world.context("walidata"),
                       package_id=ds["id"])
    call_action("satudata_pii_exception_delete", world.context("walidata"), id=made[0]["id"])
    # The remote lists the resource (the harvester keeps resources by their ids).
    resources = call_action("package_show", admin(world), id=ds["id"])["resources"]
    again = harvest_source.apply({**remote, "id": ds["id"], "title": "Penerima Bantuan 2025",
                                  "resources": resources}, source, existing=True)
    text = refused("package_update", dict(harvester), **again)
    assert '"nik"' in text
    assert call_action("package_show", {"user": ""}, id=ds["id"])["title"] == "Penerima Bantuan"


# Data input: entered rows waiting for an update's publication


def test_entered_rows_with_niks_stay_out_of_the_public_table(world):
    """Rows entered for a published dataset wait in the working table; a sysadmin's edit
    meanwhile belongs to the update (no direct publication), so the rows stay out of the
    public table until the update's publication, which the gate checks."""
    ds = world.dataset("terbuka")
    op = world.context("operator")
    columns = [{"id": "kecamatan", "label": "Kecamatan", "tipe_data": "CHARACTER",
                "key": True},
               {"id": "nik_kepala", "label": "NIK Kepala Keluarga", "tipe_data": "CHARACTER"}]
    pkg = call_action("satudata_input_package_create", op, package_id=ds["id"],
                      title="Keluarga Penerima", frequency="tahunan", columns=columns)
    call_action("satudata_input_rows_save", op, id=pkg["id"], period="2024",
                rows=[{"values": {"kecamatan": f"K{i:02d}", "nik_kepala": ""}}
                      for i in range(1, 6)])
    world.publish(ds["id"])
    call_action("satudata_input_rows_save", op, id=pkg["id"], period="2025",
                rows=[{"values": {"kecamatan": f"K{i:02d}", "nik_kepala": nik(i)}}
                      for i in range(1, 11)])
    assert status(world, ds) == "draft"  # an update started
    call_action("package_patch", admin(world), id=ds["id"], title="Keluarga 2025")
    assert status(world, ds) == "draft" and nik(1) not in public_rows(pkg["resource_id"])
    # Asking for private: false publishes nothing either (the dataset is public already).
    for who in ROLES:
        attempt("package_patch", ctx(world, who), id=ds["id"], private=False)
    assert status(world, ds) == "draft"
    assert nik(1) not in public_rows(pkg["resource_id"])
    # The walidata's exception; the update's publication brings the rows.
    exception(world, ds, pkg["resource_id"], "nik_kepala")
    world.publish(ds["id"])
    assert nik(1) in public_rows(pkg["resource_id"])


# A linked file loaded into a published dataset's table ----------------------------------

@pytest.fixture
def linked_files():
    """A real HTTP server on 127.0.0.1 serving a CSV with NIKs and a clean one."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    bodies = {"/penerima": NIK_CSV.encode(), "/rekap": CLEAN_CSV.encode()}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's hook
            body = bodies.get(self.path.split("?")[0], b"")
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/csv")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _load_link(world, ds, url: str) -> tuple[str, dict]:
    from ckanext.satudata.loader import jobs
    from ckanext.satudata.loader import status as load_status

    resource = call_action("resource_create", admin(world), package_id=ds["id"], url=url,
                           format="CSV", name="Tautan penerima")
    jobs.load_resource(resource["id"])
    return resource["id"], load_status.read(resource["id"])["value"]


@pytest.mark.ckan_config("ckanext.satudata.fetch.allowed_networks", "127.0.0.1/32")
def test_a_linked_file_with_niks_is_not_loaded_into_a_published_table(world, linked_files):
    """A sysadmin links a file to a published dataset: the loader would put it straight
    into the table outsiders read. It is refused before anything is loaded, naming the
    column; a clean file loads."""
    ds, _ = _published_clean(world)
    rid, value = _load_link(world, ds, f"{linked_files}/penerima")
    assert value["stage"] == "error", value
    text = " ".join(e["message"] for e in value["errors"])
    assert '"NIK"' in text and not any(n in text for n in ALL_NIKS)
    assert not call_action("resource_show", id=rid).get("datastore_active")
    assert nik(1) not in public_rows(rid)

    clean_id, clean = _load_link(world, ds, f"{linked_files}/rekap")
    assert clean["stage"] == "complete", clean
    assert call_action("resource_show", id=clean_id).get("datastore_active")


@pytest.mark.ckan_config("ckanext.satudata.fetch.allowed_networks", "127.0.0.1/32")
def test_a_linked_file_of_an_unpublished_dataset_loads_for_the_gate_to_judge(
        world, linked_files):
    """Before publication the table is the team's own: it loads, and publishing it is
    what the gate refuses."""
    ds = world.dataset("terbuka")
    rid, value = _load_link(world, ds, f"{linked_files}/penerima")
    assert value["stage"] == "complete", value
    message = refused("verifikasi_submit", world.context("operator"), id=ds["id"])
    assert "NIK" in message
