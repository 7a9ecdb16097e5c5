"""A minimal keep-alive HTTP/1.1 client for closed-loop throughput runs: little enough
CPU per request that the server, not the generator, sets the pace (httpx costs several
times more per request). Used identically for the baselines and for answer saves."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable

from bench.stats import pct


class Conn:
    """One keep-alive connection to 127.0.0.1:port."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, raw: bytes) -> int:
        """Send a complete request, read the response; returns the status code."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if length:
            await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        """Close the socket."""
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def build(method: str, path: str, body: bytes = b"", cookie: str = "") -> bytes:
    """The bytes of one request."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "User-Agent: contest-bench/1"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    if body or method in ("PUT", "POST"):
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def closed_loop(port: int, make: Callable[[random.Random], bytes], connections: int,
                      seconds: float) -> dict[str, float]:
    """Every connection sends its next request as soon as the last one is answered, for
    `seconds`; returns requests/s, latency percentiles and the non-2xx count."""
    lat: list[float] = []
    bad = 0
    end = time.monotonic() + seconds

    async def loop(k: int) -> None:
        nonlocal bad
        rng = random.Random(k)
        c = Conn(port)
        try:
            while time.monotonic() < end:
                raw = make(rng)
                t = time.monotonic()
                try:
                    st = await asyncio.wait_for(c.request(raw), 30)
                except (OSError, asyncio.IncompleteReadError, TimeoutError):
                    bad += 1
                    c.close()
                    continue
                lat.append(time.monotonic() - t)
                if not 200 <= st < 300:
                    bad += 1
        finally:
            c.close()

    t0 = time.monotonic()
    await asyncio.gather(*(loop(k) for k in range(connections)))
    span = time.monotonic() - t0
    return {"rps": round(len(lat) / span, 1), "n": len(lat), "errors": bad,
            "p50_ms": round(pct(lat, 50) * 1000, 2), "p99_ms": round(pct(lat, 99) * 1000, 2)}
