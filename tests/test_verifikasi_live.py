"""The workflow over HTTP with a real web server, RQ worker and SMTP server."""
from __future__ import annotations

import threading

import pytest
import requests
from ckan.tests.helpers import call_action

from ckanext.verifikasi.tests.world import make_world

pytestmark = [pytest.mark.live_server,
              pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index",
                                      "clean_queues", "with_request_context")]


def _post(base_url, token, action, **data):
    return requests.post(f"{base_url}/api/3/action/{action}", json=data,
                         headers={"Authorization": token}, timeout=60)


def test_two_verifikators_approving_at_once_exactly_one_succeeds(live_ckan):
    world = make_world()
    base_url = live_ckan(world.users["walidata"]["token"])
    outcomes = []
    for _ in range(3):  # a few rounds: the race must never let both through
        ds = world.dataset()
        call_action("verifikasi_submit", world.context("operator"), id=ds["id"])
        barrier = threading.Barrier(2)
        responses = {}

        def approve(who, barrier=barrier, responses=responses, dataset_id=ds["id"]):
            barrier.wait()
            responses[who] = _post(base_url, world.users[who]["token"],
                                   "verifikasi_approve", id=dataset_id)

        threads = [threading.Thread(target=approve, args=(who,))
                   for who in ("verifikator", "verifikator2")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        codes = sorted(r.status_code for r in responses.values())
        loser = next(r for r in responses.values() if r.status_code != 200)
        outcomes.append(codes)
        assert codes == [200, 409], codes  # 409: CKAN's answer to a ValidationError
        assert "state" in loser.json()["error"]
        status = call_action("verifikasi_status_show", world.context("walidata"), id=ds["id"])
        assert status["state"] == "verified"
        assert [h["action"] for h in status["history"]] == ["submit", "approve"]
    assert len(outcomes) == 3


def test_every_transition_is_mailed_in_indonesian_through_a_real_worker(
        live_ckan, run_worker, smtp_server):
    world = make_world()
    live_ckan(world.users["walidata"]["token"])
    ds = world.dataset(title="Jumlah Bidan Desa")

    call_action("verifikasi_submit", world.context("operator"), id=ds["id"])
    call_action("verifikasi_return", world.context("verifikator"), id=ds["id"],
                note="Lengkapi kolom satuan", deadline="2099-12-31")
    worker = run_worker()
    assert worker.returncode == 0, worker.stderr[-2000:]

    to_verifikator = smtp_server.to("verifikator@contoh.go.id")
    assert [m["Subject"] for m in to_verifikator] == [
        "[Satu Data] Menunggu verifikasi Anda: Jumlah Bidan Desa"]
    to_operator = smtp_server.to("operator@contoh.go.id")
    assert len(to_operator) == 1
    body = to_operator[0].get_content()
    assert "Dikembalikan untuk perbaikan" in to_operator[0]["Subject"]
    assert "Catatan: Lengkapi kolom satuan" in body
    assert "Batas waktu perbaikan: 31 Desember 2099" in body  # the one date format
    assert "/dataset/" + ds["name"] in body
    assert smtp_server.to("other_operator@contoh.go.id") == []

    inbox = call_action("verifikasi_notification_list", world.context("operator"))
    assert inbox["unread"] == 1
    assert "Lengkapi kolom satuan" in inbox["notifications"][0]["body"]
    call_action("verifikasi_notification_list", world.context("operator"), mark_read=True)
    assert call_action("verifikasi_notification_list", world.context("operator"))["unread"] == 0
