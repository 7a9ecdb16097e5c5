"""The console's final round for the best N of each week (issue 17 item 8) and the contest's
Zalo share setting (issue 15 item 11), through the real app and storage."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from contest.results import finalise
from contest.storage.tables import AuditEvent, Contest, Round
from tests.console.conftest import Console
from tests.services.results_helpers import Person, seed_entries


def _when(console: Console, days: float) -> str:
    w = console.world
    return (w.clock.now() + timedelta(days=days)).astimezone(w.ctx.settings.tz).strftime(
        "%Y-%m-%dT%H:%M")


async def _final_form(console: Console, **extra: str) -> dict[str, str]:
    async with console.world.ctx.sm() as s:
        version = (await s.get(Round, console.world.round_id))
    assert version is not None
    return {"title": "Chung kết", "kind": "ranked", "opens_at": _when(console, 2),
            "closes_at": _when(console, 3), "bank_version_id": str(version.bank_version_id),
            "questions_per_attempt": "5", "time_limit_min": "10", "grace_s": "5",
            "max_attempts": "1", "counting": "best", "action": "save", **extra}


async def test_final_round_form_list_and_counts_per_week(console: Console) -> None:
    w = console.world
    org = await console.login("organiser")
    week2 = await w.add_round(title="Tuần 2")
    new = await org.get("/console/contests/1/rounds/new")
    assert 'name="qualify_from" value="Tuần 2"' in new.text

    bad = await org.post("/console/contests/1/rounds/new",
                         data=await _final_form(console, qualify_on="on"))
    assert bad.status_code == 422 and "best_per_round" in bad.text

    saved = await org.post("/console/contests/1/rounds/new", data=await _final_form(
        console, qualify_on="on", qualify_best="1", qualify_ties="draw"))
    assert saved.status_code == 303, saved.text
    async with w.ctx.sm() as s:
        final = await s.scalar(select(Round).where(col(Round.title) == "Chung kết"))
    assert final is not None and final.qualify == {"best_per_round": 1}
    url = f"/console/contests/1/rounds/{final.id}"
    page = await org.get(url)
    assert "Chưa lập danh sách" in page.text and "Chưa chốt" in page.text
    assert 'name="qualify_on" checked' in page.text

    await seed_entries(w.ctx, w.round_id, [Person("P1", 5000), Person("P2", 4000)])
    await seed_entries(w.ctx, week2, [Person("P1", 5000), Person("P3", 4000, phone="0988000003")])
    w.clock.advance(24 * 3600 + 10)
    await finalise.finalise(w.ctx, w.round_id)
    await finalise.finalise(w.ctx, week2)  # the list is drawn up here: P1 only (week 1 and 2)
    page = await org.get(url)
    assert "<td>Đợt thử</td><td>Đã chốt</td><td>1</td>" in page.text
    assert "<td>Tuần 2</td><td>Đã chốt</td><td>0</td>" in page.text  # P1 counted once
    assert "<th>Tổng</th><td></td><th>1</th>" in page.text

    again = await org.post(f"{url}/qualify")
    assert again.status_code == 303 and "qualified=1" in again.headers["location"]
    assert "Đã lập danh sách: 1 người được vào thi." in (await org.get(
        again.headers["location"])).text
    async with w.ctx.sm() as s:
        actors = (await s.scalars(select(AuditEvent.actor).where(
            AuditEvent.action == "round.qualify").order_by(col(AuditEvent.id)))).all()
    assert list(actors) == ["system", "staff:organiser"]

    # a named source that is not a round of the contest is refused
    named = await org.post(url, data=await _final_form(
        console, qualify_on="on", qualify_best="1", qualify_from="Tuần 9"))
    assert named.status_code == 422 and "Tuần 9" in named.text


async def test_zalo_account_is_set_in_the_contest_form(console: Console) -> None:
    w = console.world
    org = await console.login("organiser")
    form = {"title": "Cuộc thi thử", "rules": "Thể lệ", "groups": "tudo|Tự do", "min_age": "",
            "visible": "on"}
    bad = await org.post("/console/contests/1", data={**form, "zalo_oa_id": "zalo.me/abc"})
    assert bad.status_code == 422 and "Zalo Official Account" in bad.text
    ok = await org.post("/console/contests/1", data={**form, "zalo_oa_id": "579745863508352884"})
    assert ok.status_code == 303
    public = (await w.client.get("/api/v1/contests/thu")).json()
    assert public["zalo_oa_id"] == "579745863508352884"
    assert 'value="579745863508352884"' in (await org.get("/console/contests/1")).text
    await org.post("/console/contests/1", data={**form, "zalo_oa_id": ""})
    async with w.ctx.sm() as s:
        c = await s.get(Contest, 1)
    assert c is not None and c.zalo_oa_id is None
    assert (await w.client.get("/api/v1/contests/thu")).json()["zalo_oa_id"] is None


async def test_content_security_policy_and_the_zalo_sdk(console: Console) -> None:
    """The participant pages' Content-Security-Policy allows Zalo's SDK, fetched on a tap
    (tests/e2e/test_csp.py runs it under the policy); the console keeps 'self'."""
    w = console.world
    async with w.ctx.sm() as s:
        c = await s.get(Contest, 1)
        assert c is not None
        c.zalo_oa_id = "579745863508352884"
        s.add(c)
        await s.commit()
    for path in ("/", "/index.html"):
        csp = (await w.client.get(path)).headers["content-security-policy"]
        scripts = next(d for d in csp.split(";") if d.strip().startswith("script-src")).split()
        assert {"https://sp.zalo.me", "https://*.zalo.me"} & set(scripts), csp
    org = await console.login("organiser")
    console_csp = (await org.get("/console/contests/1")).headers["content-security-policy"]
    assert "script-src 'self';" in console_csp and "zalo" not in console_csp
