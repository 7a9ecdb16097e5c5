"""After a run: compare what clients were told with what SQL and the live boards hold."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import text

from bench.stats import Recording
from contest.core.context import Services
from contest.live import standings
from contest.settings import Settings
from contest.storage.db import make_engine, make_sessionmaker
from contest.storage.redis_client import make_redis


@dataclass
class Reconciliation:
    """Counts of checks and of violations; ok only when every violation count is zero."""

    checked: dict[str, int] = field(default_factory=dict)
    problems: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing acknowledged was lost or changed."""
        return not any(self.problems.values())

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the results file."""
        return {"ok": self.ok, "checked": self.checked, "problems": self.problems,
                "examples": self.examples[:10]}

    def render(self) -> str:
        """The reconciliation block the harness prints."""
        checks = ", ".join(f"{k} {v}" for k, v in self.checked.items())
        probs = ", ".join(f"{k} {v}" for k, v in self.problems.items() if v) or "none"
        return f"reconciliation: {'OK' if self.ok else 'FAILED'}; checked: {checks}; " \
               f"problems: {probs}" + "".join(f"\n  e.g. {e}" for e in self.examples[:5])


def _bad(rc: Reconciliation, name: str, n: int, example: str | None = None) -> None:
    rc.problems[name] = rc.problems.get(name, 0) + n
    if n and example:
        rc.examples.append(example)


async def reconcile(settings: Settings, round_id: int, rec: Recording,
                    board_wait_s: float = 15.0, expect_ips: bool = False) -> Reconciliation:
    """Acknowledged saves are in SQL, submits scored once with the score the client saw,
    one attempt per participant with the deadline it was given, the board equals SQL."""
    engine = make_engine(settings.database_url)
    redis = make_redis(settings.redis_url)
    ctx = Services(settings=settings, sm=make_sessionmaker(engine), redis=redis)
    rc = Reconciliation()
    try:
        async with engine.connect() as conn:
            answers = {(a, q): tuple(o) for a, q, o in (await conn.execute(text(
                "SELECT a.attempt_id, a.question_public_id, a.option_ids FROM answers a "
                "JOIN attempts t ON t.id = a.attempt_id WHERE t.round_id = :r"),
                {"r": round_id})).all()}
            attempts = {row[0]: row for row in (await conn.execute(text(
                "SELECT id, participant_id, status, score_milli, deadline, submitted_at "
                "FROM attempts WHERE round_id = :r"), {"r": round_id})).all()}
            entries = {p: n for p, n in (await conn.execute(text(
                "SELECT participant_id, attempts_submitted FROM round_entries "
                "WHERE round_id = :r"), {"r": round_id})).all()}
            ips = {a: ip for a, ip in (await conn.execute(text(
                "SELECT attempt_id, ip FROM attempt_signals WHERE round_id = :r"),
                {"r": round_id})).all()} if expect_ips else {}
        # 1. every acknowledged save is in SQL as acknowledged (the last ack per question)
        last: dict[tuple[str, str], tuple[str, ...]] = {}
        for a, q, o in rec.acks:
            last[(a, q)] = o
        rc.checked["acknowledged saves"] = len(last)
        lost = [k for k, v in last.items() if sorted(answers.get(k, ("<missing>",))) != sorted(v)]
        _bad(rc, "saves lost or changed", len(lost), f"save {lost[0]}" if lost else None)
        # 2. every start the client saw exists with the same deadline; one per participant
        rc.checked["acknowledged starts"] = len(rec.starts)
        per_person: dict[str, set[str]] = {}
        missing = 0
        moved = 0
        for pid, aid, deadline in rec.starts:
            row = attempts.get(aid)
            if row is None:
                missing += 1
                continue
            if row[1] != pid:
                moved += 1
            per_person.setdefault(row[1], set()).add(aid)
            if row[4] != datetime.fromisoformat(deadline):
                moved += 1
        _bad(rc, "started attempts missing", missing)
        _bad(rc, "deadline or owner changed", moved)
        _bad(rc, "participants with two attempts",
             sum(1 for v in per_person.values() if len(v) > 1))
        # 3. every submitted attempt scored exactly once, with the score the client saw
        submitted = [r for r in attempts.values() if r[2] == "submitted"]
        rc.checked["submitted attempts"] = len(submitted)
        _bad(rc, "submitted without score", sum(1 for r in submitted if r[3] is None))
        counts: dict[str, int] = {}
        for r in submitted:
            counts[r[1]] = counts.get(r[1], 0) + 1
        _bad(rc, "round entries miscounted",
             sum(1 for p, n in counts.items() if entries.get(p) != n))
        score_diff = [a for a, score in rec.submits
                      if a not in attempts or attempts[a][2] != "submitted"
                      or abs((attempts[a][3] or 0) / 1000 - score) > 1e-9]
        rc.checked["acknowledged submits"] = len(rec.submits)
        _bad(rc, "submits not in SQL as told", len(score_diff),
             f"attempt {score_diff[0]}" if score_diff else None)
        # 4. client addresses survived the proxy
        if expect_ips:
            # an address recorded wrong (the proxy's, or another client's) is a failure; a
            # start never noted at all (the note failed after the attempt was committed) is
            # counted on its own: it is a gap in the integrity data, not a lost address
            wrong = [(a, s, ips[a]) for a, s in rec.sources if a in ips and ips[a] != s]
            rc.checked["client addresses"] = sum(1 for a, _s in rec.sources if a in ips)
            _bad(rc, "client address wrong", len(wrong), f"{wrong[0]}" if wrong else None)
            rc.checked["starts without integrity note"] = sum(1 for a, _s in rec.sources
                                                              if a not in ips)
        # 5. the live board equals the ranking computed from SQL (after the sweep settles)
        sql: list[tuple[str, int, int]] = []
        board: list[str] = []
        for _ in range(int(board_wait_s * 2)):
            await standings.ensure_built(ctx, round_id)
            sql = await standings.sql_order(ctx, round_id)
            page = await ctx.boards.page(round_id, "all", 0, max(1, len(sql) + 10))
            board = [e.standing.participant_id for e in page.entries]
            if board == [p for p, _s, _d in sql]:
                break
            await asyncio.sleep(0.5)
        rc.checked["board entries"] = len(board)
        diff = sum(1 for x, y in zip(board, [p for p, _s, _d in sql], strict=False) if x != y)
        _bad(rc, "board differs from SQL", diff + abs(len(board) - len(sql)))
    finally:
        await redis.aclose()
        await engine.dispose()
    return rc
