"""Remote catalogues for harvest tests, served for real from a thread on 127.0.0.1.

`stock_ckan(datasets)` answers the CKAN action API the way a stock CKAN 2.11 does
(`package_search` with paging, `package_show`, `organization_show`), with datasets
shaped like a stock CKAN's (no SDI field; licence, tags, extras, organization,
resources). `static_files(files)` serves fixed documents (a Turtle catalogue).
The allow-list `ckanext.satudata.fetch.allowed_networks` must name 127.0.0.1 for
the harvesters to reach them (see `ALLOW_LOCAL`).
"""
from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

ALLOW_LOCAL = ("ckanext.satudata.fetch.allowed_networks", "127.0.0.1/32")


def stock_dataset(title: str, **fields: Any) -> dict[str, Any]:
    """A dataset as a stock CKAN 2.11's package_show returns it."""
    ident = fields.pop("id", None) or str(uuid.uuid4())
    name = fields.pop("name", None) or f"remote-{ident[:8]}"
    org_id = "5f0e8f1c-0000-4000-8000-00000000c0de"
    dataset = {
        "id": ident, "name": name, "title": title, "type": "dataset",
        "notes": f"{title} dari portal CKAN lain.", "author": "Bappeda", "author_email": None,
        "maintainer": "Admin Data", "maintainer_email": "data@contoh.go.id",
        "license_id": "cc-by", "license_title": "Creative Commons Attribution",
        "license_url": "http://www.opendefinition.org/licenses/cc-by", "isopen": True,
        "metadata_created": "2026-01-05T03:00:00.000000",
        "metadata_modified": "2026-02-01T03:00:00.000000",
        "private": False, "state": "active", "url": "", "version": "1.0",
        "creator_user_id": "b3c1f6d6-0000-4000-8000-000000000001",
        "num_resources": 1, "num_tags": 2,
        "owner_org": org_id,
        "organization": {"id": org_id, "name": "dinas-remote", "title": "Dinas Remote",
                         "type": "organization", "description": "", "image_url": "",
                         "created": "2025-01-01T00:00:00.000000", "is_organization": True,
                         "approval_status": "approved", "state": "active"},
        "tags": [{"id": str(uuid.uuid4()), "name": "kesehatan", "display_name": "kesehatan",
                  "state": "active", "vocabulary_id": None},
                 {"id": str(uuid.uuid4()), "name": "statistik", "display_name": "statistik",
                  "state": "active", "vocabulary_id": None}],
        "groups": [], "relationships_as_object": [], "relationships_as_subject": [],
        "extras": [{"key": "periode", "value": "2025"}],
        "resources": [{
            "id": str(uuid.uuid4()), "package_id": ident, "name": "Tabel", "format": "CSV",
            "url": f"https://remote.contoh.id/dataset/{ident}/tabel.csv", "description": "",
            "mimetype": "text/csv", "size": None, "state": "active", "position": 0,
            "created": "2026-01-05T03:00:00.000000", "last_modified": None,
            "metadata_modified": "2026-02-01T03:00:00.000000", "url_type": None,
            "hash": "", "cache_url": None, "cache_last_updated": None,
            "datastore_active": False, "mimetype_inner": None, "resource_type": None}],
    }
    dataset.update(fields)
    return dataset


class _Handler(BaseHTTPRequestHandler):
    server: Any

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        self.server.seen.append(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path in self.server.files:
            body, content_type = self.server.files[parts.path]
            return self._send(200, body.encode(), content_type)
        datasets: list[dict[str, Any]] = self.server.datasets
        if parts.path == "/api/3/action/package_search":
            start, rows = int(query.get("start", 0)), int(query.get("rows", 10))
            ordered = sorted(datasets, key=lambda d: d["id"])
            page = ordered[start:start + rows]
            return self._json({"count": len(ordered), "results": page, "facets": {},
                               "search_facets": {}, "sort": query.get("sort", "")})
        if parts.path == "/api/3/action/package_show":
            for dataset in datasets:
                if query.get("id") in (dataset["id"], dataset["name"]):
                    return self._json(dataset)
            return self._send(404, json.dumps({"success": False, "error": {
                "__type": "Not Found Error", "message": "Not found"}}).encode(),
                "application/json")
        if parts.path == "/api/3/action/organization_show":
            orgs = {d["organization"]["name"]: d["organization"] for d in datasets}
            orgs.update({o["id"]: o for o in list(orgs.values())})
            if query.get("id") in orgs:
                return self._json(orgs[query["id"]])
        self._send(404, b"not found", "text/plain")

    def _json(self, result: Any) -> None:
        self._send(200, json.dumps({"help": "", "success": True, "result": result}).encode(),
                   "application/json")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def _serve(datasets: list[dict[str, Any]], files: dict[str, tuple[str, str]]
           ) -> Iterator[Any]:
    server: Any = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.datasets = datasets
    server.files = files
    server.seen = []
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def stock_ckan(datasets: list[dict[str, Any]]) -> Any:
    """A stock CKAN's action API holding `datasets` (the list may change while serving)."""
    return _serve(datasets, {})


def static_files(files: dict[str, tuple[str, str]]) -> Any:
    """Fixed documents: path -> (body, content type)."""
    return _serve([], files)
