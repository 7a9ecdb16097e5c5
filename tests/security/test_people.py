"""Item 16: phone numbers and ID numbers are compared in ASCII digits (NFKC), and one prize
per person also matches the ID-number hash across accounts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update

from contest.core.crypto import cipher
from contest.domain import people
from contest.results import finalise
from contest.storage.db import transaction
from contest.storage.results_tables import FinalRanking, PrizeAward
from contest.storage.tables import Participant
from tests.conftest import World
from tests.services.results_helpers import Person, seed_entries, set_round

# zero of: ASCII, Arabic-Indic, extended Arabic-Indic, Devanagari, full-width, Thai, Khmer
ZEROS = [0x30, 0x660, 0x6F0, 0x966, 0xFF10, 0xE50, 0x17E0]


@pytest.mark.parametrize("raw", [
    "0912345678", "０９１２３４５６７８", "٠٩١٢٣٤٥٦٧٨", "+８４ ９１２ ３４５ ６７８",
    "091\u00a0234\u00a05678", "(091) 234-5678",
])
def test_every_spelling_of_one_phone_is_one_phone(raw: str) -> None:
    assert people.normalise_phone(raw) == "0912345678"


@given(st.sampled_from(ZEROS), st.integers(min_value=0, max_value=10**8 - 1))
def test_a_phone_in_any_script_is_its_ascii_phone(zero: int, rest: int) -> None:
    ascii_phone = f"09{rest:08d}"
    spelled = "".join(chr(zero + int(d)) for d in ascii_phone)
    assert people.normalise_phone(spelled) == ascii_phone
    assert people.normalise_id_number(spelled + "00") == ascii_phone + "00"


async def test_a_full_width_phone_cannot_register_a_second_account(world: World) -> None:
    assert (await world.register(phone="0912345678")).status_code == 201
    again = await world.register(world.make_client(), phone="０９１２３４５６７８")
    assert again.status_code == 409 and again.json()["error"] == "phone_taken"
    login = await world.make_client().post(
        "/api/v1/contests/thu/login", json={"phone": "٠٩١٢٣٤٥٦٧٨", "password": "matkhau123"})
    assert login.status_code == 200


async def test_an_id_number_is_hashed_in_ascii_digits(world: World) -> None:
    r = await world.register(phone="0912345678", id_number="００１２０３００４５６７")
    assert r.status_code == 201, r.text
    async with world.ctx.sm() as s:
        p = await s.get(Participant, r.json()["participant_id"])
    assert p is not None
    assert p.id_number_hash == cipher(world.ctx.settings).lookup("id", "001203004567")


async def _same_id(world: World, *pids: str) -> None:
    digest = cipher(world.ctx.settings).lookup("id", "001203004567")
    async with transaction(world.ctx.sm) as s:
        await s.execute(update(Participant).where(Participant.id.in_(pids))  # type: ignore[attr-defined]
                        .values(id_number_hash=digest))


async def _awarded(world: World, round_id: int) -> list[str | None]:
    async with world.ctx.sm() as s:
        return list((await s.scalars(select(PrizeAward.participant_id).where(
            PrizeAward.round_id == round_id).order_by(PrizeAward.position))).all())


async def test_one_prize_per_person_matches_the_id_number_across_accounts(world: World) -> None:
    ctx = world.ctx
    first, second = world.round_id, await world.add_round(title="Đợt 2")
    one = {"tiers": [{"code": "nhat", "name": "Giải Nhất", "count": 1}]}
    two = {"tiers": [{"code": "nhat", "name": "Giải Nhất", "count": 2}]}
    await set_round(ctx, first, prizes=one)
    await set_round(ctx, second, prizes=two)
    # A1 and A2 are one person (one ID number, two phones); B is someone else
    await seed_entries(ctx, first, [Person("A1", 5000, phone="0900000001"),
                                    Person("B", 4000, phone="0900000002")])
    await seed_entries(ctx, second, [Person("A2", 5000, phone="0900000003"),
                                     Person("A3", 4900, phone="0900000004"),
                                     Person("B", 4000, phone="0900000002")])
    await _same_id(world, "A1", "A2", "A3")
    world.clock.advance(24 * 3600 + 10)
    await finalise.finalise(ctx, first)
    await finalise.finalise(ctx, second)
    assert await _awarded(world, first) == ["A1"]
    assert await _awarded(world, second) == ["B"]
    async with ctx.sm() as s:
        reasons = dict((await s.execute(select(FinalRanking.participant_id, FinalRanking.exclusion)
                                        .where(FinalRanking.round_id == second))).all())
    assert reasons == {"A2": "prior_prize", "A3": "prior_prize", "B": None}


async def test_one_person_with_two_accounts_wins_once_in_a_round(world: World) -> None:
    ctx = world.ctx
    await set_round(ctx, world.round_id,
                    prizes={"tiers": [{"code": "nhat", "name": "Giải Nhất", "count": 2}]})
    await seed_entries(ctx, world.round_id, [Person("A1", 5000), Person("A2", 4900),
                                             Person("B", 4000)])
    await _same_id(world, "A1", "A2")
    world.clock.advance(24 * 3600 + 10)
    await finalise.finalise(ctx, world.round_id)
    assert await _awarded(world, world.round_id) == ["A1", "B"]
