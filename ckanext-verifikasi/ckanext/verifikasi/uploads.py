"""Uploaded bytes never run as the portal.

Anyone who may edit a dataset can upload any file as a resource and set its
`mimetype` field to anything, and core sends uploads inline with that type from
the portal's own origin: an uploaded HTML, XHTML or SVG page would run its
script with the cookies and CSRF token of whoever opens it (a walidata, say).

`harden` runs after every request and changes only successful responses of the
routes that send stored uploads (resource downloads, including the kept
published copies of verifikasi, and `/uploads/...` images) and of DataStore dumps:

* `X-Content-Type-Options: nosniff` always, so a browser never guesses a type;
* a Content-Security-Policy that forbids every fetch and, with `sandbox`, runs
  the document in an opaque origin without script (PDFs get the policy without
  `sandbox`: Chromium refuses to show a PDF in a sandboxed document, and its
  viewer runs PDF script apart from the portal's origin);
* uploads of any type outside the passive allow-list below are attachments;
* types a browser runs as a document (HTML, XHTML, SVG, XML, script, unknown)
  are sent as `application/octet-stream`.

DataStore dumps are written by the portal (values escaped, already
attachments): they get the headers, their type is left alone for API clients.

`webpage_src` decides what a webpage view may frame: other sites only (http or
https), never the portal's own origin or an uploaded file; the template frames
it in a sandbox without `allow-same-origin`.
"""
from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk
from ckan import model
from flask import Response, request
from werkzeug.http import parse_options_header

#: Types shown inline: browsers render them without running the file's script.
INLINE = frozenset({
    "image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp",
    "text/plain", "text/csv", "application/json", "application/pdf",
})
#: Parts of a type that make a browser run the file as a document or script.
ACTIVE_MARKERS = ("html", "xml", "svg", "script", "xsl", "x-shockwave-flash", "multipart")

SANDBOX_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
PDF_CSP = "default-src 'none'; style-src 'unsafe-inline'"

_DOWNLOAD_RULE = re.compile(r"/resource/<resource_id>/download(/<filename>)?$")
_DUMP_RULE = "/datastore/dump/<resource_id>"


def _route() -> str | None:
    """'upload' or 'dump' for the routes that send stored bytes, else None."""
    rule = request.url_rule.rule if request.url_rule is not None else ""
    if _DOWNLOAD_RULE.search(rule) or request.path.startswith("/uploads/"):
        return "upload"
    if rule == _DUMP_RULE:
        return "dump"
    return None


def is_active(mimetype: str) -> bool:
    """Would a browser run a file of this type (an empty or unknown one counts as yes)?"""
    if not mimetype or "/" not in mimetype:
        return True
    return any(marker in mimetype for marker in ACTIVE_MARKERS)


def harden(response: Response) -> Response:
    """After-request hook: the headers described in the module docstring."""
    if not 200 <= response.status_code < 300:
        return response
    route = _route()
    if route is None:
        return response
    mimetype = (response.mimetype or "").strip().lower()
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = (
        PDF_CSP if mimetype == "application/pdf" else SANDBOX_CSP)
    if route == "dump" or mimetype in INLINE:
        return response
    filename = _filename(response)
    if filename:
        response.headers.set("Content-Disposition", "attachment", filename=filename)
    else:
        response.headers["Content-Disposition"] = "attachment"
    if is_active(mimetype):
        response.headers["Content-Type"] = "application/octet-stream"
    return response


def _filename(response: Response) -> str | None:
    """The name the file is sent with: the URL's, the resource's, or the response's.

    (Core names a download without a file name after its storage path, a bare id part.)
    """
    args = request.view_args or {}
    if args.get("filename"):
        return os.path.basename(args["filename"])
    resource = model.Resource.get(args["resource_id"]) if args.get("resource_id") else None
    if resource is not None and os.path.basename(resource.url or ""):
        return os.path.basename(resource.url)
    _, params = parse_options_header(response.headers.get("Content-Disposition", ""))
    return params.get("filename") or None


def webpage_src(resource_view: dict, resource: dict) -> str | None:
    """The address a webpage view may frame: another site's http(s) page, or None."""
    url = resource_view.get("page_url") or ""
    if not url:
        if resource.get("url_type"):  # an upload (or a file another plugin stores)
            return None
        url = resource.get("url") or ""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    site = urlsplit(tk.config.get("ckan.site_url") or "")
    if parts.hostname.lower() == (site.hostname or "").lower():
        return None
    if request and parts.hostname.lower() == (request.host or "").split(":")[0].lower():
        return None
    return url.strip()
