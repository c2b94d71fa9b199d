"""Saving one page of the multi-page dataset form never loses the fields of other pages.

Every page of the edit form ("Kelola") and of the creation wizard is fetched as
the operator with a session and posted back unchanged, exactly as a browser
submits it (its CSRF token, its hidden fields, the form's own `action`); then
`package_show` must hold every field, resource and tag it held before.

Requests go to `web`, an app of their own (see ckanext/verifikasi/tests/test_pages.py
for why the `app` fixture's pushed request context cannot be reused).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup
from ckan.tests.helpers import call_action
from ckanext.scheming.helpers import scheming_get_dataset_form_pages
from werkzeug.datastructures import MultiDict

from ckanext.verifikasi.tests.world import make_world

# Changed by every save, or derived from what is compared already.
VOLATILE = {"metadata_modified", "revision_id", "num_resources", "num_tags",
            "verifikasi_state", "organization"}


@pytest.fixture
def world(with_plugins, clean_db, clean_index, with_request_context):
    return make_world()


@pytest.fixture
def web(make_app):
    return make_app()


def form_fields(body: str, formaction: bool = True) -> tuple[str, list[tuple[str, str]]]:
    """The URL and the fields a browser submits for the dataset form with its save button.

    `formaction=False`: the form's own action, ignoring the button's `formaction`
    (what a page rendered by CKAN alone posts to).
    """
    form = BeautifulSoup(body, "html.parser").find("form", id="dataset-edit")
    assert form is not None, body[:2000]
    action = form.get("action") or ""
    fields: list[tuple[str, str]] = []
    for element in form.find_all(["input", "select", "textarea", "button"]):
        name = element.get("name")
        if not name or element.has_attr("disabled"):
            continue
        if element.name == "select":
            options = element.find_all("option")
            chosen = [o for o in options if o.has_attr("selected")]
            if not chosen and options and not element.has_attr("multiple"):
                chosen = options[:1]
            fields += [(name, o.get("value", o.text)) for o in chosen]
        elif element.name == "textarea":
            fields.append((name, element.text))
        elif element.name == "button" or element.get("type") in ("submit", "button"):
            if name == "save" and element.get("value") is None:  # the page's own save button
                fields.append((name, ""))
                if formaction and element.get("formaction"):
                    action = element["formaction"]
        elif element.get("type") in ("checkbox", "radio"):
            if element.has_attr("checked"):
                fields.append((name, element.get("value", "on")))
        elif element.get("type") != "file":
            fields.append((name, element.get("value", "")))
    return action, fields


def save_unchanged(web, user: dict[str, Any], url: str, formaction: bool = True) -> Any:
    """Open a form page as `user` (cookie session) and submit it without changing anything."""
    client = web.test_client()
    environ = {"REMOTE_USER": user["name"]}
    page = client.get(url, extra_environ=environ, follow_redirects=True)
    assert page.status_code == 200, (url, page.status_code, page.body[:2000])
    action, fields = form_fields(page.body, formaction)
    target = urljoin(page.request.path, action) if action else page.request.path
    return client.post(target, data=MultiDict(fields), extra_environ=environ,
                       follow_redirects=False)


def stored(world, dataset_id: str) -> dict[str, Any]:
    shown = call_action("package_show", {"ignore_auth": True}, id=dataset_id)
    shown["resources"] = sorted(r["id"] for r in shown["resources"])
    shown["tags"] = sorted(t["name"] for t in shown["tags"])
    # An empty field is absent, None or "" depending on how it was last saved: all "no value".
    return {key: value for key, value in shown.items()
            if key not in VOLATILE and value not in (None, "", [])}


def changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {key: (before.get(key), after.get(key)) for key in set(before) | set(after)
            if before.get(key) != after.get(key)}


def complete_dataset(world, state: str | None = None) -> dict[str, Any]:
    """Every page filled, a tag, a resource and a free extra (as harvesters add); `state="draft"`:
    still in the wizard."""
    dataset = world.dataset(tags=[{"name": "kesehatan"}, {"name": "posyandu"}],
                            extras=[{"key": "harvest_url", "value": "https://bps.go.id/x"}])
    call_action("resource_create", world.context("operator"), package_id=dataset["id"],
                url="https://contoh.go.id/posyandu.csv", name="Posyandu", format="CSV")
    if state == "published":
        world.publish(dataset["id"])
    elif state:
        call_action("package_patch", {"ignore_auth": True, "user": world.users["sysadmin"]["name"]},
                    id=dataset["id"], state=state)
    return dataset


PAGES = range(1, len(scheming_get_dataset_form_pages("dataset") or []) + 1)


def test_schema_has_form_pages():
    assert len(PAGES) == 9


@pytest.mark.parametrize("state", ["draft", None, "published"],
                         ids=["wizard-draft", "active", "published"])
def test_saving_each_edit_page_unchanged_keeps_every_field(world, web, state):
    dataset = complete_dataset(world, state)
    before = stored(world, dataset["id"])
    assert before["state"] == ("draft" if state == "draft" else "active")
    assert before["alamat_instansi"] and before["jadwal_pengumpulan"] and before["resources"]
    assert before["tags"] and before["extras"] == [{"key": "harvest_url",
                                                    "value": "https://bps.go.id/x"}]
    for page in PAGES:
        response = save_unchanged(web, world.users["operator"],
                                  f"/dataset/edit/{dataset['name']}/{page}")
        assert response.status_code == 302, (page, response.status_code, response.body[:3000])
        assert changed(before, stored(world, dataset["id"])) == {}, f"page {page}"


def test_kelola_on_a_draft_goes_on_to_the_wizard_page_two(world, web):
    """Kelola -> page 1 -> Berikutnya on an unfinished draft continues the wizard."""
    dataset = complete_dataset(world, "draft")
    response = save_unchanged(web, world.users["operator"], f"/dataset/edit/{dataset['name']}")
    assert response.status_code == 302
    assert response.location.endswith(f"/dataset/new/{dataset['name']}/2")


def test_a_draft_posted_to_dataset_new_keeps_the_other_pages(world, web):
    """CKAN points a draft's form at /dataset/new, which saves with package_update: a page
    posted there keeps every field of the other pages (page 1, as CKAN's form does)."""
    dataset = complete_dataset(world, "draft")
    before = stored(world, dataset["id"])
    response = save_unchanged(web, world.users["operator"], f"/dataset/edit/{dataset['name']}/1",
                              formaction=False)
    assert response.status_code == 302
    assert response.request.path == "/dataset/new"
    assert changed(before, stored(world, dataset["id"])) == {}


def test_saving_each_wizard_page_unchanged_keeps_every_field(world, web):
    dataset = complete_dataset(world, "draft")
    before = stored(world, dataset["id"])
    for page in PAGES:
        response = save_unchanged(web, world.users["operator"],
                                  f"/dataset/new/{dataset['name']}/{page}")
        assert response.status_code == 302, (page, response.status_code, response.body[:3000])
        assert changed(before, stored(world, dataset["id"])) == {}, f"page {page}"


def test_api_package_update_still_replaces(world):
    """API clients keep CKAN's documented semantics: package_update replaces, fields left out go."""
    dataset = complete_dataset(world)
    shown = call_action("package_show", world.context("operator"), id=dataset["id"])
    shown.pop("alamat_instansi")
    call_action("package_update", world.context("operator"), **shown)
    after = call_action("package_show", world.context("operator"), id=dataset["id"])
    assert "alamat_instansi" not in after
    assert after["latar_belakang"] == shown["latar_belakang"]
