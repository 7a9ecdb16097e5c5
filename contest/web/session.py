"""The participant's session cookie, as pure ASGI and as lean as the hot path needs.

The cookie is Starlette's format (base64 JSON signed by itsdangerous' TimestampSigner), so
cookies issued before stay valid. A response carries Set-Cookie only when the session
changed (login, registration, logout): an answer save never re-signs it. A verified cookie
is remembered per worker (bounded), so the HMAC and JSON decoding run once per session and
worker rather than on every request; its age is still checked against max_age each time.
"""

from __future__ import annotations

import json
import time
from base64 import b64decode, b64encode
from collections import OrderedDict
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_VERIFIED_MAX = 50_000  # cookies remembered per worker


class Session(dict[str, Any]):
    """A session dict that notes whether it was read or changed."""

    accessed = False
    modified = False

    def __getitem__(self, key: str) -> Any:
        self.accessed = True
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        """dict.get, noting the access."""
        self.accessed = True
        return super().get(key, default)

    def __setitem__(self, key: str, value: Any) -> None:
        self.modified = True
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.modified = True
        super().__delitem__(key)

    def clear(self) -> None:
        """dict.clear, noting the change."""
        self.modified = True
        super().clear()

    def pop(self, key: str, *default: Any) -> Any:
        """dict.pop, noting the change."""
        self.modified = True
        return super().pop(key, *default)


def _cookie_value(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    """The value of cookie `name` in the request's Cookie headers, or None."""
    for key, value in headers:
        if key != b"cookie":
            continue
        for part in value.split(b";"):
            k, sep, v = part.strip().partition(b"=")
            if sep and k == name:
                return v.decode("latin-1")
    return None


class SessionCookie:
    """Pure ASGI middleware: scope["session"] from the signed cookie; Set-Cookie on change."""

    def __init__(self, app: ASGIApp, secret_key: str, session_cookie: str, max_age: int,
                 same_site: str = "lax", https_only: bool = True) -> None:
        self.app = app
        self.signer = TimestampSigner(secret_key)
        self.name = session_cookie
        self.name_bytes = session_cookie.encode()
        self.max_age = max_age
        self.flags = f"; Path=/; HttpOnly; SameSite={same_site}" + ("; Secure" if https_only
                                                                     else "")
        self._verified: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()

    def _load(self, cookie: str) -> dict[str, Any]:
        """The session data of a cookie, or {} when it is forged, damaged or too old."""
        hit = self._verified.get(cookie)
        if hit is not None:
            if time.time() - hit[0] <= self.max_age:
                return hit[1]
            del self._verified[cookie]
            return {}
        try:
            raw, signed_at = self.signer.unsign(cookie, max_age=self.max_age,
                                                return_timestamp=True)
            data = json.loads(b64decode(raw))
        except (BadSignature, SignatureExpired, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        self._verified[cookie] = (signed_at.timestamp(), data)
        if len(self._verified) > _VERIFIED_MAX:
            self._verified.popitem(last=False)
        return data

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Attach the session; on the response, set or clear the cookie if it changed."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        cookie = _cookie_value(scope["headers"], self.name_bytes)
        data = self._load(cookie) if cookie else {}
        session = Session(data)  # a copy: the remembered data is never changed in place
        scope["session"] = session

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and (session.modified
                                                              or session.accessed):
                headers = list(message.get("headers", []))
                headers.append((b"vary", b"Cookie"))
                if session.modified and session:
                    value = self.signer.sign(b64encode(json.dumps(dict(session)).encode()))
                    headers.append((b"set-cookie", (
                        f"{self.name}={value.decode()}; Max-Age={self.max_age}{self.flags}"
                    ).encode()))
                elif session.modified and cookie:
                    headers.append((b"set-cookie", (
                        f"{self.name}=null; Expires=Thu, 01 Jan 1970 00:00:00 GMT{self.flags}"
                    ).encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_cookie)
