"""Security headers on every response of the portal (issue 14, "Login security").

Set only where a view did not choose its own (verifikasi's uploads send a stricter
Content-Security-Policy and their own nosniff). The frame policy is configurable
(`ckanext.satudata.security.frame_ancestors`); resource views embedded by CKAN's own
pages are same-origin, so the default `'self'` keeps them working. Session cookies are
HttpOnly and SameSite=Lax by CKAN's defaults and Secure in config/production.ini.tmpl.
"""
from __future__ import annotations

from flask import Blueprint, Response

from ckanext.satudata.keamanan import config

#: A blueprint without views: it only carries the app-wide response hook.
satudata_keamanan = Blueprint("satudata_keamanan", __name__)


def harden(response: Response) -> Response:
    """`after_app_request` hook: add the security headers a response lacks."""
    ancestors = config.frame_ancestors()
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if "X-Frame-Options" not in headers:
        headers["X-Frame-Options"] = "DENY" if ancestors == "'none'" else "SAMEORIGIN"
    if "Content-Security-Policy" not in headers:
        headers["Content-Security-Policy"] = f"frame-ancestors {ancestors}"
    return response


satudata_keamanan.after_app_request(harden)
