"""The address of the client, as every throttle of the portal sees it.

Behind a reverse proxy every request comes from the proxy's address: a limit keyed on
``REMOTE_ADDR`` would then count all members together (five wrong passwords from anywhere
would lock a member out everywhere). The proxy passes the client's address in
``X-Forwarded-For``, but a client can send that header too, so it is read only as far as
``PORTAL_TRUSTED_PROXY_COUNT`` proxies of our own wrote it: each proxy appends the
address it received the request from, so with N proxies the client is the N-th entry
from the right, and whatever the client put to the left of it is ignored.

Without a proxy (``PORTAL_TRUSTED_PROXY_COUNT = 0``, runserver) the header is ignored.
The same rule is given to django-axes (``AXES_CLIENT_IP_CALLABLE``) and to allauth
(``ALLAUTH_TRUSTED_PROXY_COUNT``), so that password lockouts, login rate limits and the
first-connection quota all key on the same address.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.PORTAL_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry.strip() for entry in header.split(",")] if header else []
    if len(entries) < proxies:
        # Did not come through every proxy (a direct request on gunicorn's port): the
        # peer's own address is the only one nobody could choose.
        return remote
    try:
        return str(ipaddress.ip_address(entries[-proxies]))
    except ValueError:
        return remote


def network_prefix(address: str) -> str:
    """The network an address belongs to, as far as a home box or a wifi goes: its /24
    for IPv4, its /48 for IPv6 (an IPv4 mapped in IPv6 counts as IPv4). Changing network
    changes it; a new address from the same box usually does not. "" when unreadable."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    length = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{length}", strict=False))
