"""The action API documented (issue 15): `/api/openapi.json` (OpenAPI 3.1), generated
from CKAN's action registry; `/api/postman.json` (Postman v2.1) from the same source;
`/api/docs` (Swagger UI served by the portal itself). Anonymous may read all three, and
none of them names a dataset."""
from __future__ import annotations

import json
import re

import ckan.logic as logic
import pytest
from ckan.plugins import toolkit as tk
from openapi_spec_validator import validate

from ckanext.satudata.openapi import messages, spec
from ckanext.verifikasi.tests.world import make_world

OURS = ("satudata_", "verifikasi_")


def _registered() -> set[str]:
    tk.get_action("status_show")  # the registry is filled on first use
    return set(logic._actions)


def _get(app, url: str, **kwargs) -> tuple[int, dict]:
    response = app.get(url, **kwargs)
    return response.status_code, json.loads(response.get_data(as_text=True))


@pytest.mark.usefixtures("with_plugins")
def test_document_is_valid_openapi_31_and_lists_every_registered_action(app):
    status, document = _get(app, "/api/openapi.json")  # anonymous
    assert status == 200
    validate(document)  # raises on anything the OpenAPI 3.1 schema refuses
    assert document["openapi"] == "3.1.0"
    registered = _registered()
    assert {path.lstrip("/") for path in document["paths"]} == registered
    assert len(registered) > 200  # core, the extensions' and ours
    assert any(name.startswith("verifikasi_") for name in registered)
    for name in registered:
        item = document["paths"][f"/{name}"]
        # Read-only actions answer GET too; every action answers POST.
        assert "post" in item
        side_effect_free = getattr(logic._actions[name], "side_effect_free", False)
        assert ("get" in item) == bool(side_effect_free), name
    # Auth: CKAN's API token header; errors in CKAN's envelope.
    scheme = document["components"]["securitySchemes"]["ApiToken"]
    assert scheme == {**scheme, "type": "apiKey", "in": "header", "name": "Authorization"}
    post = document["paths"]["/package_create"]["post"]
    for code in ("403", "404", "409"):
        assert code in post["responses"]
    conflict = document["components"]["responses"]["Conflict"]["content"]["application/json"]
    assert conflict["example"]["success"] is False
    assert conflict["example"]["error"]["__type"] == "Validation Error"


@pytest.mark.usefixtures("with_plugins")
def test_schema_backed_actions_list_their_required_parameters(app):
    _, document = _get(app, "/en/api/openapi.json")
    paths = document["paths"]
    # verifikasi_role_assign validates with schema.role (`tk.validate_action_data`).
    role = paths["/verifikasi_role_assign"]["post"]
    body = role["requestBody"]["content"]["application/json"]["schema"]
    assert role["x-ckan-schema"] == "validator"
    assert set(body["required"]) == {"user", "role"}
    assert set(body["properties"]["role"]["enum"]) >= {"operator", "verifikator", "walidata"}
    assert "organization" in body["properties"]
    # A schema called inside the action's body (quality: `schema.ticket_close()`).
    close = paths["/satudata_quality_ticket_close"]["post"]
    assert close["x-ckan-schema"] == "validator"
    assert set(close["requestBody"]["content"]["application/json"]["schema"]["required"]) \
        >= {"id", "reason"}
    # Core: package_search's schema gives types and defaults of its query parameters.
    search = {p["name"]: p for p in paths["/package_search"]["get"]["parameters"]}
    assert search["rows"]["schema"]["type"] == "integer"
    assert search["q"]["required"] is False
    assert "solr" in search["q"]["description"].lower()  # from the docstring
    # No schema to recover: the docstring's `:param:` lines.
    show = {p["name"]: p for p in paths["/package_show"]["get"]["parameters"]}
    assert show["id"]["required"] is True


@pytest.mark.usefixtures("with_plugins")
def test_our_actions_are_described_in_indonesian_and_in_english_under_en(app):
    _, english = _get(app, "/en/api/openapi.json")
    _, indonesian = _get(app, "/api/openapi.json")
    en = english["paths"]["/verifikasi_submit"]["post"]["summary"]
    idn = indonesian["paths"]["/verifikasi_submit"]["post"]["summary"]
    assert en == "Operator: send a draft or returned dataset to the OPD verifikator."
    assert idn == "Operator: mengirim dataset draf atau yang dikembalikan ke verifikator OPD."
    untranslated = [
        path for path, item in english["paths"].items()
        if path.lstrip("/").startswith(OURS) and item["post"]["summary"] != path.lstrip("/")
        and indonesian["paths"][path]["post"]["summary"] == item["post"]["summary"]]
    assert not untranslated
    assert indonesian["info"]["title"] != english["info"]["title"]
    # Core actions keep CKAN's English in both.
    assert (indonesian["paths"]["/package_show"]["get"]["summary"]
            == english["paths"]["/package_show"]["get"]["summary"])


@pytest.mark.usefixtures("with_plugins")
def test_postman_collection_has_the_v21_shape_and_the_same_actions(app):
    status, collection = _get(app, "/api/postman.json")
    assert status == 200
    assert collection["info"]["schema"] == (
        "https://schema.getpostman.com/json/collection/v2.1.0/collection.json")
    assert collection["info"]["name"]
    auth = {entry["key"]: entry["value"] for entry in collection["auth"]["apikey"]}
    assert collection["auth"]["type"] == "apikey"
    assert auth == {"key": "Authorization", "value": "{{apiToken}}", "in": "header"}
    assert {v["key"] for v in collection["variable"]} == {"baseUrl", "apiToken"}
    requests = [item for folder in collection["item"] for item in folder["item"]]
    assert sorted(r["name"] for r in requests) == sorted(_registered())
    for item in requests:
        request = item["request"]
        assert request["method"] in ("GET", "POST")
        assert request["url"]["raw"].startswith("{{baseUrl}}/api/3/action/" + item["name"])
        assert request["url"]["path"][-1] == item["name"]
        if request["method"] == "POST":
            json.loads(request["body"]["raw"])  # a JSON body with the required parameters
    submit = next(r for r in requests if r["name"] == "verifikasi_submit")["request"]
    assert set(json.loads(submit["body"]["raw"])) == {"id"}


@pytest.mark.usefixtures("with_plugins")
def test_docs_page_serves_swagger_ui_from_the_portal_with_a_strict_policy(app):
    response = app.get("/api/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'data-module="satudata-openapi"' in page
    assert 'data-module-url="/api/openapi.json"' in page
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "connect-src 'self'" in policy
    sources = re.findall(r'<script[^>]+src="([^"]+)"', page)
    sheets = re.findall(r'<link[^>]+href="([^"]+\.css[^"]*)"', page)
    assert sources and all(s.startswith("/") and not s.startswith("//")
                           for s in sources + sheets)
    bodies = [app.get(s).get_data(as_text=True) for s in sources]
    assert any("SwaggerUIBundle" in b and len(b) > 1_000_000 for b in bodies)
    assert any("satudata-openapi" in b and "validatorUrl:null" in b.replace(" ", "")
               for b in bodies)
    assert any("swagger-ui" in app.get(s).get_data(as_text=True) for s in sheets)
    assert 'data-module-url="/en/api/openapi.json"' in app.get("/en/api/docs").get_data(
        as_text=True)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_documents_name_no_dataset(app):
    world = make_world()
    public = world.dataset(title="Jumlah Sapi Perah Rahasia Uji OpenAPI",
                           name="sapi-perah-uji-openapi")
    world.publish(public["id"])
    secret = world.dataset("rahasia", title="Daftar Penerima Bantuan Uji OpenAPI",
                           name="penerima-bantuan-uji-openapi")
    texts = [app.get(url).get_data(as_text=True) for url in (
        "/api/openapi.json", "/en/api/openapi.json", "/api/postman.json", "/api/docs")]
    for text in texts:
        for dataset in (public, secret):
            for value in (dataset["id"], dataset["name"], dataset["title"]):
                assert value not in text


@pytest.mark.usefixtures("with_plugins")
def test_generation_is_cached_per_process(app):
    app.get("/api/openapi.json")
    with app.flask_app.test_request_context("/"):
        first = spec.document_json("id")
        assert spec.document_json("id") is first  # served from the cache, not regenerated
        assert spec.actions() is spec.actions()
    assert spec.last_generation_ms > 0


@pytest.mark.usefixtures("with_plugins")
def test_every_summary_of_ours_is_listed_for_translation(app):
    with app.flask_app.test_request_context("/"):
        summaries = spec.our_msgids()
    assert len(summaries) > 50
    missing = sorted(set(summaries) - set(messages.MESSAGES))
    assert not missing, f"add to ckanext/satudata/openapi/messages.py: {missing}"
