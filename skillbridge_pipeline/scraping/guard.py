"""Which URLs may be fetched: public http(s) hosts only, checked on every request, redirects
included, after DNS resolution (so a public name that resolves to 10.0.0.1 is refused too).
The crawl connects to the very addresses that were checked (its resolver is
`checked_addresses`), so a DNS answer that changes between the check and the connection
(rebinding) never reaches a refused address."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

# Cloud metadata endpoints beyond the link-local range.
METADATA_ADDRESSES = {ipaddress.ip_address(a) for a in ("100.100.100.200", "fd00:ec2::254")}


class UrlRefused(ValueError):
    """The URL is malformed or points somewhere we do not fetch; `str()` says which."""


def check_url(
    url: str, allow_hosts: frozenset[str] = frozenset(), resolve: bool = True
) -> tuple[str, int]:
    """(host, port) of an http(s) URL we may fetch; with `resolve`, its addresses are checked
    too (the crawl's resolver checks them again as it connects: `checked_addresses`)."""
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
    if resolve:
        checked_addresses(host, port, allow_hosts)
    return host, port


def checked_addresses(host: str, port: int, allow_hosts: frozenset[str]) -> list[str]:
    """The host's addresses, every one public, else UrlRefused: what a connection may use."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise UrlRefused(f"cannot resolve host {host!r} ({error})") from None
    addresses = [info[4][0].split("%")[0] for info in infos]
    if host in allow_hosts or f"{host}:{port}" in allow_hosts:
        return addresses
    for text in addresses:
        address = ipaddress.ip_address(text)
        if not address.is_global or address.is_multicast or address in METADATA_ADDRESSES:
            raise UrlRefused(
                f"refusing to fetch {host} ({address}): private, loopback, link-local or "
                "metadata address"
            )
    return addresses
