"""Uploaded bytes are served so that they cannot run script in the portal's origin.

An operator may upload any file as a resource (or set its `mimetype` field to anything).
Every route that sends stored uploads answers with `X-Content-Type-Options: nosniff` and a
sandboxing Content-Security-Policy; types a browser would run as a document (HTML, XHTML,
SVG, XML, script, anything unknown) are sent as `application/octet-stream` attachments;
only passive types (raster images, plain text, CSV, JSON, PDF) stay inline. Uploaded HTML
gets no automatic webpage view, and a webpage view never frames the portal's own origin.
The browser half of these checks is tests/test_browser_uploads.py.
"""
from __future__ import annotations

import base64
from typing import Any

import pytest
from ckan.tests.helpers import call_action

from ckanext.verifikasi.tests.world import World, make_world

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

#: Each payload records, if it ever runs as the portal, which file ran.
ACTIVE = {
    "laporan.html": (
        "<!doctype html><html><head><title>Laporan</title></head><body>"
        "<script>localStorage.setItem('pwned', 'html');</script>Laporan</body></html>"),
    "gambar.svg": (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        '<script>localStorage.setItem("pwned", "svg");</script></svg>'),
    "halaman.xhtml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head><body>'
        '<script>localStorage.setItem("pwned", "xhtml");</script></body></html>'),
}
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]"
       b"/Count 1>>endobj 3 0 obj<</Type/Page/MediaBox[0 0 200 200]/Parent 2 0 R>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


@pytest.fixture
def world() -> World:
    return make_world()


def _operator(world: World) -> dict[str, Any]:
    return {"user": world.users["operator"]["name"], "ignore_auth": False}


def _headers(world: World, who: str = "walidata") -> dict[str, str]:
    return {"Authorization": world.users[who]["token"]}


def _assert_attachment(res, filename: str) -> None:
    assert res.status_code == 200, res.body[:500]
    assert res.headers.get("X-Content-Type-Options") == "nosniff"
    assert res.headers["Content-Type"] == "application/octet-stream"
    disposition = res.headers.get("Content-Disposition", "")
    assert disposition.startswith("attachment"), disposition
    assert filename in disposition
    csp = res.headers.get("Content-Security-Policy", "")
    assert "sandbox" in [d.strip().split(" ")[0] for d in csp.split(";")], csp
    assert "default-src 'none'" in csp


def test_active_uploads_download_as_attachments(app, create_with_upload, world):
    ds = world.dataset()
    for filename, content in ACTIVE.items():
        res = create_with_upload(content, filename, context=_operator(world),
                                 package_id=ds["id"], name=filename)
        for url in (f"/dataset/{ds['id']}/resource/{res['id']}/download/{filename}",
                    f"/dataset/{ds['id']}/resource/{res['id']}/download"):
            got = app.get(url, headers=_headers(world))
            _assert_attachment(got, filename)
            assert got.body == content


def test_a_mimetype_set_by_the_operator_cannot_make_text_active(app, create_with_upload, world):
    ds = world.dataset()
    res = create_with_upload(ACTIVE["laporan.html"], "catatan.txt", context=_operator(world),
                             package_id=ds["id"], name="Catatan", format="TXT")
    call_action("resource_patch", _operator(world), id=res["id"], mimetype="text/html")
    got = app.get(f"/dataset/{ds['id']}/resource/{res['id']}/download/catatan.txt",
                  headers=_headers(world))
    _assert_attachment(got, "catatan.txt")


#: Chromium shows no PDF in a sandboxed document; its viewer runs PDF script apart from
#: the page's origin, so a PDF keeps a CSP without the sandbox token.
PASSIVE = [
    ("peta.png", PNG, "image/png", True),
    ("catatan.txt", "Catatan kegiatan\n", "text/plain", True),
    ("tabel.csv", "kode,nilai\n35.14,1\n", "text/csv", True),
    ("laporan.pdf", PDF, "application/pdf", False),
]


def test_passive_uploads_stay_inline_with_nosniff(app, create_with_upload, world):
    ds = world.dataset()
    for filename, content, mimetype, sandboxed in PASSIVE:
        res = create_with_upload(content, filename, context=_operator(world),
                                 package_id=ds["id"], name=filename)
        got = app.get(f"/dataset/{ds['id']}/resource/{res['id']}/download/{filename}",
                      headers=_headers(world))
        assert got.status_code == 200, filename
        assert got.headers["Content-Type"].split(";")[0] == mimetype
        assert not got.headers.get("Content-Disposition", "inline").startswith("attachment")
        assert got.headers.get("X-Content-Type-Options") == "nosniff", filename
        csp = got.headers.get("Content-Security-Policy", "")
        assert "default-src 'none'" in csp, filename
        assert ("sandbox" in csp) is sandboxed, filename


def test_the_kept_published_file_is_served_the_same_way(app, create_with_upload, world):
    ds = world.dataset()
    res = create_with_upload(ACTIVE["laporan.html"], "laporan.html", context=_operator(world),
                             package_id=ds["id"], name="Laporan")
    world.publish(ds["id"])
    # An update starts: the public now gets the kept copy of the published file.
    call_action("package_patch", _operator(world), id=ds["id"], title="Laporan 2026")
    got = app.get(f"/dataset/{ds['id']}/resource/{res['id']}/download/laporan.html")
    _assert_attachment(got, "laporan.html")


def test_error_pages_of_download_routes_stay_ordinary_pages(app, create_with_upload, world):
    ds = world.dataset()
    res = create_with_upload(ACTIVE["laporan.html"], "laporan.html", context=_operator(world),
                             package_id=ds["id"], name="Laporan")
    got = app.get(f"/dataset/{ds['id']}/resource/{res['id']}/download/laporan.html",
                  status=403)
    assert got.headers["Content-Type"].startswith("text/html")
    # Not the uploads' sandboxing policy (the portal-wide frame-ancestors one is fine).
    assert "sandbox" not in got.headers.get("Content-Security-Policy", "")
    assert "attachment" not in got.headers.get("Content-Disposition", "")


def test_uploaded_organization_images_are_sandboxed(create_with_upload, app, world):
    org = create_with_upload(PNG, "logo.png", action="organization_create",
                             upload_field_name="image_upload",
                             context={"user": world.users["sysadmin"]["name"]},
                             name="dinas-logo")
    path = org["image_url"]
    assert not path.startswith("http")
    got = app.get(f"/uploads/group/{path}")
    assert got.status_code == 200
    assert got.headers.get("X-Content-Type-Options") == "nosniff"
    assert "sandbox" in got.headers.get("Content-Security-Policy", "")


def test_uploaded_html_gets_no_automatic_webpage_view(create_with_upload, world):
    ds = world.dataset()
    res = create_with_upload(ACTIVE["laporan.html"], "laporan.html", context=_operator(world),
                             package_id=ds["id"], name="Laporan", format="HTML")
    views = call_action("resource_view_list", _operator(world), id=res["id"])
    assert [v["view_type"] for v in views if v["view_type"] == "webpage_view"] == []


def test_a_webpage_view_never_frames_the_portal_and_sandboxes_other_sites(
        app, create_with_upload, world):
    ds = world.dataset()
    upload = create_with_upload(ACTIVE["laporan.html"], "laporan.html",
                                context=_operator(world), package_id=ds["id"], name="Laporan",
                                format="HTML")
    link = call_action("resource_create", _operator(world), package_id=ds["id"],
                       name="Situs BPS", url="https://pasuruankab.bps.go.id/laporan.html",
                       format="HTML")
    cases = [
        (upload["id"], {}, False),
        (upload["id"], {"page_url": "/dataset/x/resource/y/download/laporan.html"}, False),
        (link["id"], {"page_url": "javascript:localStorage.setItem('pwned','js')"}, False),
        (link["id"], {}, True),
    ]
    for resource_id, extra, framed in cases:
        view = call_action("resource_view_create", _operator(world), resource_id=resource_id,
                           view_type="webpage_view", title="Situs", **extra)
        page = app.get(f"/dataset/{ds['id']}/resource/{resource_id}?view_id={view['id']}",
                       headers=_headers(world)).body
        iframes = [chunk for chunk in page.split("<iframe")[1:] if "Webpage view" in chunk]
        assert bool(iframes) is framed, (extra, iframes)
        for chunk in iframes:
            tag = chunk.split(">")[0]
            assert 'src="https://pasuruankab.bps.go.id/laporan.html"' in tag
            assert 'sandbox="' in tag and "allow-same-origin" not in tag
