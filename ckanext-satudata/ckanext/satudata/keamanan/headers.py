"""Security headers on every response of the portal (issue 14, "Login security").

Set only where a view did not choose its own (verifikasi's uploads send a stricter
Content-Security-Policy and their own nosniff). The frame policy is configurable
(`ckanext.satudata.security.frame_ancestors`); resource views embedded by CKAN's own
pages are same-origin, so the default `'self'` keeps them working. Session cookies are
HttpOnly and SameSite=Lax by CKAN's defaults and Secure in config/production.ini.tmpl.

The Content-Security-Policy lets a page load scripts, styles, images, fonts and data
from the portal only (the portal serves every library itself), with no inline script:
an injected `<script>` or `onclick` does not run. Inline *styles* stay allowed (CKAN's
templates and ECharts' SVG set them; they cannot run code). CKAN itself still writes
inline scripts in the pages that draw a resource view inside its frame
(`dataviewer/base.html`, ckanext-datatablesview), without a nonce to allow them by:
those views alone allow inline scripts.
"""
from __future__ import annotations

from flask import Blueprint, Response, request

from ckanext.satudata.keamanan import config

#: A blueprint without views: it only carries the app-wide response hook.
satudata_keamanan = Blueprint("satudata_keamanan", __name__)

_SOURCES = ("default-src 'self'; script-src 'self'{inline}; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; "
            "frame-ancestors {ancestors}")


def _writes_inline_scripts(endpoint: str | None) -> bool:
    """A resource view's page (`<type>_resource.view`, `resource.view`) or a
    datatablesview page: core writes them with an inline script (no nonce support)."""
    if not endpoint:
        return False
    blueprint, _, view = endpoint.rpartition(".")
    return (view == "view" and (blueprint == "resource" or blueprint.endswith("_resource"))
            or blueprint == "datatablesview")


def content_security_policy(ancestors: str, endpoint: str | None) -> str:
    inline = " 'unsafe-inline'" if _writes_inline_scripts(endpoint) else ""
    return _SOURCES.format(inline=inline, ancestors=ancestors)


def harden(response: Response) -> Response:
    """`after_app_request` hook: add the security headers a response lacks."""
    ancestors = config.frame_ancestors()
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if "X-Frame-Options" not in headers:
        headers["X-Frame-Options"] = "DENY" if ancestors == "'none'" else "SAMEORIGIN"
    if "Content-Security-Policy" not in headers:
        headers["Content-Security-Policy"] = content_security_policy(
            ancestors, request.endpoint if request else None)
    return response


satudata_keamanan.after_app_request(harden)
