"""Small real HTTP servers on 127.0.0.1 / ::1 for the fetch tests, and a connect recorder."""
from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

CSV = "kode;nama;jumlah\n0164A;Desa Satu;5\n007;Desa Dua;12\n"
CATALOG = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<http://intranet.example/catalog> a dcat:Catalog ;
    dcat:dataset <http://intranet.example/dataset/1> .
<http://intranet.example/dataset/1> a dcat:Dataset ; dct:title "Data Intranet" .
"""


class _Handler(BaseHTTPRequestHandler):
    server: Any

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        self.server.seen.append(parts.path)
        self.server.authorizations.append(self.headers.get("Authorization"))
        query = parse_qs(parts.query)
        if parts.path == "/redirect":
            self._redirect(query["to"][0])
        elif parts.path == "/loop":
            self._redirect("/loop")
        elif parts.path == "/big":  # declared length over the limit
            size = int(query["bytes"][0])
            self.send_response(200)
            self.send_header("Content-Length", str(size))
            self.end_headers()
            self._write_zeros(size)
        elif parts.path == "/stream":  # no length: the reader must count
            size = int(query["bytes"][0])
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self._write_zeros(size)
            self.close_connection = True
        elif parts.path.endswith(".csv"):
            self._body(CSV.encode(), "text/csv")
        elif parts.path == "/api/3/action/package_search":  # an empty CKAN catalogue
            self._body(b'{"success": true, "result": {"count": 0, "results": []}}',
                       "application/json")
        elif parts.path == "/catalog.ttl":
            self._body(CATALOG.encode(), "text/turtle")
        else:
            self.send_error(404)

    def _body(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _write_zeros(self, size: int) -> None:
        chunk = b"0" * (1 << 16)
        try:
            while size > 0:
                self.wfile.write(chunk[:size])
                size -= len(chunk)
        except OSError:
            pass  # the client stopped reading: that is the point


class _V6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


@contextmanager
def http_server(host: str = "127.0.0.1") -> Iterator[Any]:
    """A threaded server; `.url` is its base URL, `.seen` the paths it was asked for."""
    cls = _V6Server if ":" in host else ThreadingHTTPServer
    server = cls((host, 0), _Handler)
    server.daemon_threads = True
    server.seen = []
    server.authorizations = []
    port = server.server_address[1]
    server.url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    server.port = port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _ConnectRecorder:
    """Addresses this process tried to connect to (the `socket.connect` audit event)."""

    def __init__(self) -> None:
        self.active = False
        self.addresses: list[Any] = []
        sys.addaudithook(self._hook)

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if self.active and event == "socket.connect":
            self.addresses.append(args[1])

    @contextmanager
    def recording(self) -> Iterator[list[Any]]:
        self.addresses = []
        self.active = True
        try:
            yield self.addresses
        finally:
            self.active = False


connects = _ConnectRecorder()
