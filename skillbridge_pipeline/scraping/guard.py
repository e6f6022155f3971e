"""Which URLs may be fetched: public http(s) hosts only, checked on every request, redirects
included, after DNS resolution (so a public name that resolves to 10.0.0.1 is refused too)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

# Cloud metadata endpoints beyond the link-local range.
METADATA_ADDRESSES = {ipaddress.ip_address(a) for a in ("100.100.100.200", "fd00:ec2::254")}


class UrlRefused(ValueError):
    """The URL is malformed or points somewhere we do not fetch; `str()` says which."""


def check_url(url: str, allow_hosts: frozenset[str] = frozenset()) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UrlRefused(f"not an http(s) URL: {url[:200]!r}")
    host = parts.hostname
    if not host:
        raise UrlRefused(f"URL has no host: {url[:200]!r}")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UrlRefused(f"URL has an invalid port: {url[:200]!r}") from None
    if host in allow_hosts or f"{host}:{port}" in allow_hosts:
        return
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise UrlRefused(f"cannot resolve host {host!r} ({error})") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global or address.is_multicast or address in METADATA_ADDRESSES:
            raise UrlRefused(
                f"refusing to fetch {host} ({address}): private, loopback, link-local or "
                "metadata address"
            )
