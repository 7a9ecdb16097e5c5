"""Simulated participants for the integrity tests: a script and people, on the test clock."""

from __future__ import annotations

import random
import re
from typing import Any

import httpx

from tests.conftest import World


def _number(q: dict[str, Any]) -> int:
    return int(re.search(r"\d+", q["text"]).group())  # type: ignore[union-attr]


async def join(w: World, phone: str, client: httpx.AsyncClient | None = None,
               **headers: str) -> httpx.AsyncClient:
    """A new client registered with phone (headers such as a User-Agent kept for all calls)."""
    c = client or w.make_client()
    c.headers.update(headers)
    r = await w.register(c, phone=phone)
    assert r.status_code == 201, r.text
    return c


async def sit(w: World, c: httpx.AsyncClient, gaps_s: list[float] | float,
              prediction: int = 1000, letter: str = "A", round_id: int | None = None
              ) -> dict[str, Any]:
    """Start, answer every question (in question-number order) after the given gaps, submit.

    Returns the paper (with attempt_id) plus the submit result under "result".
    """
    r = await c.post(f"/api/v1/rounds/{round_id or w.round_id}/attempts")
    assert r.status_code in (200, 201), r.text
    paper: dict[str, Any] = r.json()
    questions = sorted(paper["questions"], key=_number)
    gaps = gaps_s if isinstance(gaps_s, list) else [gaps_s] * len(questions)
    for q, gap in zip(questions, gaps, strict=False):
        w.clock.advance(gap)
        option = next(o for o in q["options"] if o["text"].endswith(f"phương án {letter}"))
        put = await c.put(f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}",
                          json={"option_ids": [option["id"]]})
        assert put.status_code == 200, put.text
    w.clock.advance(1.0)
    sub = await c.post(f"/api/v1/attempts/{paper['attempt_id']}/submit",
                       json={"prediction": prediction})
    assert sub.status_code == 200, sub.text
    paper["result"] = sub.json()
    return paper


def human_gaps(n: int, seed: int) -> list[float]:
    """Plausible reading-and-thinking times of a person, in seconds."""
    rng = random.Random(seed)
    return [rng.uniform(6, 40) for _ in range(n)]
