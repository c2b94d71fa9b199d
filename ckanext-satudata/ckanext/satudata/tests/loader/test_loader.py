"""The DataStore loader: shadow load and swap, types, sheets, status, stale jobs, auth."""
from __future__ import annotations

import datetime as dt
import io
import re
import threading
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan.tests import factories as core_factories
from ckan.tests.helpers import call_action
from ckanext.datastore.backend import postgres as ds

from ckanext.satudata.loader import children, copytext, pipe, run, shadow, stale, status
from ckanext.satudata.tests import factories

pytestmark = pytest.mark.usefixtures(
    "with_plugins", "clean_datastore", "clean_queue")

CSV = ("kode;nama;jumlah;nilai;tanggal;aktif\n"
       "0164A;Desa Satu;-5;1.234,56;31/12/2024;true\n"
       "007;Desa Dua;12;2,5;2025-01-02;false\n"
       "35.14;Desa\tTiga \\ x;0;-0,75;;\n")


def _records(resource_id: str, **params: Any) -> list[dict[str, Any]]:
    return call_action("datastore_search", resource_id=resource_id, limit=1000,
                       **params)["records"]


def _types(resource_id: str) -> dict[str, str]:
    info = call_action("datastore_info", id=resource_id)
    return {f["id"]: f["type"] for f in info["fields"]}


def _info(resource_id: str) -> dict[str, dict[str, Any]]:
    info = call_action("datastore_info", id=resource_id)
    return {f["id"]: f.get("info") or {} for f in info["fields"]}


def _loaded(upload_resource, run_worker, data: str | bytes, filename: str = "data.csv",
            **fields: Any) -> dict[str, Any]:
    dataset = factories.Dataset()
    resource = upload_resource(data, filename, dataset["id"], **fields)
    run_worker()
    return resource


def _status(resource_id: str) -> dict[str, Any]:
    return call_action("xloader_status", resource_id=resource_id)["satudata_loader"]


def _big_csv(rows: int, bad_row: int | None = None, bad_value: str = "x") -> str:
    lines = ["kode;jumlah"]
    for i in range(1, rows + 1):
        value = bad_value if i == bad_row else str(i - 500)
        lines.append(f"{i:05d};{value}")
    return "\n".join(lines) + "\n"


def test_upload_is_loaded_with_safe_types_and_a_complete_datastore_table(
        upload_resource, real_worker):
    # A real `ckan jobs worker` process: the job enqueued by its path runs there, end to end.
    resource = _loaded(upload_resource, real_worker, CSV)
    rid = resource["id"]
    assert _types(rid) == {"kode": "text", "nama": "text", "jumlah": "int8",
                           "nilai": "numeric", "tanggal": "date", "aktif": "bool"}
    rows = _records(rid)
    assert [r["kode"] for r in rows] == ["0164A", "007", "35.14"]  # codes stay text
    assert [r["jumlah"] for r in rows] == [-5, 12, 0]  # negatives stay numbers
    assert [str(r["nilai"]) for r in rows] == ["1234.56", "2.5", "-0.75"]  # decimal commas
    assert [r["tanggal"] for r in rows] == ["2024-12-31", "2025-01-02", None]
    assert [r["aktif"] for r in rows] == [True, False, None]
    assert rows[2]["nama"] == "Desa\tTiga \\ x"  # COPY escapes survive
    # Full-text search, the trigger and the index names are what the backend makes.
    assert [r["kode"] for r in _records(rid, q="Satu")] == ["0164A"]
    with shadow.engine().connect() as conn:
        fields = ds._get_fields(conn, rid)
        indexes = set(ds._get_index_names(conn, rid))
        triggers = {r[0] for r in conn.execute(sa.text(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = cast(:t AS regclass)"), {"t": rid})}
        leftovers = conn.execute(sa.text(
            "SELECT count(*) FROM pg_tables WHERE tablename LIKE '\\_satudata\\_shadow\\_%'"
        )).scalar()
    names, _skipped = ds._build_fts_indexes({"resource_id": rid}, "{name}", fields)
    assert set(names) | {f"{rid}_pkey"} <= indexes
    assert "zfulltext" in triggers and leftovers == 0
    # The read-only user sees it (search_sql goes through the read URL).
    with ds.get_read_engine().connect() as conn:
        assert conn.execute(sa.text(f'SELECT count(*) FROM "{rid}"')).scalar() == 3
    assert call_action("resource_show", id=rid)["datastore_active"] is True
    state = _status(rid)
    assert state["stage"] == "complete" and state["rows_loaded"] == 3
    assert state["sheets"] == ["CSV"] and state["attempt"] == 1 and state["heartbeat"]
    answer = call_action("xloader_status", resource_id=rid)
    assert answer["status"] == "complete"  # xloader's keys are kept


def test_reload_keeps_ms_var_and_aliases_and_readers_see_old_then_new(
        upload_resource, run_worker, tmp_path, sysadmin_context):
    resource = _loaded(upload_resource, run_worker, _big_csv(3000))
    rid = resource["id"]
    ms_var = {"label": "Jumlah", "konsep": "Penduduk", "tipe_data": "INTEGER"}
    call_action("datastore_create", dict(sysadmin_context), resource_id=rid, force=True,
                aliases="penduduk_alias",
                fields=[{"id": "kode", "type": "text", "info": {"label": "Kode"}},
                        {"id": "jumlah", "type": "int8", "info": ms_var}])
    path = tmp_path / "new.csv"
    path.write_text("kode;jumlah;baru\n" + "".join(
        f"{i:05d};{i - 500};x\n" for i in range(1, 5001)), encoding="utf-8")
    seen: list[int] = []

    def read_live() -> None:
        # Another connection, in the middle of the load: the whole old table, nothing else.
        seen.append(call_action("datastore_search", resource_id=rid, limit=0)["total"])
        seen.append(len(_types(rid)))

    shadow_seen: list[Any] = []

    def progress(**fields: Any) -> None:
        if fields.get("stage") == "indexing":
            with ds.get_read_engine().connect() as conn:
                shadow_seen.append(conn.execute(sa.text(
                    "SELECT count(*) FROM pg_tables WHERE tablename = :t"),
                    {"t": shadow.shadow_name(rid)}).scalar())
            read_live()

    # Indexing on the shadow (index_after_swap off): the old table is read until the end.
    result = run.run_load(rid, str(path), "new.csv", on_progress=progress,
                           before_swap=read_live, index_after_swap=False)
    assert result.rows == 5000
    assert seen == [3000, 2, 3000, 2]  # old rows and old columns (kode, jumlah) throughout
    assert shadow_seen == [0]  # the shadow is invisible until it is swapped in
    assert call_action("datastore_search", resource_id=rid, limit=0)["total"] == 5000
    info = _info(rid)
    assert info["jumlah"]["konsep"] == "Penduduk" and info["kode"]["label"] == "Kode"
    assert "baru" in info and _types(rid)["jumlah"] == "int8"
    assert call_action("datastore_search", resource_id="penduduk_alias", limit=0)["total"] == 5000


def test_swap_first_new_rows_are_readable_while_full_text_is_built(
        upload_resource, run_worker, tmp_path):
    resource = _loaded(upload_resource, run_worker, _big_csv(300))
    rid = resource["id"]
    path = tmp_path / "baru.csv"
    path.write_text("kode;nama\n" + "".join(f"{i:05d};desa baru {i}\n" for i in range(1, 1201)),
                    encoding="utf-8")
    during: list[int] = []

    def progress(**fields: Any) -> None:
        if fields.get("stage") == "indexing":
            during.append(call_action("datastore_search", resource_id=rid, limit=0)["total"])

    run.run_load(rid, str(path), "baru.csv", on_progress=progress, index_after_swap=True)
    assert during and set(during) == {1200}  # the new table, already swapped in
    found = call_action("datastore_search", resource_id=rid, q="baru", limit=0)["total"]
    assert found == 1200  # full text complete once the load ends
    assert _status(rid)["stage"] == "complete"


def test_a_bad_value_in_a_declared_column_fails_and_keeps_the_old_table(
        upload_resource, run_worker, sysadmin_context, create_with_upload):
    resource = _loaded(upload_resource, run_worker, _big_csv(100))
    rid = resource["id"]
    call_action("datastore_create", dict(sysadmin_context), resource_id=rid, force=True,
                fields=[{"id": "jumlah", "type": "int8",
                         "info": {"label": "Jumlah", "tipe_data": "INTEGER"}}])
    before = _records(rid)
    create_with_upload(_big_csv(8000, bad_row=7000, bad_value="tujuh"), "data.csv",
                       context=dict(sysadmin_context), action="resource_update", id=rid,
                       package_id=resource["package_id"], url="data.csv", format="CSV")
    run_worker()
    state = _status(rid)
    assert state["stage"] == "error", state
    error = state["errors"][0]
    assert error["row"] == 7001 and error["column"] == "jumlah"  # row 1 is the header
    assert "7001" in error["message"] and "jumlah" in error["message"]
    assert _records(rid) == before
    assert _info(rid)["jumlah"] == {"label": "Jumlah", "tipe_data": "INTEGER"}
    with shadow.engine().connect() as conn:
        assert not conn.execute(sa.text("SELECT 1 FROM pg_tables WHERE tablename = :t"),
                                {"t": shadow.shadow_name(rid)}).first()


def test_a_late_value_that_does_not_fit_a_guessed_type_turns_the_column_to_text(
        upload_resource, run_worker):
    resource = _loaded(upload_resource, run_worker,
                       _big_csv(3000, bad_row=2500, bad_value="12A"))
    rid = resource["id"]
    assert _status(rid)["stage"] == "complete", _status(rid)
    assert _types(rid)["jumlah"] == "text"
    rows = _records(rid, filters={"kode": ["00001", "02500"]})
    assert [r["jumlah"] for r in rows] == ["-499", "12A"]  # nothing rewritten
    state = _status(rid)
    assert state["stage"] == "complete"
    assert any("jumlah" in n["message"] and "2501" in n["message"] for n in state["notices"])
    assert {c["id"]: c["source"] for c in state["columns"]}["jumlah"] == "text_fallback"


def _xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    first.title = "Ringkasan"
    first.append(["kecamatan", "jumlah"])
    first.append(["Purwodadi", 10])
    second = book.create_sheet("Rinci")
    second.append(["desa", "kode", "nilai"])
    second.append(["Tutur", "0007", -1.5])
    second.append(["Nongkojajar", "0012", 2.25])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_workbooks_list_their_sheets_and_an_editor_reloads_another_one(
        upload_resource, run_worker, app, sysadmin_context):
    org_admin = core_factories.User()
    org = core_factories.Organization()
    # The OPD's operator (a CKAN editor whose role verifikasi knows).
    call_action("verifikasi_role_assign", dict(sysadmin_context), user=org_admin["name"],
                role="operator", organization=org["id"])
    dataset = factories.Dataset(owner_org=org["id"])
    resource = upload_resource(_xlsx(), "data.xlsx", dataset["id"])
    run_worker()
    rid = resource["id"]
    state = _status(rid)
    assert state["stage"] == "complete", state
    assert state["sheets"] == ["Ringkasan", "Rinci"] and state["sheet"] == "Ringkasan"
    assert _records(rid) == [{"_id": 1, "kecamatan": "Purwodadi", "jumlah": 10}]

    user_context = {"user": org_admin["name"], "ignore_auth": False}
    assert call_action("xloader_status", dict(user_context), resource_id=rid)
    token = core_factories.APIToken(user=org_admin["name"])["token"]
    client = app.test_client()
    headers = {"Authorization": token}
    url = f"/dataset/{dataset['name']}/resource_data/{rid}"
    api = client.get(f"/api/3/action/xloader_status?resource_id={rid}", headers=headers)
    assert api.status_code == 200, api.body[:1500]
    page = client.get(url, headers=headers)
    assert page.status_code == 200, page.status_code
    form = page.body.split('name="sheet"')[0].rsplit("<form", 1)[1]
    assert "Rinci" in page.body and "Ringkasan" in page.body
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', form).group(1)
    done = client.post(f"{url}/sheet", data={"sheet": "Rinci", "_csrf_token": csrf},
                       headers=headers, follow_redirects=False)
    assert done.status_code == 302
    assert call_action("resource_show", id=rid)["satudata_sheet"] == "Rinci"
    run_worker()
    assert _status(rid)["sheet"] == "Rinci"
    rows = _records(rid)
    assert [(r["kode"], str(r["nilai"])) for r in rows] == [("0007", "-1.5"), ("0012", "2.25")]


def test_a_stale_running_job_is_requeued_then_marked_failed(upload_resource, run_worker):
    resource = _loaded(upload_resource, run_worker, CSV)
    rid = resource["id"]
    old = (dt.datetime.utcnow() - dt.timedelta(minutes=30)).isoformat()
    status.write(rid, stage="loading", heartbeat=old, attempt=1, job_id="dead-job")
    assert _status(rid)["stage"] == "queued"  # xloader_status noticed and re-enqueued
    assert _status(rid)["attempt"] == 2
    status.write(rid, stage="loading", heartbeat=old)  # the second attempt dies too
    assert stale.sweep_stale_loads() == [{"resource_id": rid, "action": "failed"}]
    state = _status(rid)
    assert state["stage"] == "error" and not state["running"]
    assert state["errors"][-1]["msgid"] == stale.STOPPED_MESSAGE
    assert call_action("xloader_status", resource_id=rid)["status"] == "error"


def test_progress_is_reported_while_loading(upload_resource, run_worker, tmp_path, ckan_config,
                                            monkeypatch):
    resource = _loaded(upload_resource, run_worker, _big_csv(10))
    monkeypatch.setitem(ckan_config, "ckanext.satudata.loader.heartbeat_rows", 1000)
    path = tmp_path / "more.csv"
    path.write_text(_big_csv(12000), encoding="utf-8")
    counts: list[int] = []

    def progress(**fields: Any) -> None:
        status.write(resource["id"], heartbeat=status.now(), **fields)
        if "rows_loaded" in fields and fields.get("stage") is None:
            counts.append(_status(resource["id"])["rows_loaded"])

    run.run_load(resource["id"], str(path), "more.csv", on_progress=progress)
    assert counts[:2] == [5000, 10000] and counts[-1] == 12000


def test_two_loads_of_one_resource_never_interleave(upload_resource, run_worker, tmp_path):
    resource = _loaded(upload_resource, run_worker, _big_csv(10))
    rid = resource["id"]
    path = tmp_path / "second.csv"
    path.write_text(_big_csv(20), encoding="utf-8")
    order: list[str] = []
    with shadow.resource_lock(rid):
        worker = threading.Thread(target=lambda: (
            shadow.resource_lock(rid).__enter__(), order.append("second started")))
        worker.start()
        worker.join(2.5)
        order.append("first done")
    worker.join(10)
    assert order == ["first done", "second started"]


def test_other_formats_fall_through_to_xloader(sysadmin_context, upload_resource):
    dataset = factories.Dataset()
    # An upload (xloader reads it from the portal itself; linked files never go to
    # xloader: tests/loader/test_fetch.py).
    resource = upload_resource(b"%PDF-1.4", "laporan.pdf", dataset["id"])
    # xloader's own action takes it: here it refuses for want of an API token.
    with pytest.raises(tk.ValidationError, match="api_token"):
        call_action("xloader_submit", dict(sysadmin_context), resource_id=resource["id"])
    assert status.read(resource["id"]) is None


@pytest.mark.parametrize("who, allowed", [
    ("anonymous", False), ("other_org", False), ("member", False), ("editor", True),
    ("admin", True)])
def test_submit_auth_is_xloaders(who, allowed, upload_resource):
    users = {name: core_factories.User() for name in ("editor", "admin", "member", "other_org")}
    org = core_factories.Organization(users=[
        {"name": users["editor"]["name"], "capacity": "editor"},
        {"name": users["admin"]["name"], "capacity": "admin"},
        {"name": users["member"]["name"], "capacity": "member"}])
    core_factories.Organization(users=[{"name": users["other_org"]["name"], "capacity": "admin"}])
    dataset = factories.Dataset(owner_org=org["id"])
    resource = upload_resource(CSV, "data.csv", dataset["id"])
    context = {"user": users[who]["name"] if who in users else "", "ignore_auth": False}
    if allowed:
        assert call_action("xloader_submit", context, resource_id=resource["id"]) is True
    else:
        with pytest.raises(tk.NotAuthorized):
            call_action("xloader_submit", context, resource_id=resource["id"])


def _live_rows(rid: str) -> int:
    with shadow.engine().connect() as conn:
        return conn.execute(sa.text(f'SELECT count(*) FROM "{rid}"')).scalar()


@pytest.mark.parametrize("how", ["dies", "raises"])
def test_a_converting_child_that_dies_or_fails_keeps_the_old_table(
        how, upload_resource, run_worker, tmp_path, monkeypatch):
    resource = _loaded(upload_resource, run_worker, _big_csv(10))
    rid = resource["id"]
    path = tmp_path / "next.csv"
    path.write_text(_big_csv(12000), encoding="utf-8")
    real = copytext.copy_chunks

    def failing(*args: Any, **kwargs: Any):
        for n, chunk in enumerate(real(*args, **kwargs)):
            if n == 1:  # after some rows went into COPY: the child process only
                if how == "dies":
                    import os
                    import signal
                    os.kill(os.getpid(), signal.SIGKILL)
                raise OSError("disk vanished")
            yield chunk

    monkeypatch.setattr(copytext, "copy_chunks", failing)
    assert children.USE_CHILD
    expected = pytest.raises(pipe.ChildFailed if how == "dies" else OSError)
    with expected:
        run.run_load(rid, str(path), "next.csv")
    assert _live_rows(rid) == 10
    with shadow.engine().connect() as conn:
        assert not conn.execute(sa.text("SELECT 1 FROM pg_tables WHERE tablename = :t"),
                                {"t": shadow.shadow_name(rid)}).first()


def test_a_resource_managed_through_the_datastore_api_is_never_loaded_from_a_file(
        sysadmin_context, run_worker):
    dataset = factories.Dataset()
    created = call_action("datastore_create", dict(sysadmin_context), resource={
        "package_id": dataset["id"], "name": "Tabel", "format": "CSV"},
        fields=[{"id": "kode", "type": "text"}], records=[{"kode": "0164A"}], force=True)
    rid = created["resource_id"]
    run_worker()  # whatever was queued while the resource was being created
    assert call_action("resource_show", id=rid)["url_type"] == "datastore"
    assert call_action("datastore_search", resource_id=rid)["records"][0]["kode"] == "0164A"
    try:
        value = _status(rid)
    except tk.ObjectNotFound:  # nothing was ever queued for it
        value = {}
    assert value.get("stage") in (None, "complete") and not value.get("errors")
