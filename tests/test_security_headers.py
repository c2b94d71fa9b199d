"""Security headers and session cookie flags on the portal's responses (issue 14)."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

_CSRF = re.compile(r'name="_csrf_token"\s+value="([^"]+)"')


@pytest.mark.parametrize("url", ["/", "/user/login", "/dataset/", "/api/3/action/status_show",
                                 "/halaman-yang-tidak-ada"])
def test_every_response_carries_the_security_headers(app, url):
    response = app.get(url, status=None)
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    policy = _policy(response)
    assert policy["frame-ancestors"] == "'self'"
    assert policy["script-src"] == "'self'"  # no inline script, nothing from elsewhere
    assert policy["default-src"] == policy["connect-src"] == policy["img-src"][:6] == "'self'"
    assert policy["object-src"] == "'none'"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.ckan_config("ckanext.satudata.security.frame_ancestors", "'none'")
def test_the_frame_policy_is_configurable(app):
    response = app.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert _policy(response)["frame-ancestors"] == "'none'"


def _policy(response) -> dict[str, str]:
    directives = [d.strip().split(" ", 1) for d in
                  response.headers["Content-Security-Policy"].split(";")]
    return {d[0]: d[1] for d in directives}


def test_only_resource_view_pages_allow_cores_inline_script(app):
    """Core writes the page drawing a resource view in its frame with an inline script;
    that page alone allows one (no other page of the portal writes any)."""
    from ckanext.satudata.keamanan.headers import content_security_policy

    assert "'unsafe-inline'" in content_security_policy("'self'", "dataset_resource.view")
    assert "'unsafe-inline'" in content_security_policy("'self'", "datatablesview.ajax")
    for endpoint in ("dataset.read", "dataset_resource.read", "home.index", None):
        assert "script-src 'self';" in content_security_policy("'self'", endpoint)
    missing_view = app.get("/dataset/tidak-ada/resource/tidak-ada/view/tidak-ada", status=None)
    assert "'unsafe-inline'" in _policy(missing_view)["script-src"]


def test_the_session_cookie_is_httponly_and_samesite_lax(app):
    client = app.test_client(use_cookies=True)
    response = client.get("/user/login")  # the form's CSRF token starts a session
    assert _CSRF.search(response.get_data(as_text=True)), "the login form carries a CSRF token"
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("ckan=")]
    assert cookies, response.headers.getlist("Set-Cookie")
    flags = [part.strip().lower() for part in cookies[-1].split(";")]
    assert "httponly" in flags and "samesite=lax" in flags


def test_production_config_marks_cookies_secure():
    from pathlib import Path
    text = (Path(__file__).resolve().parent.parent / "config" / "production.ini.tmpl").read_text()
    assert "SESSION_COOKIE_SECURE = ${COOKIE_SECURE}" in text
    assert "SESSION_COOKIE_HTTPONLY = true" in text and "SESSION_COOKIE_SAMESITE = Lax" in text


def test_the_header_loads_no_picture_from_another_site(app):
    from ckan.tests import factories

    user = factories.User(image_url="https://foto.example.org/saya.png")
    token = factories.APIToken(user=user["name"])["token"]
    body = app.get("/", headers={"Authorization": token}).body
    assert user["display_name"] in body  # signed in: the account link is there
    assert "foto.example.org" not in body
