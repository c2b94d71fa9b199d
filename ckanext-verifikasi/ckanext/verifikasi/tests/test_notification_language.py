"""Notification texts are in the portal's default language (id) whoever made the step:
an action call outside any web request, or a web request asking for English."""
from __future__ import annotations

import threading

import ckan.plugins.toolkit as tk
import click
import pytest
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.verifikasi.model import Notification
from ckanext.verifikasi.notify import default_language


def _subjects(package_id: str) -> set[str]:
    return {n.subject for n in
            model.Session.query(Notification).filter_by(package_id=package_id)}


def test_action_outside_a_request_writes_indonesian(world):
    ds = world.dataset()
    call_action("verifikasi_submit", world.context("operator"), id=ds["id"])
    subjects = _subjects(ds["id"])
    assert subjects
    assert all(s.startswith("[Satu Data] Menunggu verifikasi Anda") for s in subjects), subjects


def test_action_in_an_english_request_writes_indonesian(world, app):
    ds = world.dataset()
    with app.flask_app.test_request_context("/en/dataset"):
        call_action("verifikasi_submit", world.context("operator"), id=ds["id"])
    subjects = _subjects(ds["id"])
    assert subjects
    assert not any("Waiting" in s for s in subjects), subjects


def test_cli_without_app_context_uses_the_commands_flask_app(app):
    """A `ckan` command (seed-demo) runs without a Flask app context: the helper pushes
    the command's app (click meta `flask_app`, as ckan.cli sets it) and translates."""
    out: dict[str, str] = {}

    def run() -> None:  # a fresh thread has no Flask context, like a CLI command body
        with click.Context(click.Command("seed-demo")) as ctx:
            ctx.meta["flask_app"] = app.flask_app
            with default_language():
                out["text"] = tk._("[Satu Data] Waiting for your verification: {title}")

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert out["text"] == "[Satu Data] Menunggu verifikasi Anda: {title}"


@pytest.fixture
def web(make_app):
    return make_app()


def test_notification_page_links_the_dataset_and_escapes_its_title(web, world):
    ds = world.dataset(title="<b>x</b> Posyandu")
    call_action("verifikasi_submit", world.context("operator"), id=ds["id"])
    note = model.Session.query(Notification).filter_by(
        package_id=ds["id"], user_id=world.users["verifikator"]["id"]).one()
    url = tk.config["ckan.site_url"].rstrip("/") + f"/dataset/{ds['name']}"
    # The last line names the dataset and says what to do next, with the absolute link
    # ("Periksa dan setujui atau kembalikan: ..." once pesan.tsv is merged).
    assert note.body.splitlines()[-1].endswith(f": <b>x</b> Posyandu — {url}")
    res = web.get("/verifikasi/notifications",
                  headers={"Authorization": world.users["verifikator"]["token"]})
    assert res.status_code == 200
    body = res.body.split('verifikasi-notification-body')[1].split("</p>")[0]
    assert f'<a href="{url}">{url}</a>' in body
    assert "<b>x</b>" not in res.body
    assert "&lt;b&gt;x&lt;/b&gt; Posyandu" in body
