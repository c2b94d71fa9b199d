"""Metadata quality (issue 13): each check on crafted datasets, tickets opened for the
owning OPD (operators and verifikators told in-app and by e-mail, once), closed by a
re-scoring job after the fix (with the time they stayed open) or by walidata with a
reason, never deleted; drafts are scored without tickets; the nightly scan; the page's
figures. Jobs run in this process (`with_test_worker`), mail goes to a real SMTP server.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.cli.cli import ckan
from ckan.lib.jobs import Worker, get_queue
from ckan.tests.helpers import call_action

from ckanext.satudata.ms_keg_sample import complete_ms_keg
from ckanext.satudata.quality import checks, jobs, summary
from ckanext.satudata.quality.model import QualityScore, QualityTicket
from ckanext.verifikasi.tests.world import make_world
from tests.queries import statements

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index",
                                     "clean_queues", "with_test_worker")

LONG = ("Jumlah posyandu aktif per kecamatan di Kabupaten Pasuruan, dihimpun dari laporan "
        "bulanan puskesmas dan diverifikasi oleh Dinas Kesehatan setiap akhir tahun.")
MS_VAR = {"nama_variabel": "Jumlah", "alias": "jml", "konsep": "Posyandu",
          "definisi": "Banyaknya posyandu", "referensi_pemilihan": "-",
          "referensi_waktu": "2025", "tipe_data": "INTEGER",
          "value_domain": [{"kode": "1", "nilai": "ada"}], "aturan_validasi": ["> 0"],
          "kalimat_pertanyaan": "Berapa?", "akses_umum": True}


@pytest.fixture
def world(with_request_context):
    return make_world()


def work() -> None:
    """Run the queued jobs in this process (with_test_worker: no fork)."""
    Worker(["default"]).work(burst=True)
    model.Session.remove()


def good(world, **fields):
    """A published dataset that passes every check."""
    ds = world.dataset(notes=LONG, tag_string="posyandu,kesehatan", **fields)
    world.publish(ds["id"])
    return ds


def quality_mails(smtp_server, address):
    return [m for m in smtp_server.to(address)
            if any(w in str(m["Subject"]).lower() for w in ("kualitas", "quality"))]


def open_tickets(package_id):
    return list(model.Session.execute(sa.select(QualityTicket).where(
        QualityTicket.package_id == package_id, QualityTicket.closed.is_(None))).scalars())


def _facts(**changes) -> checks.Facts:
    data = {**complete_ms_keg("Jumlah Posyandu", 2025, "Dinas Kesehatan"), "notes": LONG,
            "license_id": "cc-by", "klasifikasi_akses": "terbuka", "title": "Jumlah Posyandu",
            "owner_org": "opd", "kategori": "DATA_DASAR"}
    facts = checks.Facts(id="p", name="p", title="Jumlah Posyandu", organization_id="opd",
                         data=data, published=True, tags=2,
                         columns={("Tabel", "jumlah"): dict(MS_VAR)},
                         valid_regions=frozenset({"35.14", "35.14.01"}))
    data_changes = changes.pop("data", {})
    facts.data.update(data_changes)
    for key in [k for k, v in data_changes.items() if v is None]:
        facts.data.pop(key)
    return dataclasses.replace(facts, **changes)


@pytest.mark.usefixtures("with_request_context")
@pytest.mark.parametrize(("check", "changes"), [
    ("sdi_wajib", {"data": {"tujuan_kegiatan": None}}),
    ("lisensi", {"data": {"license_id": ""}}),
    ("lisensi", {"data": {"license_id": "notspecified"}}),
    ("klasifikasi_akses", {"data": {"klasifikasi_akses": None}}),
    ("klasifikasi_akses", {"data": {"klasifikasi_akses": "publik"}}),
    ("ms_var", {"columns": {("Tabel", "jumlah"): {"label": "Jumlah"}}}),
    ("kode_wilayah", {"data": {"wilayah": '["35.14", "99.99"]'}}),
    ("deskripsi", {"data": {"notes": "Data posyandu."}}),
    ("kata_kunci", {"tags": 0}),
    ("email_kontak", {"data": {"email_instansi": "", "pj_email": None}}),
])
def test_each_check_fails_on_its_problem_and_only_it(check, changes):
    assert checks.evaluate(_facts()).failing == {}
    assert checks.evaluate(_facts()).score == 100
    result = checks.evaluate(_facts(**changes))
    assert list(result.failing) == [check]
    spec = checks.BY_ID[check]
    assert result.score < 100
    assert result.dimensions[spec.dimension] < 100
    assert all(v == 100 for d, v in result.dimensions.items() if d != spec.dimension)


@pytest.mark.usefixtures("with_request_context")
def test_checks_that_do_not_apply_are_left_out_of_the_score():
    # Mandatory fields only count once published; MS-Var only with DataStore columns.
    draft = checks.evaluate(_facts(published=False, data={"tujuan_kegiatan": None},
                                   columns={}))
    assert draft.failing == {} and draft.score == 100
    kritis = checks.evaluate(_facts(data={"license_id": ""}))
    sedang = checks.evaluate(_facts(tags=0))
    assert kritis.score < sedang.score  # weights 3 / 2 / 1


def _queries(run) -> int:
    model.Session.remove()
    with statements() as found:
        run()
    return len(found)


def test_scoring_reads_a_batch_in_a_fixed_number_of_queries(world):
    ids = [world.dataset(name=f"data-batch-{i}", tag_string="aa,bb")["id"] for i in range(4)]
    for pid in ids[1:]:
        call_action("resource_create", world.context("operator"), package_id=pid,
                    name="Tabel", url="http://127.0.0.1/t.csv", format="CSV")
    few = _queries(lambda: checks.load(ids[:1]))
    many = _queries(lambda: checks.load(ids))
    assert len(checks.load(ids)) == 4
    assert many == few


def test_published_dataset_fixed_by_an_edit_closes_its_kritis_ticket(world, smtp_server):
    ds = good(world)
    work()
    score = model.Session.get(QualityScore, ds["id"])
    assert score is not None and score.failing == {} and score.score == 100
    assert open_tickets(ds["id"]) == []

    # A licence lost (as a harvest or an old import leaves it): the nightly scan finds it.
    model.Session.execute(sa.update(model.Package).where(model.Package.id == ds["id"])
                          .values(license_id=""))
    model.Session.commit()
    assert jobs.scan() == {"scored": 1, "opened": 1, "closed": 0}
    work()  # the e-mails go from the worker
    [ticket] = open_tickets(ds["id"])
    assert (ticket.check, ticket.severity, ticket.organization_id) == (
        "lisensi", "kritis", world.opd["id"])
    assert ticket.notified is not None
    for who in ("operator", "verifikator"):
        [mail] = quality_mails(smtp_server, f"{who}@contoh.go.id")
        assert "Jumlah Posyandu" in str(mail["Subject"])
        notes = call_action("verifikasi_notification_list", world.context(who))["notifications"]
        # (Indonesian once the lead merges the pending translations.)
        assert sum("Jumlah Posyandu" in n["subject"]
                   and ("kualitas" in n["subject"].lower() or "quality" in n["subject"].lower())
                   for n in notes) == 1, [n["subject"] for n in notes]
    for who in ("other_operator", "other_verifikator", "walidata"):
        assert quality_mails(smtp_server, f"{who}@contoh.go.id") == []
    # Scanning again: the same ticket, no second message.
    assert jobs.scan()["opened"] == 0
    work()
    assert len(quality_mails(smtp_server, "operator@contoh.go.id")) == 1

    # The fix: an edit; the job it queues closes the ticket.
    get_queue().empty()
    call_action("package_patch", {"user": world.users["sysadmin"]["name"]}, id=ds["id"],
                license_id="cc-by")
    assert get_queue().count >= 1  # the request only queued the scoring
    assert open_tickets(ds["id"])  # nothing closed yet
    work()
    assert open_tickets(ds["id"]) == []
    closed = model.Session.get(QualityTicket, ticket.id)
    assert closed.closed is not None and closed.closed_by is None
    assert closed.close_reason is None and closed.open_seconds is not None
    listed = call_action("satudata_quality_ticket_list", world.context("operator"),
                         state="closed")
    assert [(t["id"], t["closed_automatically"]) for t in listed["results"]] == [
        (ticket.id, True)]
    assert listed["results"][0]["open_seconds"] >= 0


def test_walidata_closes_a_ticket_with_a_reason_and_it_stays_closed(world):
    import ckan.plugins.toolkit as tk

    ds = good(world)
    work()
    model.Session.execute(sa.update(model.PackageExtra).where(
        model.PackageExtra.package_id == ds["id"],
        model.PackageExtra.key.in_(("email_instansi", "pj_email"))).values(value=""))
    model.Session.commit()
    jobs.score_datasets([ds["id"]])
    [ticket] = open_tickets(ds["id"])
    assert ticket.check == "email_kontak" and ticket.severity == "sedang"

    for reason in (None, "", "   "):
        body = {"id": ticket.id} if reason is None else {"id": ticket.id, "reason": reason}
        with pytest.raises(tk.ValidationError) as err:
            call_action("satudata_quality_ticket_close", world.context("walidata"), **body)
        assert "reason" in err.value.error_dict
    closed = call_action("satudata_quality_ticket_close", world.context("walidata"),
                         id=ticket.id, reason="Instansi belum memiliki surel resmi")
    assert closed["state"] == "closed" and not closed["closed_automatically"]
    assert closed["closed_by"] == world.users["walidata"]["id"]
    assert closed["close_reason"] == "Instansi belum memiliki surel resmi"
    with pytest.raises(tk.ValidationError):
        call_action("satudata_quality_ticket_close", world.context("walidata"),
                    id=ticket.id, reason="lagi")

    # An accepted exception: scanning again opens no new ticket while the problem stays.
    jobs.score_datasets([ds["id"]])
    assert open_tickets(ds["id"]) == []
    # Fixed, then broken again: a new ticket; the old one is kept.
    call_action("package_patch", {"user": world.users["sysadmin"]["name"]}, id=ds["id"],
                email_instansi="data@pasuruankab.go.id")
    work()
    model.Session.execute(sa.update(model.PackageExtra).where(
        model.PackageExtra.package_id == ds["id"],
        model.PackageExtra.key == "email_instansi").values(value=""))
    model.Session.commit()
    jobs.score_datasets([ds["id"]])
    [again] = open_tickets(ds["id"])
    assert again.id != ticket.id
    every = call_action("satudata_quality_ticket_list", world.context("walidata"), state="all")
    assert {t["id"] for t in every["results"]} == {ticket.id, again.id}


def test_drafts_are_scored_without_tickets_and_withdrawal_closes_tickets(world):
    draft = world.dataset(title="Draf Pendek", notes="Singkat.")
    work()
    assert model.Session.get(QualityScore, draft["id"]).failing == {"deskripsi": "8",
                                                                    "kata_kunci": "0"}
    assert open_tickets(draft["id"]) == []

    ds = world.dataset(title="Terbit Pendek", notes="Singkat.")
    world.publish(ds["id"])
    work()
    assert {t.check for t in open_tickets(ds["id"])} == {"deskripsi", "kata_kunci"}
    shown = call_action("satudata_quality_show", world.context("verifikator"), id=ds["id"])
    assert {c["check"] for c in shown["failing"]} == {"deskripsi", "kata_kunci"}
    assert shown["score"] < 100 and len(shown["tickets"]) == 2

    call_action("verifikasi_withdraw", world.context("walidata"), id=ds["id"],
                reason="Data diganti")
    work()
    assert open_tickets(ds["id"]) == []
    closed = model.Session.execute(sa.select(QualityTicket).where(
        QualityTicket.package_id == ds["id"])).scalars().all()
    assert {t.close_reason for t in closed} == {"unpublished"}


def test_page_figures_per_opd_and_kpi(world, cli):
    ds = world.dataset(title="Terbit Pendek", notes="Singkat.")
    world.publish(ds["id"])
    other = world.dataset(title="Lain", notes=LONG, tag_string="aa")
    work()
    result = cli.invoke(ckan, ["satudata", "quality", "scan"])
    assert result.exit_code == 0, result.output
    assert "2 dataset dinilai" in result.output
    rows = {r.organization_id: r for r in summary.by_opd(None)}
    assert rows[world.opd["id"]].open == {"kritis": 0, "tinggi": 0, "sedang": 2}
    assert rows[world.opd["id"]].datasets == 2
    assert rows[world.other_opd["id"]].datasets == 0
    assert list(summary.by_opd([world.other_opd["id"]]))[0].open_total == 0
    month = (dt.datetime.utcnow() + summary.WIB).strftime("%Y-%m")
    assert summary.kpi(None) == [{"month": month, "opened": 2, "closed_within": 0,
                                  "percent": 0}]
    call_action("package_patch", {"user": world.users["sysadmin"]["name"]}, id=ds["id"],
                notes=LONG, tag_string="posyandu")
    work()
    assert summary.kpi(None) == [{"month": month, "opened": 2, "closed_within": 2,
                                  "percent": 100}]
    assert summary.kpi([world.other_opd["id"]]) == []
    assert other["id"]


def test_one_waiting_scoring_per_dataset(world):
    ds = good(world)
    work()
    queue = get_queue()

    def waiting() -> int:
        return sum(1 for job in queue.jobs
                   if job.func_name.endswith("score_datasets") and list(job.args) == [[ds["id"]]])

    assert waiting() == 0
    # package_patch signals success twice (itself and the package_update it calls), and a
    # second edit comes before the worker: one scoring waits, and it reads the last edit.
    sysadmin = {"user": world.users["sysadmin"]["name"]}
    call_action("package_patch", dict(sysadmin), id=ds["id"], tags=[])
    call_action("package_patch", dict(sysadmin), id=ds["id"], title="Jumlah Bidan")
    assert waiting() == 1
    work()
    assert waiting() == 0
    assert [t.check for t in open_tickets(ds["id"])] == ["kata_kunci"]
    # After it ran, the next change is scored again.
    call_action("package_patch", dict(sysadmin), id=ds["id"], tags=[{"name": "posyandu"}])
    assert waiting() == 1
    work()
    assert open_tickets(ds["id"]) == []
