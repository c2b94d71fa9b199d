"""CSRF tokens on the forms visitors post without being logged in (issue 14).

CKAN exempts every post without a logged-in session from its CSRF check; the portal
checks the login, password reset, survey link and data request forms itself
(ckanext.satudata.keamanan.csrf). A post without the token of the form, with a wrong
one, or from a browser that was never shown the form is refused with 400 and a
message, and nothing is stored; the browser that was shown the form gets through.
Pages are asked for under /en/ so the assertions do not wait for the catalogue.
"""
from __future__ import annotations

import re

import pytest
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.verifikasi.tests.world import PASSWORD, make_world

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

_CSRF = re.compile(r'name="_csrf_token"\s+value="([^"]+)"')
REFUSED = "The form has expired or was not sent from this site"


def _token(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return _CSRF.search(page.get_data(as_text=True)).group(1)


def _refused(response) -> bool:
    return response.status_code == 400 and REFUSED in response.get_data(as_text=True)


def _logged_in(client) -> bool:
    """Whether the client's session is logged in (the dashboard needs a user)."""
    return client.get("/en/dashboard/datasets", follow_redirects=False).status_code == 200


def test_every_protected_endpoint_exists_and_takes_posts(app):
    from ckanext.satudata.keamanan.csrf import ANONYMOUS_FORMS

    methods: dict[str, set] = {}
    for rule in app.flask_app.url_map.iter_rules():
        methods.setdefault(rule.endpoint, set()).update(rule.methods or ())
    for endpoint in ANONYMOUS_FORMS:
        assert "POST" in methods.get(endpoint, set()), endpoint


def test_the_login_form_needs_the_token_of_the_page(make_app):
    app = make_app()
    user = factories.User()
    form = {"login": user["name"], "password": PASSWORD}
    # No token at all, with or without a session; a made-up token.
    for client, data in ((app.test_client(use_cookies=False), form),
                         (app.test_client(use_cookies=True), form),
                         (app.test_client(use_cookies=True), {**form, "_csrf_token": "palsu"})):
        response = client.post("/en/user/login", data=data, follow_redirects=False)
        assert _refused(response), response.status_code
        assert not _logged_in(client)
    # The token of another browser's form.
    other = app.test_client(use_cookies=True)
    foreign = _token(other, "/en/user/login")
    stranger = app.test_client(use_cookies=True)
    _token(stranger, "/en/user/login")
    assert _refused(stranger.post("/en/user/login", data={**form, "_csrf_token": foreign}))
    assert not _logged_in(stranger)
    # The browser that was shown the form logs in.
    browser = app.test_client(use_cookies=True)
    token = _token(browser, "/en/user/login")
    response = browser.post("/en/user/login", data={**form, "_csrf_token": token},
                            follow_redirects=False)
    assert response.status_code == 302 and "/user/login" not in response.headers["Location"]
    assert _logged_in(browser)


def test_the_password_reset_request_needs_the_token(make_app):
    app = make_app()
    user = factories.User()
    bare = app.test_client(use_cookies=False)
    assert _refused(bare.post("/en/user/reset", data={"user": user["name"]}))
    assert model.User.get(user["id"]).reset_key is None
    browser = app.test_client(use_cookies=True)
    token = _token(browser, "/en/user/reset")
    response = browser.post("/en/user/reset", data={"user": user["name"], "_csrf_token": token},
                            follow_redirects=False)
    assert response.status_code != 400, response.get_data(as_text=True)[:1500]


def test_the_survey_form_needs_the_token_and_stores_nothing_without_it(make_app):
    world = make_world()
    app = make_app()
    dataset = world.dataset()
    pkg = call_action("satudata_input_package_create", world.context("operator"),
                      package_id=dataset["id"], title="Posyandu", frequency="tahunan",
                      columns=[{"id": "nama", "label": "Nama Posyandu", "required": True}])
    link = call_action("satudata_survey_link_create", world.context("operator"), id=pkg["id"],
                       period="2025", title="Pendataan Posyandu 2025")
    url = f"/en/isian/{link['token']}"

    def stored() -> int:
        return len(call_action("satudata_survey_submission_list", world.context("operator"),
                               id=pkg["id"]))

    bare = app.test_client(use_cookies=False)
    assert _refused(bare.post(url, data={"nama": "Tanpa token"}))
    assert _refused(bare.post(url, data={"nama": "Token palsu", "_csrf_token": "palsu"}))
    assert stored() == 0
    browser = app.test_client(use_cookies=True)
    token = _token(browser, url)
    done = browser.post(url, data={"nama": "Melati", "_csrf_token": token})
    assert done.status_code == 200 and 'id="satudata-survey-done"' in done.get_data(as_text=True)
    assert stored() == 1


def test_the_data_request_form_needs_the_token(make_app, smtp_server):
    app = make_app()
    form = {"kind": "data", "description": "Jumlah posyandu per desa", "name": "Warga",
            "email": "warga@contoh.id", "institution": "Universitas"}
    bare = app.test_client(use_cookies=False)
    assert _refused(bare.post("/en/permohonan-data", data=form, follow_redirects=False))
    assert not smtp_server.to("warga@contoh.id")
    browser = app.test_client(use_cookies=True)
    token = _token(browser, "/en/permohonan-data")
    response = browser.post("/en/permohonan-data", data={**form, "_csrf_token": token},
                            follow_redirects=False)
    assert response.status_code == 302


def test_api_calls_and_token_authenticated_posts_are_not_affected(make_app):
    app = make_app()
    client = app.test_client(use_cookies=False)
    # Anonymous API posts carry no form token (CKAN's own rule for the API).
    assert client.post("/api/3/action/package_search", json={"q": "*:*"}).status_code == 200
    # A caller identified by an API token (a header no browser sends by itself).
    world = make_world()
    dataset = world.dataset()
    pkg = call_action("satudata_input_package_create", world.context("operator"),
                      package_id=dataset["id"], title="Posyandu", frequency="tahunan",
                      columns=[{"id": "nama", "label": "Nama Posyandu"}])
    link = call_action("satudata_survey_link_create", world.context("operator"), id=pkg["id"],
                       period="2025", title="Pendataan")
    response = client.post(f"/en/isian/{link['token']}", data={"nama": "Mawar"},
                           headers={"Authorization": world.users["surveyor"]["token"]})
    assert response.status_code == 200, response.get_data(as_text=True)[:1500]


@pytest.mark.ckan_config("SESSION_COOKIE_SECURE", "true")
def test_the_session_cookie_flags_in_production(make_app):
    """HttpOnly and SameSite=Lax always; Secure as config/production.ini.tmpl sets it."""
    client = make_app().test_client(use_cookies=True)
    response = client.get("/en/user/login")
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("ckan=")]
    assert cookies, response.headers.getlist("Set-Cookie")
    flags = {part.strip().lower() for part in cookies[-1].split(";")[1:]}
    assert {"httponly", "samesite=lax", "secure"} <= flags, flags
