"""Deterministic per-attempt papers: which questions, in what order, with which opaque ids.

Every choice is a keyed hash (HMAC-SHA256) of the round secret and the attempt's identity,
so an organiser holding the secret can re-derive exactly what a participant was shown, on any
machine and any Python version (no dependency on random.Random's algorithm).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Collection, Sequence
from dataclasses import dataclass


class DrawError(ValueError):
    """The bank cannot fill the requested paper."""


@dataclass(frozen=True)
class DrawQuestion:
    """What the draw needs to know of a bank question."""

    id: int
    option_ids: tuple[int, ...]
    topic: str = ""
    difficulty: str = ""


@dataclass(frozen=True)
class Quota:
    """Take `count` questions matching topic and difficulty (None matches any)."""

    count: int
    topic: str | None = None
    difficulty: str | None = None

    def matches(self, q: DrawQuestion) -> bool:
        """True when q belongs to this quota's pool."""
        return (self.topic is None or q.topic == self.topic) and (
            self.difficulty is None or q.difficulty == self.difficulty
        )


@dataclass(frozen=True)
class PaperOption:
    """An option as placed on a paper: the bank option and its public id."""

    option_id: int
    public_id: str


@dataclass(frozen=True)
class PaperQuestion:
    """A question as placed on a paper."""

    question_id: int
    public_id: str
    options: tuple[PaperOption, ...]


def attempt_seed(round_secret: bytes, participant_id: str, attempt_number: int) -> bytes:
    """The seed of one attempt, derived from the round secret and the attempt's identity."""
    msg = f"attempt:{participant_id}:{attempt_number}".encode()
    return hmac.new(round_secret, msg, hashlib.sha256).digest()


def _key(seed: bytes, label: str) -> bytes:
    return hmac.new(seed, label.encode(), hashlib.sha256).digest()


def _public_id(seed: bytes, label: str) -> str:
    return base64.b32encode(_key(seed, label)[:10]).decode().lower()


def draw_paper(
    seed: bytes,
    questions: Sequence[DrawQuestion],
    quotas: Sequence[Quota],
    seen: Collection[int] = (),
) -> tuple[PaperQuestion, ...]:
    """Draw a paper meeting every quota, preferring unseen questions; raises DrawError.

    Quotas are filled in order; a question taken by one quota is not offered to the next.
    The paper's order is then a keyed shuffle of all drawn questions.
    """
    taken: set[int] = set()
    chosen: list[DrawQuestion] = []
    for quota in quotas:
        pool = [q for q in questions if q.id not in taken and quota.matches(q)]
        if len(pool) < quota.count:
            raise DrawError(
                f"quota {quota} needs {quota.count} questions, the bank has {len(pool)}"
            )
        pool.sort(key=lambda q: (q.id in seen, _key(seed, f"pick:{q.id}")))
        for q in pool[: quota.count]:
            taken.add(q.id)
            chosen.append(q)
    chosen.sort(key=lambda q: _key(seed, f"order:{q.id}"))
    return tuple(
        PaperQuestion(
            question_id=q.id,
            public_id=_public_id(seed, f"q:{q.id}"),
            options=tuple(
                PaperOption(option_id=o, public_id=_public_id(seed, f"o:{q.id}:{o}"))
                for o in sorted(q.option_ids, key=lambda o: _key(seed, f"opt:{q.id}:{o}"))
            ),
        )
        for q in chosen
    )


def check_quotas(questions: Sequence[DrawQuestion], quotas: Sequence[Quota]) -> list[str]:
    """Problems that would make draw_paper fail for any seed (empty when the bank suffices)."""
    problems: list[str] = []
    taken: set[int] = set()
    for quota in quotas:
        if quota.count < 0:
            problems.append(f"quota {quota} has a negative count")
            continue
        pool = [q.id for q in questions if q.id not in taken and quota.matches(q)]
        if len(pool) < quota.count:
            problems.append(
                f"quota {quota} needs {quota.count} questions, the bank has {len(pool)}"
            )
        taken.update(pool[: quota.count])
    return problems
