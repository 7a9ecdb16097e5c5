"""The final ranking of a round as one set-based statement (PostgreSQL and SQLite alike).

`INSERT INTO final_rankings … SELECT … rank() OVER / row_number() OVER` ranks every counted
attempt of a round by the tie-break chain, orders the entries tied on the whole chain by the
draw key, and records why an entrant cannot win, without a row passing through Python. The
pure functions in contest.domain.final_ranking and contest.domain.prizes stay the reference:
tests check that this statement gives exactly their answer.

The draw key is HMAC-SHA256(seed, entry id). PostgreSQL computes it with its built-in sha256
(HMAC spelt out: H(K^opad || H(K^ipad || m)), with the padded keys bound as parameters);
SQLite calls the Python function registered on the connection.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Collection, Mapping
from contextlib import aclosing
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, LargeBinary, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter, TextClause

from contest.domain import final_ranking as fr
from contest.domain import prizes as pz
from contest.domain import verifiable_draw as vd
from contest.domain.people import age_on
from contest.storage import bulk

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HMAC_BLOCK = 64  # SHA-256's block size in bytes
# PostgreSQL's sort memory for the ranking statement: a round of 1M entries sorts in ~200 MB.
WORK_MEM = "256MB"
CANDIDATE_PAGE = 1000  # eligible entries read at a time for the prize allocation


def hmac_pads(seed: bytes) -> tuple[bytes, bytes]:
    """The inner and outer padded keys of HMAC-SHA256 for a key of at most one block."""
    key = seed if len(seed) <= HMAC_BLOCK else hashlib.sha256(seed).digest()
    key = key.ljust(HMAC_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def latest_birth(min_age: int, on: date) -> date:
    """The latest date of birth that is at least min_age years old on the given day."""
    year = on.year - min_age
    day = on.day
    while True:  # 29 February in a common year: step back to the 28th
        try:
            cut = date(year, on.month, day)
            break
        except ValueError:
            day -= 1
    while age_on(cut + timedelta(days=1), on) >= min_age:
        cut += timedelta(days=1)
    while age_on(cut, on) < min_age:
        cut -= timedelta(days=1)
    return cut


def epoch_us(at: datetime) -> int:
    """Microseconds since 1970 of an aware time."""
    return (at - EPOCH) // timedelta(microseconds=1)


@dataclass(frozen=True)
class Inputs:
    """Everything the ranking statement needs besides the rows in SQL."""

    round_id: int
    contest_id: int
    opens_at: datetime
    chain: tuple[str, ...]
    actual: int | None
    seed: bytes
    rules: pz.PrizeRules
    day: date
    review_excluded: Collection[str]
    unit_chains: Mapping[str, tuple[str, ...]]  # unit -> itself and its ancestors


def _split_map(rules: pz.PrizeRules, chains: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """Each known unit's split key under a per-unit split (unknown units: their own code)."""
    return {code: pz.split_key(rules, "", tuple(reversed(chain)))
            for code, chain in chains.items()}


def _excluded_units(rules: pz.PrizeRules,
                    chains: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Unit codes at or below an excluded unit (an unknown unit's chain is itself)."""
    out = set(rules.excluded_units)
    out.update(code for code, chain in chains.items()
               if rules.excluded_units.intersection(chain))
    return sorted(out)


def rank_statement(d: str, x: Inputs) -> tuple[str, dict[str, object]]:
    """The INSERT … SELECT that writes the round's final ranking, and its parameters."""
    params: dict[str, object] = {"round_id": x.round_id, "opened_us": epoch_us(x.opens_at)}
    rules = x.rules
    if d == "postgresql":
        ipad, opad = hmac_pads(x.seed)
        params |= {"ipad": ipad, "opad": opad}
        draw_key = ("encode(sha256(CAST(:opad AS bytea) || sha256(CAST(:ipad AS bytea)"
                    " || convert_to(a.participant_id, 'UTF8'))), 'hex')")
        # extract(epoch) is exact (numeric) since PostgreSQL 14
        at_us = ("CAST(extract(epoch FROM COALESCE(a.submitted_at, a.started_at)) * 1000000"
                 " AS bigint)")
        c = ' COLLATE "C"'
    else:
        params["seed"] = x.seed
        draw_key = "contest_draw_key(:seed, a.participant_id)"
        # SQLAlchemy stores 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC) in SQLite
        ts = "COALESCE(a.submitted_at, a.started_at)"
        at_us = (f"(CAST(strftime('%s', {ts}) AS INTEGER) * 1000000"
                 f" + CAST(substr({ts}, 21, 6) AS INTEGER))")
        c = ""
    # bigint division (it truncates where div() floors; both give 0 below 0 once clamped)
    # rather than numeric div(): a million numeric divisions cost the ranking a second
    submitted = f"MAX(0, ({at_us} - :opened_us) / 1000)" if d == "sqlite" else \
        f"GREATEST(0, ({at_us} - CAST(:opened_us AS BIGINT)) / 1000)"
    if x.actual is None:
        distance = "CAST(NULL AS BIGINT)"
    else:
        params["actual"] = x.actual
        distance = "ABS(e.prediction - :actual)"

    if rules.split == "group":
        split = "p.group_code"
    elif rules.split == "unit":
        params["split_map"] = json.dumps(_split_map(rules, x.unit_chains))
        split = "COALESCE(sm.value, p.unit_code)"
    else:
        split = "''"
    split_join = (f"LEFT JOIN {bulk.json_map(d, 'split_map')} sm ON sm.key = p.unit_code"
                  if rules.split == "unit" else "")

    # Why an entrant cannot win, in the order contest.domain.prizes.exclusion checks.
    whens: list[str] = []
    if x.review_excluded:
        params["review"] = json.dumps(sorted(x.review_excluded))
        whens.append(f"WHEN a.participant_id {bulk.json_set(d, 'review')} THEN 'review'")
    if rules.excluded_participants:
        params["people"] = json.dumps(sorted(rules.excluded_participants))
        whens.append(f"WHEN a.participant_id {bulk.json_set(d, 'people')} "
                     f"THEN '{pz.EXCLUDED_PERSON}'")
    if rules.one_prize_per_person:
        params["contest_id"] = x.contest_id
        # a prize in another round, by this account or by another account of the same
        # person (the same ID-number hash, registered again with another phone)
        whens.append("WHEN a.participant_id IN (SELECT w.participant_id FROM prize_awards w"
                     " WHERE w.contest_id = :contest_id AND w.round_id <> :round_id"
                     " AND w.participant_id IS NOT NULL)"
                     " OR p.id_number_hash IN (SELECT pw.id_number_hash FROM prize_awards w"
                     " JOIN participants pw ON pw.id = w.participant_id"
                     " WHERE w.contest_id = :contest_id AND w.round_id <> :round_id"
                     f" AND pw.id_number_hash IS NOT NULL) THEN '{pz.PRIOR_PRIZE}'")
    if rules.min_age is not None:
        params["born_by"] = latest_birth(rules.min_age, x.day)
        whens.append("WHEN p.birth_date IS NOT NULL AND p.birth_date > :born_by "
                     f"THEN '{pz.UNDER_AGE}'")
    if rules.excluded_groups:
        params["groups"] = json.dumps(sorted(rules.excluded_groups))
        whens.append(f"WHEN p.group_code {bulk.json_set(d, 'groups')} "
                     f"THEN '{pz.EXCLUDED_GROUP}'")
    if rules.excluded_units:
        params["units"] = json.dumps(_excluded_units(rules, x.unit_chains))
        whens.append(f"WHEN p.unit_code {bulk.json_set(d, 'units')} "
                     f"THEN '{pz.EXCLUDED_UNIT}'")
    if rules.min_score_milli is not None:
        params["min_score"] = rules.min_score_milli
        whens.append(f"WHEN COALESCE(a.score_milli, 0) < :min_score "
                     f"THEN '{pz.BELOW_MIN_SCORE}'")
    exclusion = f"CASE {' '.join(whens)} END" if whens else "CAST(NULL AS VARCHAR)"

    keys: list[str] = []
    for crit in x.chain:
        if crit == "score":
            keys.append("k.score_milli DESC")
        elif crit == "prediction":
            keys.append(f"COALESCE(k.distance, {fr.NO_PREDICTION})")
        elif crit == "duration":
            keys.append("k.duration_ms")
        elif crit == "submitted":
            keys.append("k.submitted_ms")
    chain_order = ", ".join(keys)
    # Tied: a neighbour in the final order has the same chain values (lag/lead over the order
    # row_number already sorted, on one text key: a peer count would sort or scan again).
    values = [k.removesuffix(" DESC") for k in keys]
    tie_key = " || '|' || ".join(f"CAST({v} AS TEXT)" for v in values)
    tied = ("(COALESCE(lag(k.tie_key) OVER w = k.tie_key, FALSE)"
            " OR COALESCE(lead(k.tie_key) OVER w = k.tie_key, FALSE))")
    sql = f"""
INSERT INTO final_rankings (round_id, position, chain_rank, participant_id, attempt_id,
    unit_code, split_key, score_milli, duration_ms, submitted_ms, prediction, distance, tied,
    draw_key, exclusion)
SELECT CAST(:round_id AS INTEGER),
    row_number() OVER w,
    rank() OVER (ORDER BY {chain_order}),
    k.participant_id, k.attempt_id, k.unit_code, k.split_key, k.score_milli, k.duration_ms,
    k.submitted_ms, k.prediction, k.distance,
    {tied},
    k.draw_key, k.exclusion
FROM (SELECT k0.*, {tie_key.replace("k.", "k0.")} AS tie_key FROM (
    SELECT a.participant_id, a.id AS attempt_id, p.unit_code, {split} AS split_key,
        COALESCE(a.score_milli, 0) AS score_milli, COALESCE(a.duration_ms, 0) AS duration_ms,
        {submitted} AS submitted_ms, e.prediction, {distance} AS distance,
        {draw_key} AS draw_key, {exclusion} AS exclusion
    FROM round_entries e
    JOIN attempts a ON a.id = e.counted_attempt_id
    JOIN participants p ON p.id = e.participant_id
    {split_join}
    WHERE e.round_id = :round_id
) k0) k
WINDOW w AS (ORDER BY {chain_order}, k.draw_key{c}, k.participant_id{c})
"""
    return sql, params


def _typed(sql: str, params: Mapping[str, object]) -> TextClause:
    """A text() statement with the binary and date parameters typed for the driver."""
    stmt = text(sql)
    binds: list[BindParameter[Any]] = [bindparam(k, type_=LargeBinary())
                                       for k in ("seed", "ipad", "opad") if k in params]
    if "born_by" in params:
        binds.append(bindparam("born_by", type_=Date()))
    return stmt.bindparams(*binds) if binds else stmt


async def rank_round(s: AsyncSession, x: Inputs) -> None:
    """Write the round's final ranking (every counted attempt) in one statement."""
    d = bulk.dialect(s)
    if d == "postgresql":
        # Sort a whole round in memory rather than in temporary files, and no JIT: compiling
        # this statement's expressions cost more than it saved (1M entries, quiet machine:
        # finalisation 39.7 s with JIT, 31.8 s without). This transaction only.
        await s.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
        await s.execute(text("SET LOCAL jit = off"))
    if d == "sqlite":
        await bulk.sqlite_function(s, "contest_draw_key", 2,
                                   lambda seed, eid: vd.draw_key(bytes(seed), str(eid)))
    sql, params = rank_statement(d, x)
    await s.execute(_typed(sql, params), params)
    if d == "postgresql":
        # Fresh statistics, or the planner takes the new rows for a handful and the exports
        # that follow walk them with nested loops (ANALYZE sees this transaction's rows).
        await s.execute(text("ANALYZE final_rankings"))


async def counts(s: AsyncSession, round_id: int) -> tuple[int, int, int]:
    """(ranked entries, entries tied on the whole chain, eligible entries) of a round."""
    row = (await s.execute(text(
        "SELECT count(*), COALESCE(SUM(CASE WHEN tied THEN 1 ELSE 0 END), 0),"
        " COALESCE(SUM(CASE WHEN exclusion IS NULL THEN 1 ELSE 0 END), 0)"
        " FROM final_rankings WHERE round_id = :r"), {"r": round_id})).one()
    return int(row[0]), int(row[1]), int(row[2])


async def candidates(s: AsyncSession, round_id: int) -> AsyncIterator[tuple[int, str, str]]:
    """Eligible entries in final order: (position, entry id, split key).

    Read in pages along the primary key (round, position), so a caller that stops once no
    further entry can win (prizes.Allocator.done) reads only the top of a large round.
    """
    after = 0
    while True:
        page = (await s.execute(text(
            "SELECT position, participant_id, split_key FROM final_rankings"
            " WHERE round_id = :r AND exclusion IS NULL AND position > :after"
            " ORDER BY position LIMIT :n"), {"r": round_id, "after": after,
                                             "n": CANDIDATE_PAGE})).all()
        for position, entry_id, split in page:
            yield int(position), str(entry_id), str(split)
        if len(page) < CANDIDATE_PAGE:
            return
        after = int(page[-1][0])


# The canonical line of contest.domain.verifiable_draw, built in SQL (the published order:
# score, prediction, duration, submitted).
_LINE = ("participant_id || '|' || split_key || '|' || CAST(score_milli AS TEXT) || '|'"
         " || COALESCE(CAST(prediction AS TEXT), '') || '|' || CAST(duration_ms AS TEXT)"
         " || '|' || CAST(submitted_ms AS TEXT)")


async def eligible_hash(s: AsyncSession, round_id: int) -> str:
    """SHA-256 of the eligible list's canonical lines in final order.

    PostgreSQL streams the lines with COPY in text format, whose rows are exactly the
    canonical lines (a line ends in a newline) unless a value needed one of COPY's escapes;
    every escape starts with a backslash, so a stream without one is the canonical text. A
    round with such a value (none of ours: ids are hex, codes are plain) is read again row
    by row.
    """
    where = "round_id = $1 AND exclusion IS NULL"
    if bulk.dialect(s) == "postgresql":
        h = hashlib.sha256()
        async with aclosing(bulk.copy_out(
                s, f"SELECT {_LINE} FROM final_rankings WHERE {where} ORDER BY position",
                round_id, options="FORMAT text")) as chunks:
            async for chunk in chunks:
                if b"\\" in chunk:
                    break  # a value needed an escape: hash the rows below instead
                h.update(chunk)
            else:
                return h.hexdigest()
    h = hashlib.sha256()
    result = await s.stream(text(
        "SELECT participant_id, split_key, score_milli, prediction, duration_ms, submitted_ms"
        " FROM final_rankings WHERE round_id = :r AND exclusion IS NULL ORDER BY position"),
        {"r": round_id})
    async for pid, split, score, pred, dur, sub in result.yield_per(5000):
        h.update(vd.canonical_line(pid, split, [score, pred, dur, sub]).encode("utf-8"))
    return h.hexdigest()
