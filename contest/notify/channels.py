"""Message channels configured by URL: SMTP e-mail, HTTP SMS / Zalo ZNS providers, the log.

CONTEST_NOTIFY_CHANNELS="email=smtp://user:pass@host:587?from=ADDR&tls=starttls,
sms=https://provider.example/send?token=T&rate=20/1, zalo=zns+https://..., ..."

Every transport's `send` either returns (delivered) or raises TemporaryFailure (retry later)
or PermanentFailure (never retried). Adding a provider: a class with that `send` and a
scheme in `_build` (docs/notifications.md).
"""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from functools import cache
from typing import Protocol
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import aiosmtplib
import httpx

from contest.domain.rates import Rate, parse_rate
from contest.domain.vocabulary import ChannelName
from contest.settings import Settings, SettingsError

log = logging.getLogger("contest.notify")

PHONE_CHANNELS = (ChannelName.SMS, ChannelName.ZALO)
_TIMEOUT_S = 15.0


class TemporaryFailure(Exception):
    """The channel could not deliver now; the message is retried later."""


class PermanentFailure(Exception):
    """The channel refused the message for good (bad address, rejected request)."""


@dataclass(frozen=True)
class Outgoing:
    """A rendered message, ready for a transport."""

    recipient: str
    template: str
    params: dict[str, str]
    subject: str
    text: str
    dedupe_key: str


class Transport(Protocol):
    """Something that delivers an Outgoing message or raises one of the two failures."""

    async def send(self, msg: Outgoing) -> None:
        """Deliver msg; raises TemporaryFailure or PermanentFailure."""


@dataclass(frozen=True)
class LogTransport:
    """Writes the message to the server log (the demo's channel)."""

    name: str

    async def send(self, msg: Outgoing) -> None:
        """Log the message (never fails)."""
        _log_output().info("[outbox:%s] to %s: %s", self.name, _mask(msg.recipient), msg.text)


@dataclass(frozen=True)
class SmtpTransport:
    """E-mail through an SMTP server with aiosmtplib (smtp:// plain or STARTTLS, smtps://)."""

    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    start_tls: bool | None = None

    async def send(self, msg: Outgoing) -> None:
        """Send msg as a UTF-8 e-mail; raises TemporaryFailure or PermanentFailure."""
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = msg.recipient
        mail["Subject"] = msg.subject
        # The dedupe key in the Message-ID lets a receiving system drop a re-delivery.
        mail["Message-ID"] = make_msgid(idstring=msg.dedupe_key.replace(":", "."))
        mail.set_content(msg.text)
        try:
            await aiosmtplib.send(mail, hostname=self.host, port=self.port,
                                  username=self.username, password=self.password,
                                  use_tls=self.use_tls, start_tls=self.start_tls,
                                  timeout=_TIMEOUT_S)
        except aiosmtplib.SMTPResponseException as exc:
            if 500 <= exc.code < 600:
                raise PermanentFailure(f"SMTP {exc.code}: {exc.message}"[:300]) from exc
            raise TemporaryFailure(f"SMTP {exc.code}: {exc.message}"[:300]) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise TemporaryFailure(f"SMTP: {exc}"[:300]) from exc


@dataclass(frozen=True)
class HttpTransport:
    """An SMS or Zalo ZNS provider reached by an HTTP POST of JSON.

    Generic format: {"to", "text", "template", "params", "id"} with the bearer token of
    ?token=...; zns format (zns+https://): the Zalo ZNS body {"phone" (84...), "template_id"
    (from ?tpl.<template>=ID), "template_data", "tracking_id"} with the access_token header.
    2xx delivers; 408, 429, 5xx and network errors are retried; other answers are final.
    """

    url: str
    fmt: str = "json"
    token: str | None = None
    template_ids: dict[str, str] = field(default_factory=dict)

    async def send(self, msg: Outgoing) -> None:
        """POST msg to the provider; raises TemporaryFailure or PermanentFailure."""
        headers = {"Idempotency-Key": msg.dedupe_key}
        if self.fmt == "zns":
            template_id = self.template_ids.get(msg.template)
            if template_id is None:
                raise PermanentFailure(f"no ZNS template id for {msg.template}")
            body: dict[str, object] = {"phone": _international(msg.recipient),
                                       "template_id": template_id,
                                       "template_data": msg.params,
                                       "tracking_id": msg.dedupe_key}
            if self.token:
                headers["access_token"] = self.token
        else:
            body = {"to": msg.recipient, "text": msg.text, "template": msg.template,
                    "params": msg.params, "id": msg.dedupe_key}
            if self.token:
                headers["Authorization"] = f"Bearer {self.token}"
        try:
            async with httpx.AsyncClient(timeout=_TIMEOUT_S, verify=_tls()) as client:
                resp = await client.post(self.url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise TemporaryFailure(f"HTTP: {type(exc).__name__}: {exc}"[:300]) from exc
        if resp.status_code in (408, 429) or resp.status_code >= 500:
            raise TemporaryFailure(f"HTTP {resp.status_code}: {resp.text[:200]}")
        if not 200 <= resp.status_code < 300:
            raise PermanentFailure(f"HTTP {resp.status_code}: {resp.text[:200]}")
        if self.fmt == "zns":
            try:
                error = resp.json().get("error", 0)
            except ValueError as exc:
                raise TemporaryFailure("ZNS: answer is not JSON") from exc
            if error != 0:
                raise PermanentFailure(f"ZNS error {error}: {resp.text[:200]}")


@dataclass(frozen=True)
class Channel:
    """A named channel: its transport and optional rate limit."""

    name: str
    transport: Transport
    rate: Rate | None = None
    phone: bool = False  # recipients are phone numbers (sms, zalo)


@cache
def _log_output() -> logging.Logger:
    """The log channel's logger, printing to stderr at INFO even when nothing configured
    logging (uvicorn only configures its own loggers): the demo's messages must be seen."""
    out = logging.getLogger("contest.notify.log")
    if not out.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
        out.addHandler(handler)
        out.setLevel(logging.INFO)
    return out


@cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every provider request (building one per request is slow)."""
    return ssl.create_default_context()


def _mask(recipient: str) -> str:
    if "@" in recipient:
        local, _, domain = recipient.partition("@")
        return f"{local[:1]}***@{domain}"
    return recipient[:3] + "*" * max(len(recipient) - 6, 1) + recipient[-3:]


def _international(phone: str) -> str:
    """0912345678 -> 84912345678 (the form ZNS expects)."""
    return "84" + phone[1:] if phone.startswith("0") else phone


def _build(name: str, url: str) -> Channel:
    """One channel from its URL; raises SettingsError."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    rate = parse_rate(query.pop("rate")) if "rate" in query else None
    scheme = parts.scheme.lower()
    transport: Transport
    if scheme == "log":
        transport = LogTransport(name)
    elif scheme in ("smtp", "smtps"):
        sender = query.get("from")
        if not parts.hostname or not sender:
            raise SettingsError(f"channel {name}: smtp URL needs a host and ?from=ADDRESS")
        tls = query.get("tls", "")
        transport = SmtpTransport(
            host=parts.hostname, port=parts.port or (465 if scheme == "smtps" else 25),
            sender=sender, username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=scheme == "smtps",
            start_tls={"starttls": True, "none": False}.get(tls))  # default: if offered
    elif scheme in ("http", "https", "zns+http", "zns+https"):
        fmt = "zns" if scheme.startswith("zns+") else "json"
        token = query.pop("token", None) or query.pop("access_token", None)
        ids = {k.removeprefix("tpl."): query.pop(k) for k in list(query) if k.startswith("tpl.")}
        clean = urlunsplit((scheme.removeprefix("zns+"), parts.netloc, parts.path,
                            urlencode(query), ""))
        transport = HttpTransport(clean, fmt, token, ids)
    else:
        raise SettingsError(f"channel {name}: unknown scheme {parts.scheme!r} "
                            "(smtp, smtps, http, https, zns+https, log)")
    return Channel(name, transport, rate, phone=name in PHONE_CHANNELS)


def parse_channels(spec: str) -> dict[str, Channel]:
    """name=URL,... -> channels by name; raises SettingsError for a malformed entry."""
    out: dict[str, Channel] = {}
    for item in spec.split(","):
        if not item.strip():
            continue
        name, sep, url = item.strip().partition("=")
        name = name.strip().lower()
        if not sep or not name.isidentifier() or len(name) > 16 or not url.strip():
            raise SettingsError(f"CONTEST_NOTIFY_CHANNELS: {item.strip()!r} is not name=URL")
        try:
            out[name] = _build(name, url.strip())
        except ValueError as exc:
            raise SettingsError(f"CONTEST_NOTIFY_CHANNELS: channel {name}: {exc}") from exc
    return out


@cache
def channels(settings: Settings) -> dict[str, Channel]:
    """The configured channels of settings; raises SettingsError."""
    return parse_channels(settings.notify_channels)


def phone_channel(settings: Settings) -> str | None:
    """The name of the channel that carries messages to phones, if it is configured."""
    name = settings.notify_phone_channel
    return name if name in channels(settings) else None
