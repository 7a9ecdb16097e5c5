"""Waiting on a condition instead of sleeping a fixed time: the test goes on as soon as the
condition holds, and fails with a clear message when it does not within the timeout."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Callable

import httpx
import uvicorn


class _Deadline:
    """A condition with a time limit: met() is its value, or AssertionError once too late."""

    def __init__(self, condition: Callable[[], object], within_s: float, what: str) -> None:
        self.condition, self.within_s, self.what = condition, within_s, what
        self.at = time.monotonic() + within_s

    def met(self) -> bool:
        if self.condition():
            return True
        if time.monotonic() > self.at:
            raise AssertionError(f"not true within {self.within_s} s: "
                                 f"{self.what or self.condition}")
        return False


async def until(condition: Callable[[], object], within_s: float = 10.0, what: str = "",
                every: float = 0.01) -> None:
    """Poll condition() in the running event loop until it is true; raises AssertionError
    after within_s seconds."""
    deadline = _Deadline(condition, within_s, what)
    while not deadline.met():  # noqa: ASYNC110 - the conditions are plain values, no events
        await asyncio.sleep(every)


def until_sync(condition: Callable[[], object], within_s: float = 30.0, what: str = "",
               every: float = 0.05) -> None:
    """Poll condition() from plain (non-async) code until it is true; raises AssertionError
    after within_s seconds."""
    deadline = _Deadline(condition, within_s, what)
    while not deadline.met():
        time.sleep(every)


def answering(url: str, proc: subprocess.Popen[bytes], within_s: float = 60.0) -> None:
    """Wait until the server that proc runs answers url with 200; raises AssertionError with
    its output when it exits first or does not answer within within_s seconds."""

    def up() -> bool:
        if proc.poll() is not None:
            out = proc.stdout.read().decode() if proc.stdout else ""
            raise AssertionError(f"the server exited before answering {url}:\n{out}")
        try:
            return httpx.get(url, timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    until_sync(up, within_s, f"{url} answers 200", every=0.1)


async def serving(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    """Wait until an in-loop uvicorn server (running as task) listens; raises why it could
    not start, or AssertionError after 10 s."""
    await until(lambda: server.started or task.done(), what="uvicorn started")
    if task.done():
        task.result()
