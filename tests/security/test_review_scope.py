"""Item 5: the integrity review is scoped to the staff member's units, like exports."""

from __future__ import annotations

from contest.console.staff import create_staff
from contest.storage.db import transaction
from contest.storage.integrity_tables import IntegrityFlag
from tests.console.conftest import PASSWORD, Console


async def _flag_two_units(console: Console) -> tuple[str, str]:
    w = console.world
    own = (await w.register(w.make_client(), phone="0911111111",
                            unit_code="BP-BUDANG-THPT")).json()["participant_id"]
    other = (await w.register(w.make_client(), phone="0922222222",
                              unit_code="BP-DONGXOAI")).json()["participant_id"]
    async with transaction(w.ctx.sm) as s:
        for pid in (own, other):
            s.add(IntegrityFlag(round_id=w.round_id, participant_id=pid, reason="fast",
                                strength="strong", created_at=w.clock.now()))
    return own, other


async def test_unit_staff_see_only_their_units_flags(console: Console) -> None:
    own, other = await _flag_two_units(console)
    await create_staff(console.world.ctx, "xem-budang", PASSWORD, "viewer", "BP-BUDANG")
    url = f"/api/staff/review/rounds/{console.world.round_id}?scan=0"
    for who in ("officer", "xem-budang"):
        client = await console.login(who)
        r = await client.get(url)
        assert r.status_code == 200, (who, r.text)
        assert [i["participant_id"] for i in r.json()["items"]] == [own], who
        assert (await client.get(url + "&unit=BP-DONGXOAI")).status_code == 404
    organiser = await console.login("organiser")
    seen = {i["participant_id"] for i in (await organiser.get(url)).json()["items"]}
    assert seen == {own, other}


async def test_only_organisers_decide_and_within_their_scope(
        console: Console) -> None:
    _, other = await _flag_two_units(console)
    # an organiser sees every unit by role; a viewer bound to a unit never decides at all
    viewer = await console.login("viewer")
    url = f"/api/staff/review/rounds/{console.world.round_id}/participants/{other}"
    body = {"decision": "disqualify", "reason": "thử quyền"}
    assert (await viewer.post(url, json=body)).status_code == 403
    organiser = await console.login("organiser")
    assert (await organiser.post(url, json=body)).status_code == 200
