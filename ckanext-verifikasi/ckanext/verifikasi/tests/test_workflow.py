"""The two-stage verification workflow through the action API, role by role."""
from __future__ import annotations

import datetime as dt

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests.helpers import call_action

TOMORROW = (dt.date.today() + dt.timedelta(days=1)).isoformat()
YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()


def public() -> dict:
    """A fresh anonymous-visitor context (call_action skips auth unless told otherwise)."""
    return {"user": "", "ignore_auth": False}


def act(world, who, action, **data):
    return call_action(f"verifikasi_{action}", world.context(who), **data)


def status(world, dataset):
    return call_action("verifikasi_status_show", world.context("walidata"), id=dataset["id"])


def test_full_path_keeps_every_note_and_publishes(world):
    ds = world.dataset()
    assert status(world, ds)["state"] == "draft"
    assert call_action("package_show", world.context("walidata"), id=ds["id"])["private"] is True

    act(world, "operator", "submit", id=ds["id"])
    act(world, "verifikator", "return", id=ds["id"], note="Lengkapi sumber data", deadline=TOMORROW)
    returned = status(world, ds)
    assert returned["state"] == "returned" and returned["deadline"] == TOMORROW
    act(world, "operator", "submit", id=ds["id"])
    act(world, "verifikator", "approve", id=ds["id"])
    act(world, "walidata", "return", id=ds["id"], note="Satuan belum sesuai standar")
    act(world, "operator", "submit", id=ds["id"])
    act(world, "verifikator", "approve", id=ds["id"])
    act(world, "walidata", "approve", id=ds["id"])

    final = status(world, ds)
    assert final["state"] == "published"
    steps = [(h["action"], h["actor_role"], h["to_state"]) for h in final["history"]]
    assert steps == [
        ("submit", "operator", "submitted"), ("return", "verifikator", "returned"),
        ("submit", "operator", "submitted"), ("approve", "verifikator", "verified"),
        ("return", "walidata", "returned"), ("submit", "operator", "submitted"),
        ("approve", "verifikator", "verified"), ("approve", "walidata", "published")]
    notes = [h["note"] for h in final["history"] if h["note"]]
    assert notes == ["Lengkapi sumber data", "Satuan belum sesuai standar"]
    assert call_action("package_show", id=ds["id"])["private"] is False
    found = call_action("package_search", public(), q=f"name:{ds['name']}")
    assert found["count"] == 1


def test_rahasia_is_published_but_stays_private(world):
    ds = world.dataset("rahasia")
    world.publish(ds["id"])
    assert status(world, ds)["state"] == "published"
    assert call_action("package_show", world.context("walidata"), id=ds["id"])["private"] is True


@pytest.mark.parametrize(("who", "action", "prepare"), [
    ("operator", "approve", ["submit"]),          # operators cannot approve
    ("verifikator", "approve", ["submit", "approve"]),  # verifikator cannot publish
    ("other_verifikator", "approve", ["submit"]),  # verifikator of another OPD
    ("surveyor", "submit", []),
    ("operator", "withdraw", []),
    ("stranger", "submit", []),
])
def test_roles_cannot_take_steps_that_are_not_theirs(world, who, action, prepare):
    ds = world.dataset()
    actors = {"submit": "operator", "approve": "verifikator"}
    for step in prepare:
        act(world, actors[step], step, id=ds["id"])
    before = status(world, ds)["state"]
    with pytest.raises((tk.NotAuthorized, tk.ValidationError)):
        act(world, who, action, id=ds["id"], reason="x")
    assert status(world, ds)["state"] == before


def test_nobody_approves_their_own_submission(world):
    ds = world.dataset()
    call_action("verifikasi_role_assign", world.context("walidata"),
                user=world.users["operator"]["name"], role="verifikator",
                organization=world.opd["id"])
    act(world, "operator", "submit", id=ds["id"])
    with pytest.raises(tk.NotAuthorized) as err:
        act(world, "operator", "approve", id=ds["id"])
    assert "sendiri" in str(err.value)
    act(world, "verifikator", "approve", id=ds["id"])


def test_operator_cannot_publish_or_change_access_class_under_review(world):
    ds = world.dataset()
    def ctx():  # a fresh context per call: actions write into the one they get
        return world.context("operator")

    with pytest.raises(tk.ValidationError) as err:  # said, not silently kept private
        call_action("package_patch", ctx(), id=ds["id"], private=False)
    assert "private" in err.value.error_dict
    assert call_action("package_show", ctx(), id=ds["id"])["private"] is True
    with pytest.raises(tk.ValidationError) as err:
        world.dataset(private=False)  # the operator's create
    assert "private" in err.value.error_dict
    act(world, "operator", "submit", id=ds["id"])
    with pytest.raises(tk.ValidationError) as err:
        call_action("package_patch", ctx(), id=ds["id"], klasifikasi_akses="terbuka",
                    title="Diubah saat diperiksa")
    assert "sedang diperiksa" in str(err.value.error_dict["state"])
    with pytest.raises(tk.NotAuthorized):
        call_action("bulk_update_public", ctx(), datasets=[ds["id"]], org_id=world.opd["id"])
    assert call_action("package_show", ctx(), id=ds["id"])["private"] is True


def test_submit_refuses_incomplete_metadata_naming_every_field(world):
    ds = world.dataset(alamat_instansi="", tujuan_kegiatan="")
    with pytest.raises(tk.ValidationError) as err:
        act(world, "operator", "submit", id=ds["id"])
    messages = err.value.error_dict["metadata"]
    assert "Alamat Instansi wajib diisi" in messages
    assert "Tujuan Kegiatan wajib diisi" in messages
    assert status(world, ds)["state"] == "draft"


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"note": ""}, "note", "Catatan wajib diisi"),
    ({"note": "Perbaiki", "deadline": YESTERDAY}, "deadline", "tidak boleh di masa lalu"),
    ({"note": "Perbaiki", "deadline": "31-31-2026"}, "deadline", ""),
])
def test_bad_return_input_changes_nothing(world, data, field, message):
    ds = world.dataset()
    act(world, "operator", "submit", id=ds["id"])
    with pytest.raises(tk.ValidationError) as err:
        act(world, "verifikator", "return", id=ds["id"], **data)
    assert field in err.value.error_dict
    assert message in str(err.value.error_dict[field])
    assert status(world, ds)["state"] == "submitted"
    assert len(status(world, ds)["history"]) == 1


def test_stale_transition_fails_clearly(world):
    ds = world.dataset()
    act(world, "operator", "submit", id=ds["id"])
    act(world, "verifikator", "approve", id=ds["id"])
    with pytest.raises(tk.ValidationError) as err:
        act(world, "verifikator2", "approve", id=ds["id"])
    assert "Menunggu walidata" in str(err.value.error_dict["state"])


def test_transition_on_deleted_dataset_is_not_found(world):
    ds = world.dataset()
    call_action("package_delete", world.context("operator"), id=ds["id"])
    with pytest.raises(tk.ObjectNotFound):
        act(world, "operator", "submit", id=ds["id"])


def test_withdraw_needs_reason_and_takes_data_down_until_republished(world):
    ds = world.dataset()
    world.publish(ds["id"])
    with pytest.raises(tk.ValidationError):
        act(world, "walidata", "withdraw", id=ds["id"], reason=" ")
    act(world, "walidata", "withdraw", id=ds["id"], reason="Data pribadi belum dianonimkan")
    shown = status(world, ds)
    assert shown["state"] == "withdrawn"
    assert shown["history"][-1]["note"] == "Data pribadi belum dianonimkan"
    assert call_action("package_search", public(), q=f"name:{ds['name']}")["count"] == 0
    world.publish(ds["id"])
    assert call_action("package_search", public(), q=f"name:{ds['name']}")["count"] == 1


def test_update_of_published_data_keeps_the_published_version_public(world):
    ds = world.dataset(title="Jumlah Posyandu 2024")
    world.publish(ds["id"])
    call_action("package_patch", world.context("operator"), id=ds["id"],
                title="Jumlah Posyandu 2025")
    assert status(world, ds)["state"] == "draft"
    shown = call_action("package_show", public(), id=ds["id"])
    assert shown["title"] == "Jumlah Posyandu 2024"
    team = call_action("package_show", world.context("verifikator"), id=ds["id"])
    assert team["title"] == "Jumlah Posyandu 2025"
    searched = call_action("package_search", public(), q=f"name:{ds['name']}")
    assert searched["results"][0]["title"] == "Jumlah Posyandu 2024"

    world.publish(ds["id"])
    assert call_action("package_show", public(), id=ds["id"])["title"] == \
        "Jumlah Posyandu 2025"


def test_inbox_lists_what_waits_and_flags_overdue(world):
    waiting = world.dataset()
    act(world, "operator", "submit", id=waiting["id"])
    inbox = call_action("verifikasi_queue_list", world.context("verifikator"))
    assert [i["id"] for i in inbox["waiting"]] == [waiting["id"]]
    assert call_action("verifikasi_queue_list", world.context("other_verifikator"))["waiting"] == []
    act(world, "verifikator", "return", id=waiting["id"], note="Perbaiki", deadline=TOMORROW)
    from ckan import model

    from ckanext.verifikasi.model import WorkflowState
    state = model.Session.get(WorkflowState, waiting["id"])
    state.deadline = dt.date.today() - dt.timedelta(days=2)
    model.Session.commit()
    operator_inbox = call_action("verifikasi_queue_list", world.context("operator"))
    assert operator_inbox["overdue"][0]["id"] == waiting["id"]
    verifikator_inbox = call_action("verifikasi_queue_list", world.context("verifikator"))
    assert [i["id"] for i in verifikator_inbox["returned"]] == [waiting["id"]]


def test_role_changes_are_validated_and_audited(world):
    ctx = world.context("walidata")
    with pytest.raises(tk.ValidationError) as err:
        call_action("verifikasi_role_assign", ctx, user="tidak-ada", role="operator",
                    organization=world.opd["id"])
    assert "user" in err.value.error_dict
    with pytest.raises(tk.ValidationError) as err:
        call_action("verifikasi_role_assign", ctx, user=world.users["stranger"]["name"],
                    role="operator", organization="opd-tidak-ada")
    assert "organization" in err.value.error_dict
    with pytest.raises(tk.NotAuthorized):
        call_action("verifikasi_role_assign", world.context("operator"),
                    user=world.users["stranger"]["name"], role="operator",
                    organization=world.opd["id"])
    call_action("verifikasi_role_assign", ctx, user=world.users["stranger"]["name"],
                role="surveyor", organization=world.opd["id"])
    call_action("verifikasi_role_revoke", ctx, user=world.users["stranger"]["name"],
                role="surveyor", organization=world.opd["id"])
    log = call_action("verifikasi_audit_list", ctx, object_id=world.users["stranger"]["id"])
    assert [e["action"] for e in log] == ["role_revoke", "role_assign"]
    assert log[0]["actor"] == world.users["walidata"]["id"]


def test_datastore_writes_follow_the_review_lock(world):
    ds = world.dataset()
    table = call_action("datastore_create", world.context("operator"),
                        resource={"package_id": ds["id"], "name": "Tabel"},
                        fields=[{"id": "jumlah", "type": "int"}], records=[{"jumlah": 1}])
    act(world, "operator", "submit", id=ds["id"])
    with pytest.raises(tk.NotAuthorized) as err:
        call_action("datastore_upsert", world.context("operator"), method="insert",
                    resource_id=table["resource_id"], records=[{"jumlah": 2}])
    assert "sedang diperiksa" in str(err.value)
    rows = call_action("datastore_search", world.context("walidata"),
                       resource_id=table["resource_id"])
    assert [r["jumlah"] for r in rows["records"]] == [1]


def test_reloading_a_file_follows_the_review_lock_and_starts_an_update(world):
    from ckan.lib.jobs import get_queue

    ds = world.dataset()
    resource = call_action("resource_create", world.context("operator"), package_id=ds["id"],
                           name="Tabel", url="http://127.0.0.1/tabel.csv", format="CSV")
    act(world, "operator", "submit", id=ds["id"])
    try:
        with pytest.raises(tk.NotAuthorized) as err:
            call_action("xloader_submit", world.context("operator"),
                        resource_id=resource["id"], ignore_hash=True)
        assert "sedang diperiksa" in str(err.value)
        assert call_action("verifikasi_status_show", world.context("operator"),
                           id=ds["id"])["state"] == "submitted"
        act(world, "verifikator", "approve", id=ds["id"])
        act(world, "walidata", "approve", id=ds["id"])

        # Another load replaces the table: the published dataset goes through review again.
        assert call_action("xloader_submit", world.context("operator"),
                           resource_id=resource["id"], ignore_hash=True) is True
        status = call_action("verifikasi_status_show", world.context("operator"), id=ds["id"])
        assert (status["state"], status["has_published"]) == ("draft", True)
    finally:
        get_queue().empty()
