"""The OPD staff's daily work (issue 16): messages in the portal's language whoever sends
them, one date format, the form's last stage, the submit button on the dataset page and
the completeness list grouped by form page.

Language: a background job runs with no Flask request or app context and outside any
`ckan` command (RQ's work horse); such jobs are run here in a fresh thread, which has no
context either, with the real queue (`with_test_worker`: no fork) and a real SMTP server.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from ckan import model
from ckan.lib.jobs import get_queue
from ckan.tests.helpers import call_action
from flask import has_app_context

from ckanext.satudata import localtime
from ckanext.satudata.permohonan import ratelimit
from ckanext.satudata.quality.model import QualityTicket
from ckanext.verifikasi.model import Notification
from ckanext.verifikasi.tests.world import make_world

LONG = ("Jumlah posyandu aktif per kecamatan di Kabupaten Pasuruan, dihimpun dari laporan "
        "bulanan puskesmas dan diverifikasi oleh Dinas Kesehatan setiap akhir tahun.")


@pytest.fixture
def world(with_plugins, clean_db, clean_index, clean_queues, with_request_context):
    ratelimit.reset()
    made = make_world()
    yield made
    ratelimit.reset()


def in_job(work: Callable[[], Any]) -> Any:
    """Run `work` as a background job runs: in a thread with no Flask context and no
    click command; its database session is its own."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            assert not has_app_context()
            out["value"] = work()
        except BaseException as err:  # noqa: BLE001 - re-raised in the test's thread
            out["error"] = err
        finally:
            model.Session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out.get("value")


def work_queue() -> None:
    """Run the queued jobs one by one, in this thread, as RQ's work horse does (an rq
    Worker itself only runs in the main thread: it installs signal handlers)."""
    queue = get_queue()
    for _ in range(20):
        jobs = queue.jobs
        if not jobs:
            return
        for job in jobs:
            queue.remove(job)
            job.perform()
            job.delete()
    raise AssertionError("the queue does not empty")


# Messages in the portal's default language, from a job ---------------------------------

def _about_quality(subject: str) -> bool:
    return "kualitas" in subject.lower() or "quality" in subject.lower()


def test_quality_job_without_any_context_notifies_and_mails_in_indonesian(world, smtp_server,
                                                                          make_app):
    from ckanext.satudata.quality import jobs

    ds = world.dataset(notes=LONG, tag_string="posyandu,kesehatan")
    world.publish(ds["id"])
    in_job(work_queue)  # the publication's scoring: no ticket
    model.Session.execute(sa.update(model.Package).where(model.Package.id == ds["id"])
                          .values(license_id=""))
    model.Session.commit()
    # The nightly scan queues nothing; its scoring in a job opens the ticket and tells the
    # OPD; the worker e-mails it.
    in_job(lambda: (jobs.enqueue([ds["id"]]), work_queue()))
    in_job(work_queue)
    model.Session.remove()
    assert model.Session.scalars(sa.select(QualityTicket).where(
        QualityTicket.package_id == ds["id"])).all()
    notes = model.Session.scalars(sa.select(Notification).where(
        Notification.package_id == ds["id"],
        Notification.user_id == world.users["operator"]["id"])).all()
    subjects = [n.subject for n in notes if _about_quality(n.subject)]
    assert subjects and all(s.startswith("[Satu Data] Tiket kualitas metadata") for s in subjects)
    mails = [m for m in smtp_server.to("operator@contoh.go.id")
             if _about_quality(str(m["Subject"]))]
    assert mails and all("Tiket kualitas metadata" in str(m["Subject"]) for m in mails)
    # The quality page's month of opening in the one format ("Desember 2026").
    today = localtime.today_wib()
    res = make_app().test_client().get("/kualitas-metadata/", extra_environ={
        "REMOTE_USER": world.users["walidata"]["name"]})
    row = BeautifulSoup(res.body, "html.parser").select_one("#quality-kpi tbody tr td")
    assert row.text == f"{localtime.MONTHS_ID[today.month - 1]} {today.year}"


def test_real_worker_process_notifies_and_mails_in_indonesian(world, smtp_server, run_worker):
    """The same through `ckan jobs worker` in its own process (RQ's forked work horse,
    where the command's click context gives the app; the thread tests above have none)."""
    from ckanext.satudata.quality import jobs

    ds = world.dataset(notes=LONG, tag_string="posyandu,kesehatan")
    world.publish(ds["id"])
    model.Session.execute(sa.update(model.Package).where(model.Package.id == ds["id"])
                          .values(license_id=""))
    model.Session.commit()
    jobs.enqueue([ds["id"]])
    for _ in range(2):  # the scoring, then the e-mails it queued
        done = run_worker()
        assert done.returncode == 0, done.stderr[-2000:]
    model.Session.remove()
    subjects = [n.subject for n in model.Session.scalars(sa.select(Notification).where(
        Notification.package_id == ds["id"],
        Notification.user_id == world.users["operator"]["id"]))
        if _about_quality(n.subject)]
    assert subjects and all(s.startswith("[Satu Data] Tiket kualitas metadata") for s in subjects)
    mails = [m for m in smtp_server.to("operator@contoh.go.id")
             if _about_quality(str(m["Subject"]))]
    assert mails and all("Tiket kualitas metadata" in str(m["Subject"]) for m in mails)


def test_workflow_step_from_a_job_notifies_in_indonesian(world, smtp_server):
    ds = world.dataset()
    in_job(lambda: call_action("verifikasi_submit", world.context("operator"), id=ds["id"]))
    in_job(work_queue)
    model.Session.remove()
    subjects = {n.subject for n in model.Session.scalars(
        sa.select(Notification).where(Notification.package_id == ds["id"]))}
    assert subjects and all(s.startswith("[Satu Data] Menunggu verifikasi Anda")
                            for s in subjects), subjects
    [mail] = smtp_server.to("verifikator@contoh.go.id")
    assert str(mail["Subject"]).startswith("[Satu Data] Menunggu verifikasi Anda")


def test_data_request_mails_from_a_job_or_an_english_page_are_indonesian(world, smtp_server,
                                                                        app):
    created = in_job(lambda: call_action(
        "satudata_request_create", world.context("grantee"), kind="data",
        description="Data curah hujan 2025"))
    [received] = smtp_server.to("peneliti@contoh.ac.id")
    # The state is "Diterima" once the pending translations are merged (the msgid was
    # "Received", which the catalogue gives as a column header, "Waktu kirim").
    assert str(received["Subject"]).startswith(f"Permohonan data {created['number']}: ")
    assert "Waktu kirim" not in str(received["Subject"])
    body = received.get_content()
    assert body.startswith("Halo ") and "Permohonan Anda telah diterima" in body
    assert "Follow your request" not in body and "Hello" not in body
    # The due date in the one format: "5 Desember 2026".
    due = dt.date.fromisoformat(created["due"])
    assert f"{due.day} {localtime.MONTHS_ID[due.month - 1]} {due.year}" in body
    assert due.strftime("%d-%m-%Y") not in body
    # Walidata's notification too.
    in_job(work_queue)
    model.Session.remove()
    [note] = model.Session.scalars(sa.select(Notification).where(
        Notification.user_id == world.users["walidata"]["id"])).all()
    assert note.body.startswith(f"Permohonan {created['number']} memerlukan tindak lanjut")
    # A step taken from a page in English still writes Indonesian to the requester.
    with app.flask_app.test_request_context("/en/permohonan-data"):
        call_action("satudata_request_update", world.context("walidata"), id=created["id"],
                    action="reject", note="Data tidak tersedia")
    last = smtp_server.to("peneliti@contoh.ac.id")[-1]
    assert str(last["Subject"]).startswith(f"Permohonan data {created['number']}:")
    assert "Hello" not in last.get_content()


# "Selesai" on an empty resource form ----------------------------------------------------

@pytest.fixture
def web(make_app):
    return make_app()


def _draft(world) -> dict[str, Any]:
    """A dataset still in the creation wizard (CKAN state `draft`)."""
    ds = world.dataset()
    call_action("package_patch", {"ignore_auth": True, "user": world.users["sysadmin"]["name"]},
                id=ds["id"], state="draft")
    return ds


def _post_empty_resource_form(web, world, ds: dict[str, Any], save: str) -> Any:
    """The resource form as a browser posts it with nothing filled in: every box empty and
    the file box's empty part (no file name, no bytes)."""
    client = web.test_client()
    environ = {"REMOTE_USER": world.users["operator"]["name"]}
    url = f"/dataset/{ds['name']}/resource/new"
    page = client.get(url, extra_environ=environ)
    assert page.status_code == 200
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.body).group(1)
    data = {"_csrf_token": token, "id": "", "url": "", "name": "", "description": "",
            "format": "", "upload": (io.BytesIO(b""), ""), "save": save}
    return client.post(url, data=data, extra_environ=environ,
                       content_type="multipart/form-data", follow_redirects=False)


def _shown(ds: dict[str, Any]) -> dict[str, Any]:
    return call_action("package_show", {"ignore_auth": True}, id=ds["id"])


@pytest.mark.parametrize("save", ["go-metadata", "again"])
def test_finish_with_nothing_and_no_resource_creates_nothing(world, web, save):
    ds = _draft(world)
    res = _post_empty_resource_form(web, world, ds, save)
    # Core's rule: a dataset needs one data resource; the form stays, with its error.
    assert res.status_code == 200
    assert 'id="resource-edit"' in res.body
    shown = _shown(ds)
    assert shown["resources"] == [] and shown["state"] == "draft"


def test_finish_with_nothing_after_a_resource_finishes_without_another(world, web):
    ds = _draft(world)
    call_action("resource_create", world.context("operator"), package_id=ds["id"],
                url="https://contoh.go.id/posyandu.csv", name="Posyandu", format="CSV")
    res = _post_empty_resource_form(web, world, ds, "go-metadata")
    assert res.status_code == 302 and res.headers["Location"].endswith(f"/dataset/{ds['id']}") \
        or res.headers["Location"].endswith(f"/dataset/{ds['name']}")
    shown = _shown(ds)
    assert [r["name"] for r in shown["resources"]] == ["Posyandu"]
    assert shown["state"] == "active"


def test_a_chosen_file_is_still_uploaded(world, web):
    ds = _draft(world)
    client = web.test_client()
    environ = {"REMOTE_USER": world.users["operator"]["name"]}
    url = f"/dataset/{ds['name']}/resource/new"
    token = re.search(r'name="_csrf_token" value="([^"]+)"',
                      client.get(url, extra_environ=environ).body).group(1)
    data = {"_csrf_token": token, "id": "", "url": "posyandu.csv", "name": "", "description": "",
            "format": "", "url_type": "upload", "save": "go-metadata",
            "upload": (io.BytesIO(b"kecamatan,jumlah\nBangil,12\n"), "posyandu.csv")}
    res = client.post(url, data=data, extra_environ=environ,
                      content_type="multipart/form-data", follow_redirects=False)
    assert res.status_code == 302, res.body[:2000]
    [resource] = _shown(ds)["resources"]
    assert resource["url_type"] == "upload" and resource["url"].endswith("posyandu.csv")


# The submit button on the dataset page, and what is missing, by form page ---------------

def _page(web, world, who: str | None, ds: dict[str, Any]) -> Any:
    environ = {"REMOTE_USER": world.users[who]["name"]} if who else {}
    return web.test_client().get(f"/dataset/{ds['name']}", extra_environ=environ)


def _submit_form(body: str) -> Any:
    return BeautifulSoup(body, "html.parser").find("form", id="verifikasi-submit-here")


SEES_BUTTON = {"operator": True, "sysadmin": True, "verifikator": False, "walidata": False,
               "surveyor": False, "other_operator": False, "other_verifikator": False,
               "pembina": False, None: False}


@pytest.mark.parametrize("who", list(SEES_BUTTON))
def test_submit_button_on_the_dataset_page_only_for_who_may_submit(world, web, who):
    ds = world.dataset()
    res = _page(web, world, who, ds)
    form = _submit_form(res.body) if res.status_code == 200 else None
    assert (form is not None) is SEES_BUTTON[who], (who, res.status_code)
    if form is not None:
        assert form["method"] == "post"
        assert form["action"] == f"/verifikasi/dataset/{ds['name']}/submit"
        assert form.find("input", attrs={"name": "_csrf_token"}) is not None
        # Complete: nothing listed as missing.
        assert form.find(class_="satudata-completeness") is None


def test_submit_from_the_dataset_page_sends_it_and_the_button_goes(world, web):
    ds = world.dataset()
    client = web.test_client()
    environ = {"REMOTE_USER": world.users["operator"]["name"]}
    page = client.get(f"/dataset/{ds['name']}", extra_environ=environ)
    form = _submit_form(page.body)
    token = form.find("input", attrs={"name": "_csrf_token"})["value"]
    res = client.post(form["action"], data={"_csrf_token": token}, extra_environ=environ,
                      follow_redirects=False)
    assert res.status_code == 302
    status = call_action("verifikasi_status_show", world.context("operator"), id=ds["id"])
    assert status["state"] == "submitted"
    assert _submit_form(client.get(f"/dataset/{ds['name']}", extra_environ=environ).body) \
        is None


def _required_fields_by_page() -> list[list[str]]:
    from ckanext.scheming.helpers import scheming_get_dataset_form_pages

    return [[f["field_name"] for f in page["fields"] if f.get("sdi_required")]
            for page in scheming_get_dataset_form_pages("dataset")]


def test_what_is_missing_is_grouped_by_form_page_with_links_to_the_fields(world, web):
    pages = _required_fields_by_page()
    # One mandatory field of the first page and one of a later page left empty.
    later = next(n for n, names in enumerate(pages) if n > 0 and names)
    first_field, later_field = pages[0][0], pages[later][0]
    ds = _draft(world)
    call_action("package_patch", {"ignore_auth": True, "user": world.users["sysadmin"]["name"]},
                id=ds["id"], **{first_field: "", later_field: ""})
    res = _page(web, world, "operator", ds)
    assert res.status_code == 200
    form = _submit_form(res.body)
    box = form.find(class_="satudata-completeness")
    groups = box.find_all(class_="satudata-completeness-page")
    assert [g["data-page"] for g in groups] == ["1", str(later + 1)]
    for group, field in zip(groups, (first_field, later_field), strict=True):
        page_url = f"/dataset/new/{ds['name']}/{group['data-page']}"
        assert group.find("a")["href"] == page_url  # the page itself (wizard: a draft)
        [item] = group.find_all("li")
        assert item["data-field"] == field
        assert item.find("a")["href"] == f"{page_url}#field-{field}"
    # Each group is headed by its page's name, as on the form's steps ("MS-Keg:" dropped).
    assert [g.find("a").text for g in groups] == [
        "Informasi Umum", "Identitas Kegiatan"] if later == 1 else True
    assert not any(g.find("a").text.startswith("MS-") for g in groups)
    # The anchor exists on that form page.
    environ = {"REMOTE_USER": world.users["operator"]["name"]}
    form_page = web.test_client().get(f"/dataset/new/{ds['name']}/{later + 1}",
                                      extra_environ=environ, follow_redirects=True)
    assert f'id="field-{later_field}"' in form_page.body


def test_links_go_to_the_edit_form_once_the_dataset_is_finished(world, web):
    pages = _required_fields_by_page()
    later = next(n for n, names in enumerate(pages) if n > 0 and names)
    ds = world.dataset()
    from ckanext.satudata import completeness, metadata

    shown = dict(_shown(ds), **{pages[later][0]: ""})
    with web.flask_app.test_request_context("/"):
        [group] = completeness.by_page(shown, metadata.check(shown))
    assert group["url"] == f"/dataset/edit/{ds['name']}/{later + 1}"
    assert group["problems"][0]["url"].endswith(f"#field-{pages[later][0]}")


def test_refused_submission_lists_what_is_missing_by_form_page(world, web):
    pages = _required_fields_by_page()
    later = next(n for n, names in enumerate(pages) if n > 0 and names)
    ds = _draft(world)
    call_action("package_patch", {"ignore_auth": True, "user": world.users["sysadmin"]["name"]},
                id=ds["id"], **{pages[0][0]: "", pages[later][0]: ""})
    client = web.test_client()
    environ = {"REMOTE_USER": world.users["operator"]["name"]}
    form = _submit_form(client.get(f"/dataset/{ds['name']}", extra_environ=environ).body)
    token = form.find("input", attrs={"name": "_csrf_token"})["value"]
    res = client.post(form["action"], data={"_csrf_token": token}, extra_environ=environ)
    assert res.status_code == 400
    box = BeautifulSoup(res.body, "html.parser").find(class_="verifikasi-form-errors")
    groups = box.find_all(class_="satudata-completeness-page")
    assert [g["data-page"] for g in groups] == ["1", str(later + 1)]
    links = [a["href"] for g in groups for a in g.find_all("li")[0].find_all("a")]
    assert links == [f"/dataset/new/{ds['name']}/1#field-{pages[0][0]}",
                     f"/dataset/new/{ds['name']}/{later + 1}#field-{pages[later][0]}"]
    # Each missing field is said once (grouped, not repeated in a flat list too).
    assert len(box.find_all("li")) == 2
    status = call_action("verifikasi_status_show", world.context("operator"), id=ds["id"])
    assert status["state"] == "draft"


# One date format ----------------------------------------------------------------------

def test_month_format():
    assert localtime.format_month("2026-12") == "Desember 2026"
    assert localtime.format_month(dt.date(2027, 1, 31)) == "Januari 2027"
    assert localtime.format_month("bukan") == "bukan"


def test_return_deadline_in_the_notification_is_in_the_one_format(world):
    ds = world.dataset()
    call_action("verifikasi_submit", world.context("operator"), id=ds["id"])
    deadline = localtime.today_wib() + dt.timedelta(days=10)
    call_action("verifikasi_return", world.context("verifikator"), id=ds["id"],
                note="Lengkapi metode", deadline=deadline.isoformat())
    [note] = model.Session.scalars(sa.select(Notification).where(
        Notification.package_id == ds["id"],
        Notification.user_id == world.users["operator"]["id"])).all()
    expected = f"{deadline.day} {localtime.MONTHS_ID[deadline.month - 1]} {deadline.year}"
    assert f"Batas waktu perbaikan: {expected}" in note.body
    assert deadline.strftime("%d-%m-%Y") not in note.body


def test_revision_date_errors_use_the_one_format(world):
    from ckanext.satudata.daftar import revisions
    from ckanext.satudata.daftar.model import DaftarEntry, DaftarPeriod

    entry = DaftarEntry(title="Jumlah Posyandu", year=2026)
    period = DaftarPeriod(period="Y", planned=dt.date(2026, 12, 5), revised=None,
                          released=None)
    errors = revisions.check(entry, period, dt.date(2029, 3, 7))
    [message] = errors["revised"]
    assert "7 Maret 2029" in message and "07-03-2029" not in message
