"""`/api/openapi.json`, `/api/postman.json` and `/api/docs` (Swagger UI): thin views
over `openapi.spec`. Public: they document the public API and name no dataset."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response

from ckanext.satudata.keamanan import config as security_config
from ckanext.satudata.openapi import spec

satudata_openapi = Blueprint("satudata_openapi", __name__)

#: The docs page runs only the portal's own scripts and styles (Swagger UI from
#: assets/vendor, its start-up script a static file) and talks only to the portal.
#: Images over https stay allowed: the portal's header shows a logged-in user's
#: picture from the URL in their profile, as on every other page.
_DOCS_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; "
                "img-src 'self' data: https:; font-src 'self'; connect-src 'self'; "
                "object-src 'none'; base-uri 'self'; form-action 'self'; "
                "frame-ancestors {ancestors}")


def _json(body: bytes, filename: str | None = None) -> Response:
    response = Response(body, mimetype="application/json")
    response.headers["Cache-Control"] = "public, max-age=300"
    if filename:
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def openapi_json() -> Response:
    return _json(spec.document_json(tk.h.lang()))


def postman_json() -> Response:
    return _json(spec.postman_json(tk.h.lang()), "satudata-pasuruan.postman_collection.json")


def docs() -> Response:
    body = tk.render("satudata_openapi/docs.html", {
        "spec_url": tk.h.url_for("satudata_openapi.openapi_json"),
        "postman_url": tk.h.url_for("satudata_openapi.postman_json"),
    })
    response = Response(body, mimetype="text/html")
    response.headers["Content-Security-Policy"] = _DOCS_POLICY.format(
        ancestors=security_config.frame_ancestors())
    return response


satudata_openapi.add_url_rule("/api/openapi.json", "openapi_json", openapi_json)
satudata_openapi.add_url_rule("/api/postman.json", "postman_json", postman_json)
satudata_openapi.add_url_rule("/api/docs", "docs", docs)
