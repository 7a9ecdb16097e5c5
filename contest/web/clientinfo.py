"""Who is asking: the client IP (X-Forwarded-For only from trusted proxies) and device cookie."""

from __future__ import annotations

import ipaddress
import secrets
from functools import lru_cache

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEVICE_COOKIE = "contest_device"
DEVICE_MAX_AGE_S = 2 * 365 * 24 * 3600

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def trusted_networks(spec: str) -> tuple[Network, ...]:
    """Parse CONTEST_TRUSTED_PROXIES; raises ValueError for a malformed entry."""
    parts = [p.strip() for p in spec.split(",") if p.strip()]
    return tuple(ipaddress.ip_network(p, strict=False) for p in parts)


def _trusted(addr: str, nets: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    return any(ip in n for n in nets)


def resolve_ip(peer: str | None, forwarded_for: str | None,
               trusted: tuple[Network, ...]) -> str | None:
    """The client address: walk X-Forwarded-For from the right past trusted proxies only.

    A client can write anything into the header, so entries count only when every hop after
    them is a proxy we run; without a trusted peer the header is ignored entirely.
    """
    if peer is None or not trusted or not _trusted(peer, trusted) or not forwarded_for:
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    client = peer
    for hop in reversed(hops):
        client = hop
        if not _trusted(hop, trusted):
            break
    try:
        return str(ipaddress.ip_address(client))
    except ValueError:  # garbage in the header: the last proxy is all we know
        return peer


def client_ip(request: Request) -> str | None:
    """The request's client address per the trusted-proxy setting."""
    spec: str = request.app.state.settings.trusted_proxies
    return resolve_ip(request.client.host if request.client else None,
                      request.headers.get("x-forwarded-for"), trusted_networks(spec))


def device_id(request: Request) -> str | None:
    """The device cookie's value (set by DeviceCookie on the first API response)."""
    value = request.scope.get("state", {}).get("device_id") or request.cookies.get(DEVICE_COOKIE)
    return value if isinstance(value, str) and 8 <= len(value) <= 64 else None


class DeviceCookie:
    """ASGI middleware: give every API client a long-lived random device id cookie.

    It identifies a browser, not a person; the integrity review uses it to see many
    accounts driven from one device. It is HttpOnly and carries no personal data.
    """

    def __init__(self, app: ASGIApp, secure: bool = True) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith("/api/"):
            await self.app(scope, receive, send)
            return
        cookie = next((v for k, v in scope.get("headers", []) if k == b"cookie"), b"")
        if f"{DEVICE_COOKIE}=".encode() in cookie:
            await self.app(scope, receive, send)
            return
        new_id = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["device_id"] = new_id
        attrs = (f"{DEVICE_COOKIE}={new_id}; Path=/; Max-Age={DEVICE_MAX_AGE_S}; HttpOnly; "
                 "SameSite=Lax")
        if self.secure:
            attrs += "; Secure"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"set-cookie", attrs.encode())]
            await send(message)

        await self.app(scope, receive, send_with_cookie)
