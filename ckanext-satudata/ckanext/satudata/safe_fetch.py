"""Every URL the server fetches on a user's behalf goes through here (loader, harvest, pulls).

The rule (DESIGN "Fetching URLs"): only http and https; the host name is
resolved here and refused when any of its addresses is loopback, private,
link-local, CGNAT, multicast, unspecified or reserved (IPv4, IPv6, and IPv4
inside IPv6), unless the address or the host name is allow-listed in
`ckanext.satudata.fetch.allowed_networks` / `allowed_hosts` (intranet OPD
systems). The connection is made to the address that was checked (no second
DNS lookup between check and connect, so DNS rebinding cannot slip through),
and the peer address is checked again once connected. Redirects are followed
here, hop by hop, each hop checked the same way, at most
`ckanext.satudata.fetch.max_redirects`. Environment proxies are ignored.

Every refusal, unreachable host, closed port, time-out, bad scheme or redirect
loop gives the same `FetchError` message, so the errors a user sees never tell
an open port from a closed one or a refused address from an unreachable one
(the reason is logged for administrators).

`fetch_to_file` downloads with a size limit; `session()` is a `requests`
session whose every connection (redirects followed by requests included)
passes the same address check, for code that drives requests itself
(the DCAT harvester's `update_session` hook).
"""
from __future__ import annotations

import io
import ipaddress
import logging
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError
from urllib3.poolmanager import PoolManager
from urllib3.util.timeout import _DEFAULT_TIMEOUT

from ckanext.satudata import config

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

SCHEMES = ("http", "https")
CHUNK = 1 << 16
# Networks refused besides what `ipaddress` calls non-global (it treats these as global).
_EXTRA_REFUSED = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8",        # "this network" (0.0.0.0 reaches the local host)
    "100.64.0.0/10",    # CGNAT shared address space
    "192.0.0.0/24",     # IETF protocol assignments
    "198.18.0.0/15",    # benchmarking
    "224.0.0.0/4",      # multicast
    "240.0.0.0/4",      # reserved, broadcast
    "::/128", "::1/128",
    "ff00::/8",         # multicast
    "fc00::/7",         # unique local
    "fe80::/10",        # link-local
    "fec0::/10",        # site-local (deprecated)
    "64:ff9b:1::/48",   # local-use NAT64
))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")



def N_(msgid: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return msgid


NEUTRAL = N_("The file at the resource URL could not be fetched.")
HTTP_STATUS = N_("The file at the resource URL could not be fetched: the server answered {status}.")
TOO_LARGE = N_("The file is larger than {limit} MB.")


class FetchError(Exception):
    """A fetch failed; `msgid` (English, translated when shown) and `params` say what to show."""

    def __init__(self, msgid: str = NEUTRAL, reason: str = "", **params: Any) -> None:
        super().__init__(msgid.format(**params))
        self.msgid = msgid
        self.params = params
        self.reason = reason  # for the log only: never shown to users


# --- the address rule -----------------------------------------------------------

def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip.teredo is not None:
            return ip.teredo[1]
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _refused_by_kind(ip: IPAddress) -> bool:
    return (not ip.is_global or ip.is_private or ip.is_loopback or ip.is_link_local
            or ip.is_multicast or ip.is_reserved or ip.is_unspecified
            or any(ip.version == n.version and ip in n for n in _EXTRA_REFUSED))


def _allow_listed(ip: IPAddress, networks: Iterable[IPNetwork]) -> bool:
    candidates = [ip]
    inner = _embedded_ipv4(ip)
    if inner is not None:
        candidates.append(inner)
    return any(c.version == n.version and c in n for c in candidates for n in networks)


def address_allowed(address: str | IPAddress, networks: Iterable[IPNetwork] | None = None) -> bool:
    """Whether the server may connect to this IP address (allow-list first, then the rule)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0] if isinstance(address, str) else address)
    networks = list(config.fetch_allowed_networks() if networks is None else networks)
    if _allow_listed(ip, networks):
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return not _refused_by_kind(ip.ipv4_mapped)  # the IPv4 address is what is reached
    inner = _embedded_ipv4(ip)
    return not _refused_by_kind(ip) and (inner is None or not _refused_by_kind(inner))


def _host_allow_listed(host: str) -> bool:
    return host.lower().rstrip(".") in config.fetch_allowed_hosts()


def resolve(host: str, port: int) -> list[tuple[Any, ...]]:
    """The host's addresses (getaddrinfo entries) if every one of them is allowed.

    A name with one refused address among public ones is refused as a whole.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise _refusal(f"{host} does not resolve: {exc}") from None
    if not infos:
        raise _refusal(f"{host} has no address")
    if _host_allow_listed(host):
        return infos
    networks = config.fetch_allowed_networks()
    refused = [info[4][0] for info in infos if not address_allowed(info[4][0], networks)]
    if refused:
        raise _refusal(f"{host} resolves to refused address(es) {', '.join(refused)}")
    return infos


def _refusal(reason: str) -> OSError:
    return OSError(reason)  # becomes the neutral NewConnectionError in _new_conn


# --- connections pinned to the checked address -----------------------------------

class _CheckedConnectionMixin:
    """Resolve, check, connect to that very address, check the peer again."""

    host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any
    _dns_host: str

    def _new_conn(self) -> socket.socket:
        host = self._dns_host.strip("[]")
        try:
            infos = resolve(host, self.port)
        except OSError as exc:
            raise _unreachable(self, str(exc)) from None
        allow_any_peer = _host_allow_listed(host)
        last: Exception | None = None
        for family, socktype, proto, _name, sockaddr in infos:
            sock = socket.socket(family, socktype, proto)
            try:
                for option in self.socket_options or ():
                    sock.setsockopt(*option)
                if self.timeout is not _DEFAULT_TIMEOUT:
                    sock.settimeout(self.timeout)
                if self.source_address:
                    sock.bind(self.source_address)
                sock.connect(sockaddr)
                peer = sock.getpeername()[0]
                if not allow_any_peer and not address_allowed(peer):
                    sock.close()
                    raise _unreachable(self, f"connected peer {peer} is refused")
                return sock
            except NewConnectionError:
                raise
            except OSError as exc:
                sock.close()
                last = exc
        raise _unreachable(self, f"{host}:{self.port}: {last}")


def _unreachable(conn: Any, reason: str) -> NewConnectionError:
    """The same exception, with the same text, for a refused address and a closed port."""
    log.warning("server-side fetch refused or failed: %s", reason)
    return NewConnectionError(conn, NEUTRAL)


class _CheckedHTTPConnection(_CheckedConnectionMixin, HTTPConnection):
    pass


class _CheckedHTTPSConnection(_CheckedConnectionMixin, HTTPSConnection):
    pass


class _CheckedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _CheckedPoolManager(PoolManager):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pool_classes_by_scheme = {"http": _CheckedHTTPConnectionPool,
                                       "https": _CheckedHTTPSConnectionPool}


class CheckedAdapter(HTTPAdapter):
    """A transport adapter whose every connection passes the address rule."""

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False,
                         **pool_kwargs: Any) -> None:
        self._pool_connections, self._pool_maxsize, self._pool_block = (
            connections, maxsize, block)
        self.poolmanager = _CheckedPoolManager(num_pools=connections, maxsize=maxsize,
                                               block=block, **pool_kwargs)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        raise requests.exceptions.InvalidSchema("proxies are not used for checked fetches")


def session() -> requests.Session:
    """A requests session for server-side fetches: checked connections, no environment proxy.

    Requests follows redirects on it by itself (each hop's connection is checked);
    `fetch_to_file` follows them itself to check the scheme of each hop too.
    """
    return secure(requests.Session())


def secure(s: requests.Session) -> requests.Session:
    """Make a session another library drives (a harvester's) use checked connections only."""
    s.trust_env = False  # no HTTP(S)_PROXY: the connection must go to the checked address
    s.proxies.clear()
    s.max_redirects = config.fetch_max_redirects()
    s.adapters.clear()  # only http and https, both checked
    s.mount("http://", CheckedAdapter())
    s.mount("https://", CheckedAdapter())
    return s


# --- fetching ----------------------------------------------------------------------

@dataclass
class Fetched:
    url: str  # the URL the file finally came from (after redirects)
    size: int
    content_type: str | None


def check_url(url: str) -> None:
    """Refuse a URL whose scheme is not http(s) or that has no host (no network access)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise FetchError(reason=f"bad URL {url!r}: {exc}") from None
    if parts.scheme.lower() not in SCHEMES or not host:
        raise FetchError(reason=f"scheme or host refused in {url!r}")


def fetch_to_file(url: str, out: IO[bytes], *, max_bytes: int,
                  headers: dict[str, str] | None = None) -> Fetched:
    """Download `url` into `out`, following and checking redirects, at most `max_bytes`.

    Raises:
        FetchError: the neutral message for anything refused or unreachable, the
            HTTP status when a checked server answered with an error, or the size.
    """
    timeout = config.fetch_timeout()
    current = url
    with session() as s:
        for _hop in range(config.fetch_max_redirects() + 1):
            check_url(current)
            try:
                resp = s.get(current, headers=headers, stream=True, allow_redirects=False,
                             timeout=(min(timeout, 10), timeout))
            except requests.RequestException as exc:
                log.warning("fetch of %s refused or failed: %s", current, exc)
                raise FetchError(reason=str(exc)) from None
            with resp:
                if resp.is_redirect:
                    location = urljoin(current, resp.headers.get("location") or "")
                    if headers and _origin(location) != _origin(current):
                        # Credentials stay with the host they were given for (as requests does).
                        headers = {k: v for k, v in headers.items()
                                   if k.lower() not in ("authorization", "cookie")}
                    current = location
                    continue
                if resp.status_code >= 400:
                    raise FetchError(HTTP_STATUS, reason=f"HTTP {resp.status_code}",
                                     status=resp.status_code)
                return _stream(resp, out, max_bytes)
    log.warning("fetch of %s: more than %s redirects", url, config.fetch_max_redirects())
    raise FetchError(reason="too many redirects")


def _origin(url: str) -> tuple[str, str | None, int | None]:
    try:
        parts = urlsplit(url)
        return parts.scheme.lower(), parts.hostname, parts.port
    except ValueError:
        return "", None, None


def fetch_bytes(url: str, *, max_bytes: int, headers: dict[str, str] | None = None) -> bytes:
    """`fetch_to_file` into memory, for small documents (harvested API answers)."""
    out = io.BytesIO()
    fetch_to_file(url, out, max_bytes=max_bytes, headers=headers)
    return out.getvalue()


def _stream(resp: requests.Response, out: IO[bytes], max_bytes: int) -> Fetched:
    too_large = FetchError(TOO_LARGE, reason="too large", limit=max_bytes // 2**20)
    declared = resp.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    size = 0
    try:
        for chunk in resp.iter_content(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise too_large
            out.write(chunk)
    except requests.RequestException as exc:
        log.warning("fetch of %s broke off: %s", resp.url, exc)
        raise FetchError(reason=str(exc)) from None
    return Fetched(url=resp.url, size=size, content_type=resp.headers.get("content-type"))
