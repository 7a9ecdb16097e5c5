"""Real local receivers for the outbox: an SMTP server (aiosmtpd) and an HTTP provider.

The HTTP receiver answers from a plan: a list of status codes used one per request, then
200; every request is recorded, so a test can tell what was tried from what was accepted.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from contest.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    """What the SMTP server received; `refuse` answers the next DATA commands with a code."""

    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    refuse: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return self.refuse.pop(0)
        mail = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        self.messages.append(mail)
        return "250 OK"

    def texts(self) -> list[str]:
        return [str(m.get_content()) for m in self.messages]


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    box = Mailbox(port=free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@dataclass
class Receiver:
    """An HTTP provider: requests seen, those it accepted, and its plan of answers."""

    port: int = 0
    plan: list[int] = field(default_factory=list)
    seen: list[tuple[str, dict[str, str], dict[str, Any]]] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver(port=free_port())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with rec.lock:
                rec.seen.append((self.path, dict(self.headers), body))
                status = rec.plan.pop(0) if rec.plan else 200
                if status == 200:
                    rec.accepted.append(body)
            out = json.dumps({"error": 0} if status == 200 else {"error": status}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", rec.port), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield rec
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def settings(settings: Settings, smtp: Mailbox, receiver: Receiver) -> Settings:
    """The test settings with every channel pointing at the local receivers."""
    channels = (f"email=smtp://127.0.0.1:{smtp.port}?from=cuocthi@example.vn&tls=none,"
                f"sms={receiver.base}/sms?token=bi-mat,"
                f"zalo=zns+{receiver.base}/zns?access_token=zt&tpl.password_reset=9001,"
                "log=log:")
    return replace(settings, notify_channels=channels, notify_phone_channel="sms")
