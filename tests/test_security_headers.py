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
    assert response.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.ckan_config("ckanext.satudata.security.frame_ancestors", "'none'")
def test_the_frame_policy_is_configurable(app):
    response = app.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Content-Security-Policy"] == "frame-ancestors 'none'"


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
