"""Monitoring (issue 13): the figures per OPD against hand-computed values on a world
built with the real workflow actions, the exports, and a fixed number of queries."""
from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.satudata.monitoring import figures
from ckanext.satudata.statistik import aggregate
from ckanext.verifikasi.tests.world import make_world
from tests.queries import queries_of

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
YEAR = 2025


@pytest.fixture
def world(with_request_context):
    return build_world()


def build_world():
    world = make_world()
    published = world.dataset(title="Data terbit", wilayah=["35.14.01", "35.14.02"])
    world.publish(published["id"])
    returned = world.dataset(title="Data dikembalikan")
    call_action("verifikasi_submit", world.context("operator"), id=returned["id"])
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    call_action("verifikasi_return", world.context("verifikator"), id=returned["id"],
                note="Lengkapi satuan", deadline=tomorrow)
    world.dataset(title="Data draf")
    call_action("satudata_daftar_data_create", {"user": world.users["walidata"]["name"]},
                year=YEAR, organization=world.opd["id"], title="Rencana data",
                kategori="DATA_DASAR", sektor="KESEHATAN", frequency="tahunan",
                periods=[{"period": "Y", "planned": f"{YEAR}-06-30"}])
    return world


def test_figures_match_hand_computed_values(world):
    later = dt.date.today() + dt.timedelta(days=30)
    rows = {r["organization_id"]: r for r in figures.by_opd(YEAR, None, today=later)}
    mine = rows[world.opd["id"]]
    assert {k: mine[k] for k in (
        "planned", "with_data", "datasets", "state_draft", "state_submitted", "state_verified",
        "state_returned", "state_published", "state_withdrawn", "percent_verified", "returned",
        "notes", "overdue_corrections", "updates_overdue", "views", "downloads")} == {
        "planned": 1, "with_data": 0, "datasets": 3, "state_draft": 1, "state_submitted": 0,
        "state_verified": 0, "state_returned": 1, "state_published": 1, "state_withdrawn": 0,
        "percent_verified": 33.3, "returned": 1, "notes": 1, "overdue_corrections": 1,
        "updates_overdue": 1, "views": 0, "downloads": 0}
    # Both datasets left 'submitted' (approved / returned) within the test: under a day.
    assert mine["days_submitted"] is not None and 0 <= mine["days_submitted"] < 1
    assert mine["days_returned"] is None  # still returned: no stay finished yet
    other = rows[world.other_opd["id"]]
    assert other["datasets"] == 0 and other["planned"] == 0 and other["percent_verified"] == 0
    # Today the correction deadline (tomorrow) is not passed yet.
    today = {r["organization_id"]: r for r in figures.by_opd(YEAR, None)}
    assert today[world.opd["id"]]["overdue_corrections"] == 0
    assert figures.totals(list(rows.values()))["datasets"] == 3
    # Coverage per kecamatan: only the published dataset, naming two kecamatan.
    coverage = {r["kode"]: (r["specific"], r["total"]) for r in figures.by_kecamatan(None)}
    assert coverage.pop("35.14.01") == (1, 1) and coverage.pop("35.14.02") == (1, 1)
    assert set(coverage.values()) == {(0, 0)}


def test_indicators_count_among_the_datasets_so_verified_stays_a_share(world):
    from ckanext.satudata.ms_keg_sample import complete_ms_ind

    activity = model.Session.execute(sa.select(model.Package.name).where(
        model.Package.title == "Data terbit")).scalar_one()
    indicator = call_action("package_create", world.context("operator"), name="indikator-uji",
                            title="Indikator uji", owner_org=world.opd["id"],
                            license_id="cc-by", klasifikasi_akses="terbuka", kategori="DATA_DASAR",
                            **complete_ms_ind("Indikator uji", activity, capaian=[
                                {"tahun": YEAR, "target": "98", "realisasi": "96"}]))
    world.publish(indicator["id"])
    mine = {r["organization_id"]: r for r in figures.by_opd(YEAR, None)}[world.opd["id"]]
    # Two of four published: the activity and its indicator (the demo showed 133 %).
    assert (mine["datasets"], mine["state_published"], mine["percent_verified"]) == (4, 2, 50.0)


def test_action_scopes_and_refuses_foreign_opd(world):
    result = call_action("satudata_monitoring_show", world.context("operator"), year=YEAR)
    assert [r["organization_id"] for r in result["rows"]] == [world.opd["id"]]
    with pytest.raises(Exception) as refused:
        call_action("satudata_monitoring_show", world.context("operator"),
                    organization=world.other_opd["id"])
    assert type(refused.value).__name__ == "NotAuthorized"
    everyone = call_action("satudata_monitoring_show", world.context("walidata"), year=YEAR)
    assert {r["organization_id"] for r in everyone["rows"]} >= {
        world.opd["id"], world.other_opd["id"]}


def _queries(app, path: str, headers: dict[str, str]) -> int:
    """Queries of a page whose figures are computed (not answered from Redis)."""
    aggregate.clear()
    return queries_of(app, path, headers)


def test_page_exports_and_query_count(app):
    with app.flask_app.test_request_context():
        world = build_world()
    token = factories.APIToken(user=world.users["walidata"]["id"])["token"]
    headers = {"Authorization": token}
    page = app.get(f"/monitoring/?year={YEAR}&sort=percent_verified&order=desc", headers=headers)
    assert page.status_code == 200 and "Dinas Kesehatan" in page.body
    data = app.get(f"/monitoring/unduh.csv?year={YEAR}", headers=headers)
    table = list(csv.reader(io.StringIO(data.data.decode("utf-8-sig"))))
    assert len(table) == 1 + len(call_action(
        "satudata_monitoring_show", world.context("walidata"), year=YEAR)["rows"])
    book = openpyxl.load_workbook(io.BytesIO(
        app.get(f"/monitoring/unduh.xlsx?year={YEAR}", headers=headers).data))
    assert [c.value for c in book.active[1]][:1] == [table[0][0]]
    kec = app.get(f"/monitoring/unduh.csv?year={YEAR}&table=kecamatan", headers=headers)
    assert "35.14.01" in kec.data.decode("utf-8-sig")
    before = _queries(app, f"/monitoring/?year={YEAR}", headers)
    with app.flask_app.test_request_context():
        for i in range(4):
            org = factories.Organization(title=f"Dinas Tambahan {i}")
            call_action("package_create", {"user": world.users["sysadmin"]["name"]},
                        **{**_copy_fields(world), "owner_org": org["id"],
                           "name": f"tambahan-{i}"})
    assert _queries(app, f"/monitoring/?year={YEAR}", headers) == before


def _copy_fields(world) -> dict:
    ds = world.dataset(title="Contoh")
    keep = dict(ds)
    for key in ("id", "name", "resources", "organization", "owner_org", "metadata_created",
                "metadata_modified", "revision_id", "state", "creator_user_id", "groups",
                "tags", "num_tags", "num_resources", "relationships_as_object",
                "relationships_as_subject", "private", "type", "extras"):
        keep.pop(key, None)
    return keep


def test_figures_are_kept_and_a_transition_shows_at_once(app):
    with app.flask_app.test_request_context():
        world = build_world()
        draft = world.dataset(title="Data baru")
    context = world.context("walidata")
    aggregate.clear()
    first = call_action("satudata_monitoring_show", dict(context), year=YEAR)
    kept = call_action("satudata_monitoring_show", dict(context), year=YEAR)
    assert kept == first

    def health(result):
        return next(r for r in result["rows"] if r["organization_title"] == "Dinas Kesehatan")

    # A transition changes the figures at once: they are kept under the workflow's version.
    call_action("verifikasi_submit", world.context("operator"), id=draft["id"])
    after = health(call_action("satudata_monitoring_show", dict(context), year=YEAR))
    assert after["state_submitted"] == health(first)["state_submitted"] + 1
    assert after["state_draft"] == health(first)["state_draft"] - 1
    # The scope is part of what is kept: an OPD's operator never gets the walidata's rows.
    own = call_action("satudata_monitoring_show", world.context("operator"), year=YEAR)
    assert {r["organization_title"] for r in own["rows"]} == {"Dinas Kesehatan"}
