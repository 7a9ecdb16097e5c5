"""Property: the set-based ranking in SQL gives exactly the pure functions' answer.

For random rounds (ties on every criterion, submissions sharing a millisecond, missing
predictions, random chains, ineligible entrants of every kind, prizes split by group or unit)
the rows `final_sql.rank_round` writes equal contest.domain.final_ranking.final_order with
contest.domain.prizes.exclusion, and the prize candidates and eligible hash it reads back give
the same awards and hash as the pure allocation and ListHasher. Runs on the test storage
(SQLite file, or DATABASE_URL's PostgreSQL); each example is one transaction rolled back.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from contest.core.context import Services
from contest.domain import final_ranking as fr
from contest.domain import prizes as pz
from contest.domain import verifiable_draw as vd
from contest.results import final_sql
from contest.settings import Settings
from contest.setup.bank_versions import import_bank
from contest.setup.units import load_units, parse_units
from contest.storage.db import make_engine, make_sessionmaker
from contest.storage.redis_client import make_redis
from contest.storage.results_tables import FinalRanking, PrizeAward
from contest.storage.tables import Attempt, Contest, Participant, Round, RoundEntry
from tests.conftest import UNITS_CSV, sample_bank
from tests.storage_setup import database_url, fresh_database

OPENS = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
DAY = date(2026, 11, 28)
UNITS = ("BP-BUDANG-THPT", "BP-BUDANG", "BP-DONGXOAI", "NOT-IN-TREE")
GROUPS = ("tudo", "hssv", "btc")
# Birthdays around the 18th birthday on DAY, and a 29 February.
BIRTHS = (date(1990, 5, 21), date(2008, 11, 28), date(2008, 11, 29), date(2015, 1, 1),
          date(2008, 2, 29))
_examples = itertools.count()


@dataclass(frozen=True)
class Seeded:
    """A contest with units and a bank, made once for the module."""

    url: str
    contest_id: int
    version_id: int


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    url = database_url(tmp_path_factory.mktemp("prop"), "prop")

    async def setup() -> Seeded:
        await fresh_database(url)
        engine = make_engine(url)
        ctx = Services(settings=Settings(database_url=url, dev_mode=True),
                       sm=make_sessionmaker(engine), redis=make_redis(None))
        try:
            await load_units(ctx, parse_units(UNITS_CSV))
            version, _ = await import_bank(ctx, sample_bank())
            async with ctx.sm() as s, s.begin():
                c = Contest(slug="prop", title="Thử", groups=[{"code": g, "name": g}
                                                               for g in GROUPS],
                            unit_root="BP", created_at=OPENS)
                s.add(c)
                await s.flush()
                assert c.id is not None and version.id is not None
                return Seeded(url, c.id, version.id)
        finally:
            await ctx.redis.aclose()
            await engine.dispose()

    return asyncio.run(setup())


person = st.tuples(
    st.integers(0, 2).map(lambda s: s * 1000),          # score
    st.integers(0, 2).map(lambda d: d * 1000),          # duration
    st.integers(0, 4).map(lambda o: o * 400),           # submitted offset, microseconds
    st.one_of(st.none(), st.integers(0, 6)),            # prediction
    st.sampled_from(GROUPS), st.sampled_from(UNITS), st.sampled_from(BIRTHS),
    st.booleans(),                                      # flagged by the review
    st.booleans(),                                      # won an earlier round
)
tiers = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2)), min_size=0, max_size=3)
rules = st.fixed_dictionaries({
    "split": st.sampled_from([None, "group", "unit"]),
    "tiers": tiers,
    "one_prize_per_person": st.booleans(),
    "max_share": st.one_of(st.none(), st.sampled_from([0.2, 0.5])),
    "min_score_milli": st.one_of(st.none(), st.just(1000)),
    "min_age": st.one_of(st.none(), st.just(18)),
    "excluded_groups": st.sampled_from([[], ["btc"]]),
    "excluded_units": st.sampled_from([[], ["BP-BUDANG"], ["NOT-IN-TREE"]]),
    "excluded_participants": st.sampled_from([[], ["E0"], ["E1", "E3"]]),
})
chains = st.permutations(fr.CRITERIA).flatmap(
    lambda p: st.integers(1, len(p)).map(lambda n: tuple(p[:n])))


def prize_json(raw: dict[str, Any]) -> dict[str, Any]:
    """The drawn prize structure as rounds.prizes stores it."""
    out = {k: v for k, v in raw.items() if k != "tiers"}
    out["tiers"] = [{"code": f"t{i}", "name": f"Giải {i}", "count": n,
                     **({"counts": {"hssv": o}} if o else {})}
                    for i, (n, o) in enumerate(raw["tiers"])]
    if raw["split"] == "unit":
        out["split_level"] = 2
    return out


async def check(seeded: Seeded, people: list[tuple[Any, ...]], raw_rules: dict[str, Any],
                chain: tuple[str, ...], predicts: bool) -> None:
    n = next(_examples)
    engine = make_engine(seeded.url)
    seed = secrets.token_bytes(32)
    prizes = prize_json(raw_rules)
    parsed = pz.parse_rules(prizes)
    ids = [f"x{os.getpid()}-{n}-E{i}" for i in range(len(people))]
    # the excluded_participants of the rules name entries by their index
    parsed = dataclasses.replace(parsed, excluded_participants=frozenset(
        f"x{os.getpid()}-{n}-{e}" for e in raw_rules["excluded_participants"]))
    try:
        async with make_sessionmaker(engine)() as s:
            await s.begin()
            r = Round(contest_id=seeded.contest_id, title="p", opens_at=OPENS,
                      closes_at=OPENS + timedelta(days=7), bank_version_id=seeded.version_id,
                      questions_per_attempt=5, prediction_kind="participants" if predicts
                      else None, secret=b"s" * 32, prizes=prizes)
            earlier = Round(contest_id=seeded.contest_id, title="q", opens_at=OPENS,
                            closes_at=OPENS, bank_version_id=seeded.version_id,
                            questions_per_attempt=5, secret=b"s" * 32)
            s.add_all([r, earlier])
            await s.flush()
            assert r.id is not None and earlier.id is not None
            for pid, (_, _, _, _, group, unit, birth, _, prior) in zip(
                    ids, people, strict=True):
                s.add(Participant(id=pid, contest_id=seeded.contest_id, password_hash="x",
                                  full_name="A B", birth_date=birth, unit_code=unit,
                                  group_code=group, consent_at=OPENS, created_at=OPENS))
                if prior:
                    s.add(PrizeAward(round_id=earlier.id, contest_id=seeded.contest_id,
                                     participant_id=pid, tier_code="t", tier_name="t",
                                     position=1))
            await s.flush()
            for i, (pid, (score, dur, off, pred, *_)) in enumerate(zip(ids, people,
                                                                         strict=True)):
                sub = OPENS + timedelta(seconds=5, microseconds=off)
                s.add(Attempt(id=f"a-{pid}", round_id=r.id, participant_id=pid, number=1,
                              status="submitted", started_at=sub - timedelta(milliseconds=dur),
                              deadline=sub, submitted_at=sub if i % 5 else None,
                              score_milli=score, max_score_milli=2000, duration_ms=dur,
                              prediction=pred))
            await s.flush()
            s.add_all([RoundEntry(round_id=r.id, participant_id=pid, prediction=p[3],
                                  counted_attempt_id=f"a-{pid}", attempts_submitted=1)
                       for pid, p in zip(ids, people, strict=True)])
            await s.flush()

            chains_of = {"BP": ("BP",), "BP-DONGXOAI": ("BP-DONGXOAI", "BP"),
                         "BP-BUDANG": ("BP-BUDANG", "BP"),
                         "BP-BUDANG-THPT": ("BP-BUDANG-THPT", "BP-BUDANG", "BP")}
            review = {pid for pid, p in zip(ids, people, strict=True) if p[7]}
            actual = len(people) if predicts else None
            await final_sql.rank_round(s, final_sql.Inputs(
                round_id=r.id, contest_id=seeded.contest_id, opens_at=OPENS, chain=chain,
                actual=actual, seed=seed, rules=parsed, day=DAY, review_excluded=review,
                unit_chains=chains_of))
            got = [(g.position, g.chain_rank, g.participant_id, g.split_key, g.submitted_ms,
                    g.distance, bool(g.tied), g.draw_key, g.exclusion)
                   for g in (await s.scalars(select(FinalRanking).where(
                       FinalRanking.round_id == r.id).order_by(FinalRanking.position))).all()]
            page, final_sql.CANDIDATE_PAGE = final_sql.CANDIDATE_PAGE, 3  # several pages
            try:
                candidates = [c async for c in final_sql.candidates(s, r.id)]
            finally:
                final_sql.CANDIDATE_PAGE = page
            got_hash = await final_sql.eligible_hash(s, r.id)
            ranked, tied, eligible = await final_sql.counts(s, r.id)
            await s.rollback()
    finally:
        await engine.dispose()

    # The reference: the pure functions on the same data.
    prior_ids = {pid for pid, p in zip(ids, people, strict=True) if p[8]}
    entries, reasons = [], {}
    for i, (pid, (score, dur, off, pred, group, unit, birth, _, _)) in enumerate(
            zip(ids, people, strict=True)):
        chain_up = chains_of.get(unit, (unit,))
        submitted_ms = 5000 + off // 1000 - (0 if i % 5 else dur)  # unsubmitted: started
        entries.append(fr.Entry(pid, score, dur, submitted_ms, pred,
                                pz.split_key(parsed, group, tuple(reversed(chain_up)))))
        reasons[pid] = pz.exclusion(pz.Person(pid, group, chain_up, birth, score), parsed, DAY,
                                    review_excluded=review, prior_winners=prior_ids)
    expected = fr.final_order(entries, chain, actual, seed)
    assert got == \
        [(x.position, x.chain_rank, x.entry.entry_id, x.entry.split_key, x.entry.submitted_ms,
          x.distance, x.tied, x.draw_key, reasons[x.entry.entry_id]) for x in expected]
    assert (ranked, tied, eligible) == (len(expected), sum(x.tied for x in expected),
                                        sum(reasons[x.entry.entry_id] is None
                                            for x in expected))
    pool = [(x.position, x.entry.entry_id, x.entry.split_key) for x in expected
            if reasons[x.entry.entry_id] is None]
    splits = {"group": set(GROUPS), "unit": {"BP-DONGXOAI", "BP-BUDANG"}}.get(
        parsed.split or "")
    assert pz.allocate(candidates, parsed, len(people), splits) == \
        pz.allocate(pool, parsed, len(people), splits)
    hasher = vd.ListHasher()
    for x in expected:
        if reasons[x.entry.entry_id] is None:
            e = x.entry
            hasher.add(vd.canonical_line(e.entry_id, e.split_key,
                                         [e.score_milli, e.prediction, e.duration_ms,
                                          e.submitted_ms]))
    assert got_hash == hasher.hexdigest()


@settings(max_examples=int(os.environ.get("FINAL_SQL_EXAMPLES", "40")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(people=st.lists(person, min_size=1, max_size=25), raw_rules=rules, chain=chains,
       predicts=st.booleans())
def test_sql_ranking_equals_the_pure_ranking(seeded: Seeded, people: list[tuple[Any, ...]],
                                             raw_rules: dict[str, Any],
                                             chain: tuple[str, ...], predicts: bool) -> None:
    asyncio.run(check(seeded, people, raw_rules, chain, predicts))


def test_a_value_copy_would_escape_is_hashed_as_the_canonical_line(seeded: Seeded) -> None:
    """COPY's text format escapes a backslash and a tab: the hash reads such a round again."""
    odd = "ODD\\UNIT\tX"
    people = [(1000, 1000, 0, None, "tudo", odd, BIRTHS[0], False, False),
              (2000, 1000, 400, 3, "hssv", "BP-BUDANG", BIRTHS[0], False, False)]
    raw = {"split": "unit", "tiers": [(1, 0)], "one_prize_per_person": False,
           "max_share": None, "min_score_milli": None, "min_age": None,
           "excluded_groups": [], "excluded_units": [], "excluded_participants": []}
    asyncio.run(check(seeded, people, raw, ("score",), False))


def test_hmac_pads_give_the_standard_hmac() -> None:
    import hashlib

    seed = bytes(range(32))
    ipad, opad = final_sql.hmac_pads(seed)
    inner = hashlib.sha256(ipad + b"abc").digest()
    assert hashlib.sha256(opad + inner).hexdigest() == vd.draw_key(seed, "abc")


@pytest.mark.parametrize("on", [date(2026, 11, 28), date(2028, 2, 29), date(2027, 3, 1),
                                date(2026, 1, 1)])
def test_latest_birth_is_the_age_boundary(on: date) -> None:
    from contest.domain.people import age_on

    cut = final_sql.latest_birth(18, on)
    assert age_on(cut, on) >= 18 > age_on(cut + timedelta(days=1), on)

