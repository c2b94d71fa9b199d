"""The inbox as each role meets it: where login lands, the header's count of datasets
waiting, and the inbox's OPD, waiting time, sorting and filtering.

Requests go to `web`, an app of its own (see test_pages.py's docstring), with the
world's API tokens.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.verifikasi import queue
from ckanext.verifikasi.model.workflow import WorkflowState


@pytest.fixture
def web(make_app):
    return make_app()


def _get(web, world, who, url):
    if who is None:
        return web.get(url, follow_redirects=False)
    if who == "sysadmin":
        return web.get(url, extra_environ={"REMOTE_USER": world.users[who]["name"]},
                       follow_redirects=False)
    return web.get(url, headers={"Authorization": world.users[who]["token"]},
                   follow_redirects=False)


def _submit(world, **fields):
    ds = world.dataset(**fields)
    call_action("verifikasi_submit", world.context("operator"), id=ds["id"])
    return ds


def _waiting_badge(body: str) -> int | None:
    found = re.search(r'class="badge verifikasi-waiting-count">(\d+)<', body)
    return int(found.group(1)) if found else None


@pytest.mark.parametrize(("who", "lands_on"), [
    ("operator", "/verifikasi/inbox"), ("verifikator", "/verifikasi/inbox"),
    ("other_verifikator", "/verifikasi/inbox"), ("walidata", "/verifikasi/inbox"),
    ("sysadmin", "/verifikasi/inbox"), ("surveyor", "/dashboard/datasets"),
    ("stranger", "/dashboard/datasets"), (None, "/user/login"),
])
def test_after_login_each_role_lands_where_its_work_is(web, world, who, lands_on):
    # /user/me follows ckan.auth.route_after_login, as the login form does.
    res = _get(web, world, who, "/user/me")
    assert res.status_code == 302
    landing = _get(web, world, who, res.headers["Location"])
    assert landing.status_code == 302, landing.status_code
    assert landing.headers["Location"].split("?")[0].endswith(lands_on)


def test_the_header_counts_what_waits_for_the_viewer_only(web, world):
    _submit(world, title="Jumlah Puskesmas")
    _submit(world, title="Jumlah Posyandu")
    assert _waiting_badge(_get(web, world, "verifikator", "/dataset/").body) == 2
    # Another OPD's verifikator, the operator (nothing returned) and the walidata
    # (nothing verified yet) have nothing waiting.
    for who in ("other_verifikator", "operator", "walidata"):
        assert _waiting_badge(_get(web, world, who, "/dataset/").body) is None, who
    assert "verifikasi-inbox" not in _get(web, world, None, "/dataset/").body


def test_the_count_equals_the_inbox_and_follows_returns(web, world):
    ds = _submit(world, title="Jumlah Puskesmas")
    call_action("verifikasi_return", world.context("verifikator"), id=ds["id"],
                note="Satuan belum diisi",
                deadline=(dt.date.today() + dt.timedelta(days=3)).isoformat())
    user = model.User.get(world.users["operator"]["name"])
    inbox = call_action("verifikasi_queue_list", world.context("operator"))
    assert queue.waiting_count(user) == len(inbox["waiting"]) == 1
    assert _waiting_badge(_get(web, world, "operator", "/dataset/").body) == 1
    assert _waiting_badge(_get(web, world, "verifikator", "/dataset/").body) is None


def test_inbox_shows_opd_waiting_days_and_sorts_and_filters(web, world):
    older = _submit(world, title="Zona Lama")
    newer = _submit(world, title="Angka Baru")
    # The older one entered its state 4 days ago.
    model.Session.query(WorkflowState).filter_by(package_id=older["id"]).update(
        {"updated": dt.datetime.utcnow() - dt.timedelta(days=4)})
    model.Session.commit()
    found = call_action("verifikasi_queue_list", world.context("verifikator"))
    by_id = {i["id"]: i for i in found["waiting"]}
    assert by_id[older["id"]]["days_waiting"] in (4, 5)  # 5 when WIB has passed midnight
    assert by_id[newer["id"]]["days_waiting"] in (0, 1)
    assert by_id[older["id"]]["organization"] == "Dinas Kesehatan"
    assert [i["id"] for i in found["waiting"]] == [older["id"], newer["id"]]  # oldest first

    body = _get(web, world, "verifikator", "/verifikasi/inbox").body
    assert "Dinas Kesehatan" in body
    assert body.index("Zona Lama") < body.index("Angka Baru")
    by_title = _get(web, world, "verifikator", "/verifikasi/inbox?urut=title").body
    assert by_title.index("Angka Baru") < by_title.index("Zona Lama")
    other = _get(web, world, "verifikator", "/verifikasi/inbox?opd=Dinas+Pendidikan").body
    assert "Zona Lama" not in other and "Angka Baru" not in other
    # An unknown order keeps the default; a NUL byte is refused before the page (400).
    default = _get(web, world, "verifikator", "/verifikasi/inbox?urut=harga&opd=").body
    assert default.index("Zona Lama") < default.index("Angka Baru")
    assert _get(web, world, "verifikator", "/verifikasi/inbox?urut=%00x").status_code == 400
