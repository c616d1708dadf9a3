"""SSRF guard: which resolved addresses an outbound request may connect to.

The guard runs where the socket is opened (see ``kyb.outbound.client``), on the addresses the
name resolved to, and the connection is then made to exactly the vetted address. So a redirect to
an internal host, or a DNS answer that changes between check and use (rebinding), is refused too.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

from kyb.outbound.errors import BlockedDestination, UnresolvableHost

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud instance-metadata endpoints: refused even when private networks are allowed.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)


NAT64 = ipaddress.ip_network("64:ff9b::/96")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries and routes to: mapped (``::ffff:a.b.c.d``),
    IPv4-compatible (``::a.b.c.d``), NAT64, 6to4 and Teredo."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in NAT64 or (1 < int(ip) < 2**32):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def address_refusal(ip: IPAddress, *, allow_private: bool) -> str | None:
    """Why ``ip`` may not be connected to, or None if it may."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = embedded_ipv4(ip)
        if inner is not None:
            reason = address_refusal(inner, allow_private=allow_private)
            if reason or ip.ipv4_mapped is not None:
                return f"{reason} (inside an IPv6 address)" if reason else None
        if not allow_private and ip.is_site_local:
            return "site-local address"
    if ip in METADATA_ADDRESSES:
        return "cloud metadata address"
    if ip.is_multicast:
        return "multicast address"
    if ip.is_unspecified:
        return "unspecified address"
    if allow_private:
        return None
    if ip.is_loopback:
        return "loopback address"
    if ip.is_link_local:
        return "link-local address"
    if ip.is_private:
        return "private address"
    if ip.is_reserved or not ip.is_global:
        return "reserved or non-global address"
    return None


def resolve_checked(host: str, port: int, *, allow_private: bool) -> list[tuple[int, str]]:
    """Resolve ``host`` and return ``(family, address)`` pairs, refusing the lot if any one of
    them is blocked (a name that also points inside is not trusted with its public address)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UnresolvableHost(f"{host}: name does not resolve ({exc})") from exc
    except UnicodeError as exc:  # IDNA: an empty or over-long label
        raise BlockedDestination(f"{host}: not a valid host name") from exc
    addresses = _unique((info[0], str(info[4][0])) for info in infos)
    for _family, address in addresses:
        reason = address_refusal(
            ipaddress.ip_address(address.split("%")[0]), allow_private=allow_private
        )
        if reason:
            raise BlockedDestination(f"{host} resolves to {address}: {reason}")
    if not addresses:
        raise UnresolvableHost(f"{host}: no address")
    return addresses


def _unique(pairs: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    seen: dict[tuple[int, str], None] = {}
    for pair in pairs:
        seen.setdefault(pair, None)
    return list(seen)
