"""The review: staff API and CLI decisions, the audit log, and prize eligibility."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
from sqlmodel import select

from contest.console.staff import create_staff
from contest.integrity import review
from contest.storage.tables import Attempt, AuditEvent
from tests.conftest import REPO, World
from tests.web.bots import join, sit

PASSWORD = "mat-khau-can-bo-1"


async def _staff(w: World, username: str, role: str) -> httpx.AsyncClient:
    await create_staff(w.ctx, username, PASSWORD, role, None, f"Cán bộ {username}")
    c = w.make_client()
    r = await c.post("/api/staff/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


async def _bot_and_person(w: World) -> tuple[str, str]:
    """A script answering every 200 ms and a person; their participant ids."""
    ids = []
    for phone, gaps in (("0912000001", 0.2), ("0912000002", [12.0, 20.0, 9.0, 31.0, 15.0])):
        paper = await sit(w, await join(w, phone), gaps)
        async with w.ctx.sm() as s:
            att = await s.get(Attempt, paper["attempt_id"])
        assert att is not None
        ids.append(att.participant_id)
    return ids[0], ids[1]


async def test_a_review_decision_is_audited_and_changes_prize_eligibility(world: World) -> None:
    bot, person = await _bot_and_person(world)
    organiser = await _staff(world, "organiser", "organiser")

    listing = await organiser.get(f"/api/staff/review/rounds/{world.round_id}")
    assert listing.status_code == 200, listing.text
    items = listing.json()["items"]
    assert [i["participant_id"] for i in items] == [bot]  # the honest one is not listed
    assert items[0]["strength"] == "strong" and items[0]["excluded_from_prizes"] is True
    assert {f["reason"] for f in items[0]["flags"]} == {"answers_too_fast", "attempt_too_fast"}
    assert await review.excluded_participants(world.ctx, world.round_id) == {bot}
    assert await review.prize_eligibility(world.ctx, world.round_id, [bot, person]) == \
        {bot: False, person: True}

    world.clock.advance(3600)
    url = f"/api/staff/review/rounds/{world.round_id}/participants/{bot}"
    cleared = await organiser.post(url, json={
        "decision": "clear", "reason": "Thí sinh là giáo viên, đã đối chiếu bài làm trực tiếp."})
    assert cleared.status_code == 200, cleared.text
    assert await review.excluded_participants(world.ctx, world.round_id) == set()

    async with world.ctx.sm() as s:
        events = (await s.scalars(select(AuditEvent).where(
            AuditEvent.action.startswith("review.")))).all()  # type: ignore[attr-defined]
    assert len(events) == 1
    ev = events[0]
    assert ev.actor == "staff:organiser"
    assert ev.at == world.clock.now()
    assert ev.target == f"round:{world.round_id}/participant:{bot}"
    assert ev.details["reason"].startswith("Thí sinh là giáo viên")
    assert {f["reason"] for f in ev.details["flags"]} == {"answers_too_fast", "attempt_too_fast"}

    dq = await organiser.post(url, json={"decision": "disqualify",
                                         "reason": "Xác minh lại: dùng công cụ tự động."})
    assert dq.status_code == 200
    assert await review.excluded_participants(world.ctx, world.round_id) == {bot}
    listing = (await organiser.get(f"/api/staff/review/rounds/{world.round_id}")).json()
    assert listing["items"][0]["decision"]["decision"] == "disqualified"
    assert listing["items"][0]["decision"]["reviewer"] == "staff:organiser"


async def test_only_organisers_decide_and_reasons_are_required(world: World) -> None:
    bot, _ = await _bot_and_person(world)
    viewer = await _staff(world, "viewer", "viewer")
    organiser = await _staff(world, "organiser", "organiser")
    url = f"/api/staff/review/rounds/{world.round_id}/participants/{bot}"
    assert (await viewer.get(f"/api/staff/review/rounds/{world.round_id}")).status_code == 200
    assert (await viewer.post(url, json={"decision": "clear",
                                         "reason": "không"})).status_code == 403
    anonymous = world.make_client()
    assert (await anonymous.get(f"/api/staff/review/rounds/{world.round_id}")).status_code == 401
    bad = await organiser.post(url, json={"decision": "forgive", "reason": ""})
    assert bad.status_code == 422
    assert set(bad.json()["fields"]) == {"decision", "reason"}
    assert "lý do" in bad.json()["fields"]["reason"]
    missing = await organiser.post(f"/api/staff/review/rounds/{world.round_id}/participants/nobody",
                                   json={"decision": "clear", "reason": "đã kiểm tra"})
    assert missing.status_code == 404
    assert await review.excluded_participants(world.ctx, world.round_id) == {bot}


async def test_new_strong_evidence_after_a_clear_needs_a_new_look(world: World) -> None:
    bot_paper = await sit(world, bot_client := await join(world, "0912000001"), 0.2)
    async with world.ctx.sm() as s:
        att = await s.get(Attempt, bot_paper["attempt_id"])
    assert att is not None
    bot = att.participant_id
    await review.decide(world.ctx, world.round_id, bot, "clear", "đã kiểm tra", "cli:test")
    world.clock.advance(60)
    # a rescan keeps the flags the decision covered
    assert await review.excluded_participants(world.ctx, world.round_id) == set()
    # a second attempt at script speed is new evidence: excluded again until reviewed
    await sit(world, bot_client, 0.2)
    assert await review.excluded_participants(world.ctx, world.round_id) == {bot}


def _cli(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": db, "CONTEST_DEV": "1"}
    return subprocess.run([sys.executable, "-m", "contest.cli", "review", *args], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=60)


async def test_the_cli_lists_and_decides(world: World) -> None:
    bot, _ = await _bot_and_person(world)
    db = world.ctx.settings.database_url
    listed = _cli("list", "--round", str(world.round_id), "--json", db=db)
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    assert [i["participant_id"] for i in data] == [bot]
    text = _cli("list", "--round", str(world.round_id), db=db)
    assert "answers_too_fast" in text.stdout and "EXCLUDED" in text.stdout
    assert "Trả lời nhanh hơn" in text.stdout
    done = _cli("disqualify", "--round", str(world.round_id), "--participant", bot,
                "--reason", "Bài làm do phần mềm tự động", "--by", "ban-to-chuc", db=db)
    assert done.returncode == 0, done.stderr
    assert "disqualified by cli:ban-to-chuc" in done.stdout
    refused = _cli("clear", "--round", str(world.round_id), "--participant", bot,
                   "--reason", "", db=db)
    assert refused.returncode == 1 and "lý do" in refused.stdout
    async with world.ctx.sm() as s:
        ev = (await s.scalars(select(AuditEvent).where(
            AuditEvent.action == "review.disqualified"))).one()
    assert ev.actor == "cli:ban-to-chuc"
