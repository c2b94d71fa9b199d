"""The user's permission labels: core's labels, computed without dictizing organizations."""
from __future__ import annotations

import pytest
from ckan import model
from ckan.lib.plugins import DefaultPermissionLabels
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.verifikasi.access import PermissionLabels
from ckanext.verifikasi.tests.queries import statements


def _core_labels(user: model.User) -> set[str]:
    return set(DefaultPermissionLabels.get_user_dataset_labels(PermissionLabels(), user))


def _member_labels(user: model.User) -> set[str]:
    labels = set(PermissionLabels().get_user_dataset_labels(user))
    return {label for label in labels
            if label.split("-", 1)[0] in ("public", "creator", "member", "collaborator")}


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckan.auth.allow_dataset_collaborators", True)
def test_labels_are_cores_for_every_kind_of_membership():
    sysadmin = factories.Sysadmin()
    member, editor, admin, outsider, former = (factories.User() for _ in range(5))
    parent = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])
    child = factories.Organization()
    grandchild = factories.Organization()
    # As ckanext-hierarchy records it: the child has its parent as a member.
    for upper, lower in ((parent, child), (child, grandchild)):
        call_action("member_create", id=lower["id"], object=upper["id"],
                    object_type="group", capacity="parent")
    opd = factories.Organization(users=[
        {"name": member["name"], "capacity": "member"},
        {"name": editor["name"], "capacity": "editor"},
        {"name": former["name"], "capacity": "editor"}])
    call_action("organization_member_delete", {"user": sysadmin["name"]}, id=opd["id"],
                username=former["name"])
    deleted = factories.Organization(users=[{"name": member["name"], "capacity": "member"}])
    call_action("organization_delete", {"user": sysadmin["name"]}, id=deleted["id"])
    group = factories.Group(users=[{"name": outsider["name"], "capacity": "admin"}])
    dataset = factories.Dataset(owner_org=opd["id"], private=True, kategori="DATA_DASAR",
                                klasifikasi_akses="terbuka", license_id="cc-by")
    call_action("package_collaborator_create", id=dataset["id"], user_id=outsider["id"],
                capacity="member")
    assert group  # a group (not an organization) gives no member label

    users = {u["name"]: model.User.get(u["id"])
             for u in (sysadmin, member, editor, admin, outsider, former)}
    for name, user in users.items():
        assert _member_labels(user) == _core_labels(user), name
    assert f"member-{grandchild['id']}" in _member_labels(users[admin["name"]])
    assert f"member-{deleted['id']}" not in _member_labels(users[member["name"]])
    assert f"collaborator-{dataset['id']}" in _member_labels(users[outsider["name"]])
    assert _member_labels(users[former["name"]]) == {"public", f"creator-{former['id']}"}
    assert {f"member-{o['id']}" for o in (parent, child, grandchild, opd)} <= _member_labels(
        users[sysadmin["name"]])


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_a_request_keeps_the_labels_until_a_write(app):
    user = factories.User()
    opd = factories.Organization()
    sysadmin = factories.Sysadmin()
    user_obj = model.User.get(user["id"])
    def grant_queries() -> int:
        return sum("verifikasi_grant" in statement for statement in executed)

    with statements() as executed:
        with app.flask_app.test_request_context("/"):
            labels = PermissionLabels()
            first = labels.get_user_dataset_labels(user_obj)
            assert labels.get_user_dataset_labels(user_obj) == first
            assert grant_queries() == 1  # kept for the request
            call_action("package_search", {"user": user["name"]}, q="*:*")  # a read
            assert f"member-{opd['id']}" not in labels.get_user_dataset_labels(user_obj)
            assert grant_queries() == 1
            call_action("organization_member_create", {"user": sysadmin["name"]},
                        id=opd["id"], username=user["name"], role="member")
            assert f"member-{opd['id']}" in labels.get_user_dataset_labels(user_obj)
            assert grant_queries() == 2
        with app.flask_app.test_request_context("/"):
            PermissionLabels().get_user_dataset_labels(user_obj)
            assert grant_queries() == 3  # a new request computes them again
