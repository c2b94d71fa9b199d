"""The DataStore load badge on a dataset page: only for those who may update the
dataset, and one status query for all its resources."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from ckan.tests.helpers import call_action

from ckanext.satudata.loader import status
from ckanext.verifikasi.tests.world import make_world

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


@pytest.fixture
def web(make_app):
    return make_app()


def _published_with_loads(world, stages):
    dataset = world.dataset()
    resources = [
        call_action("resource_create", world.context("operator"), package_id=dataset["id"],
                    name=f"Tabel {stage}", url=f"http://127.0.0.1/{stage}.csv", format="CSV")
        for stage in stages
    ]
    world.publish(dataset["id"])
    for resource, stage in zip(resources, stages, strict=True):
        status.write(resource["id"], replace=True, stage=stage, message="baris 3 rusak")
    return dataset, resources


def _badges(body: str) -> dict[str, str]:
    """{resource id: badge state} from the page's badge links."""
    return dict(re.findall(
        r'<a href="/dataset/[^/"]+/resource_data/([0-9a-f-]{36})" class="loader-badge"[^>]*>'
        r'<span class="prefix">[^<]*</span><span class="status (\w+)">', body))


def _page(web, world, who, name):
    headers = {"Authorization": world.users[who]["token"]} if who else {}
    res = web.get(f"/dataset/{name}", headers=headers)
    assert res.status_code == 200, res.body[-3000:]
    return res.body


def test_badges_are_shown_to_those_who_may_update_the_dataset_only(web):
    world = make_world()
    admin = world.users["sysadmin"]
    admin["token"] = call_action("api_token_create", {"user": admin["name"]},
                                 user=admin["name"], name="test")["token"]
    dataset, (failed, queued, loading, done) = _published_with_loads(
        world, ["error", "queued", "loading", "complete"])

    for who in ("operator", "sysadmin"):
        assert _badges(_page(web, world, who, dataset["name"])) == {
            failed["id"]: "error", queued["id"]: "pending", loading["id"]: "running"}, who
    for who in (None, "stranger", "other_operator", "grantee"):
        body = _page(web, world, who, dataset["name"])
        assert "loader-badge" not in body, who
        assert failed["name"] in body  # the resources themselves are listed


def test_one_status_query_for_all_resources_of_the_page(web):
    world = make_world()
    dataset, _ = _published_with_loads(world, ["error"] * 6)
    statements: list[str] = []

    def remember(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", remember)
    try:
        body = _page(web, world, "operator", dataset["name"])
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", remember)

    assert len(_badges(body)) == 6
    assert len([s for s in statements if "task_status" in s]) == 1
