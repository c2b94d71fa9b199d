"""Server-side fetches refuse internal addresses, check every redirect hop, limit size.

Real servers on 127.0.0.1 and ::1; "no traffic" is proven with the interpreter's
`socket.connect` audit events, not with mocks.
"""
from __future__ import annotations

import io
import re

import pytest
import requests

from ckanext.satudata import safe_fetch
from ckanext.satudata.safe_fetch import FetchError, address_allowed, fetch_to_file
from ckanext.satudata.tests.fetch_servers import closed_port, connects, http_server

MB = 2**20
ALLOWED = "ckanext.satudata.fetch.allowed_networks"
ALLOW_LOCAL = pytest.mark.ckan_config(ALLOWED, "127.0.0.1/32 ::1/128")

pytestmark = pytest.mark.usefixtures("ckan_config")


def _fetch(url: str, max_bytes: int = MB) -> tuple[bytes, safe_fetch.Fetched]:
    out = io.BytesIO()
    info = fetch_to_file(url, out, max_bytes=max_bytes)
    return out.getvalue(), info


def _refusal(url: str) -> FetchError:
    with pytest.raises(FetchError) as caught:
        _fetch(url)
    return caught.value


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.1.2.3", "0.0.0.0", "10.1.2.3", "172.16.0.1", "192.168.1.1",
    "169.254.169.254", "100.64.0.1", "224.0.0.1", "239.255.255.250", "240.0.0.1",
    "255.255.255.255", "192.0.0.170", "198.18.0.1", "::", "::1", "fe80::1", "fc00::1",
    "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
    "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::1", "2002:a9fe:a9fe::1",
    "::127.0.0.1", "2001:db8::1", "fec0::1"])
def test_internal_and_reserved_addresses_are_refused(address):
    assert not address_allowed(address, [])


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111",
                                     "::ffff:93.184.215.14"])
def test_public_addresses_are_allowed(address):
    assert address_allowed(address, [])


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:{port}/data.csv",
    "http://localhost:{port}/data.csv",            # a name that resolves to loopback
    "http://LOCALHOST.:{port}/data.csv",
    "http://2130706433:{port}/data.csv",           # 127.0.0.1 as one number
    "http://0x7f.1:{port}/data.csv",
    "http://0.0.0.0:{port}/data.csv",              # reaches the local host on Linux
    "http://[::ffff:127.0.0.1]:{port}/data.csv",
])
def test_loopback_in_any_spelling_is_refused_before_connecting(url):
    with http_server() as server, connects.recording() as attempted:
        error = _refusal(url.format(port=server.port))
    assert error.msgid == safe_fetch.NEUTRAL
    assert attempted == []
    assert server.seen == []


def test_ipv6_loopback_is_refused_before_connecting():
    with http_server("::1") as server, connects.recording() as attempted:
        error = _refusal(f"{server.url}/data.csv")
    assert error.msgid == safe_fetch.NEUTRAL
    assert attempted == [] and server.seen == []


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/",
                                 "http://10.255.255.1:8983/solr/", "http://[fd00::1]/",
                                 "http://100.64.0.1/"])
def test_metadata_and_private_addresses_get_no_traffic(url):
    with connects.recording() as attempted:
        error = _refusal(url)
    assert error.msgid == safe_fetch.NEUTRAL
    assert attempted == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x.csv",
                                 "gopher://127.0.0.1:6379/_INFO", "http:///nohost",
                                 "http://example.com:99999/"])
def test_other_schemes_and_malformed_urls_are_refused(url):
    with connects.recording() as attempted:
        assert _refusal(url).msgid == safe_fetch.NEUTRAL
    assert attempted == []


def test_a_redirect_from_an_allowed_server_to_a_refused_address_is_refused(
        ckan_config, monkeypatch):
    with http_server() as allowed, http_server("::1") as target:
        # The first server is allowed; the second hop goes to a refused address.
        monkeypatch.setitem(ckan_config, ALLOWED, "127.0.0.1/32")
        error = _refusal(f"{allowed.url}/redirect?to={target.url}/data.csv")
        assert error.msgid == safe_fetch.NEUTRAL
        assert allowed.seen == ["/redirect"] and target.seen == []

        for to in ("http://169.254.169.254/latest/meta-data/", "file:///etc/passwd",
                   "http://localhost:1/"):
            assert _refusal(f"{allowed.url}/redirect?to={to}").msgid == safe_fetch.NEUTRAL


@ALLOW_LOCAL
def test_allow_listed_addresses_are_fetched_through_redirects():
    with http_server() as server:
        body, info = _fetch(f"{server.url}/redirect?to=/redirect%3Fto%3D/data.csv")
    assert body.decode().startswith("kode;nama;jumlah")
    assert info.url.endswith("/data.csv")
    assert server.seen == ["/redirect", "/redirect", "/data.csv"]


@ALLOW_LOCAL
def test_credentials_are_not_sent_on_to_another_host():
    with http_server() as first, http_server("::1") as second:
        out = io.BytesIO()
        fetch_to_file(f"{first.url}/redirect?to={second.url}/data.csv", out, max_bytes=MB,
                      headers={"Authorization": "rahasia"})
    assert out.getvalue().startswith(b"kode")
    assert first.authorizations == ["rahasia"] and second.authorizations == [None]


@ALLOW_LOCAL
def test_ipv6_allow_listed_is_fetched():
    with http_server("::1") as server:
        body, _info = _fetch(f"{server.url}/data.csv")
    assert body.startswith(b"kode")


@ALLOW_LOCAL
@pytest.mark.ckan_config("ckanext.satudata.fetch.max_redirects", "3")
def test_too_many_redirects_stop_with_the_neutral_error():
    with http_server() as server:
        error = _refusal(f"{server.url}/loop")
    assert error.msgid == safe_fetch.NEUTRAL
    assert server.seen == ["/loop"] * 4  # the first request and three redirects


@ALLOW_LOCAL
@pytest.mark.parametrize("path", ["big", "stream"])
def test_a_file_over_the_limit_is_refused(path):
    out = io.BytesIO()
    with http_server() as server, pytest.raises(FetchError) as caught:
        fetch_to_file(f"{server.url}/{path}?bytes={MB + 1}", out, max_bytes=MB)
    assert caught.value.msgid == safe_fetch.TOO_LARGE
    assert caught.value.params == {"limit": 1}
    assert out.tell() <= MB


@ALLOW_LOCAL
def test_exactly_the_limit_is_fetched():
    with http_server() as server:
        body, info = _fetch(f"{server.url}/stream?bytes={MB}")
    assert len(body) == MB == info.size


def test_a_closed_port_and_a_refused_address_give_the_same_error(ckan_config, monkeypatch):
    with http_server() as server:
        refused = _refusal(f"{server.url}/data.csv")
    monkeypatch.setitem(ckan_config, ALLOWED, "127.0.0.1/32")
    closed = _refusal(f"http://127.0.0.1:{closed_port()}/data.csv")
    assert str(closed) == str(refused) == safe_fetch.NEUTRAL
    assert (closed.msgid, closed.params) == (refused.msgid, refused.params)


@pytest.mark.ckan_config("ckanext.satudata.fetch.allowed_hosts", "localhost")
def test_allow_listed_host_names_may_resolve_to_internal_addresses():
    with http_server() as server:
        body, _info = _fetch(f"http://localhost:{server.port}/data.csv")
        assert body.startswith(b"kode")
        assert _refusal(f"{server.url}/data.csv").msgid == safe_fetch.NEUTRAL


@ALLOW_LOCAL
def test_an_http_error_of_an_allowed_server_names_the_status():
    with http_server() as server:
        error = _refusal(f"{server.url}/missing")
    assert (error.msgid, error.params) == (safe_fetch.HTTP_STATUS, {"status": 404})


def test_the_session_checks_redirects_that_requests_follows_itself(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, ALLOWED, "127.0.0.1/32")
    with http_server() as allowed, http_server("::1") as target, safe_fetch.session() as s:
        assert s.get(f"{allowed.url}/redirect?to=/data.csv", timeout=10).text.startswith("kode")
        with pytest.raises(requests.ConnectionError):
            s.get(f"{allowed.url}/redirect?to={target.url}/data.csv", timeout=10)
    assert target.seen == []


def test_session_errors_do_not_tell_a_closed_port_from_a_refused_address(ckan_config,
                                                                          monkeypatch):
    def error_text(url: str) -> str:
        with safe_fetch.session() as s, pytest.raises(requests.ConnectionError) as caught:
            s.get(url, timeout=10)
        # Only the URL the caller gave (its port) and object ids differ.
        return re.sub(r"port=\d+|:\d+/|0x[0-9a-f]+", "", str(caught.value))

    with http_server() as server:
        refused = error_text(f"{server.url}/data.csv")
    monkeypatch.setitem(ckan_config, ALLOWED, "127.0.0.1/32")
    closed = error_text(f"http://127.0.0.1:{closed_port()}/data.csv")
    assert closed == refused
    assert safe_fetch.NEUTRAL in closed and "refused" not in closed.lower()


@ALLOW_LOCAL
def test_environment_proxies_are_not_used(monkeypatch):
    with http_server() as proxy, http_server() as server:
        for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY"):
            monkeypatch.setenv(name, proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        body, _info = _fetch(f"{server.url}/data.csv")
    assert body.startswith(b"kode")
    assert proxy.seen == [] and server.seen == ["/data.csv"]


def test_a_bad_allow_list_entry_names_itself(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, ALLOWED, "10.0.0.0/8 intranet")
    with pytest.raises(ValueError, match="intranet"):
        _fetch("http://127.0.0.1:1/")
