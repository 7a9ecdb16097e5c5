"""The console's results pages over HTTP: finalise a round from the console (with its
confirmation step and CSRF), the draw commitment, the winners and links, unit-scoped
downloads for an officer, and what a viewer may not do."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta

import httpx
from sqlmodel import col, select

from contest.storage.results_tables import RoundResult
from contest.storage.tables import AuditEvent, Round
from tests.console.conftest import Console
from tests.services.results_helpers import Person, seed_entries, set_round

PEOPLE = [
    Person("T1", 5000, name="Nguyễn Thị Bích Ngọc", phone="0912000001"),
    Person("T2", 4000, name="Trần Văn Đức", unit="BP-DONGXOAI", phone="0912000002"),
    Person("T3", 4000, name="Lê Hoàng Yến", phone="0912000003"),  # tied with T2: the draw
    Person("T4", 3000, name="Phạm Quốc Việt", unit="BP-DONGXOAI", phone="0912000004"),
    Person("T5", 2000, name="Đặng Thùy Dương", unit="BP-BUDANG", phone="0912000005"),
]
TIERS = {"tiers": [{"code": "nhat", "name": "Giải Nhất", "count": 1},
                   {"code": "nhi", "name": "Giải Nhì", "count": 1},
                   {"code": "ba", "name": "Giải Ba", "count": 1}]}
KINDS = ("winners", "winners-internal", "participation", "ranking")


async def closed_round(console: Console) -> int:
    """The test round with prizes and five entrants, after its close and grace."""
    w = console.world
    await set_round(w.ctx, w.round_id, prizes=TIERS)
    await seed_entries(w.ctx, w.round_id, PEOPLE)
    w.clock.advance(24 * 3600 + 10)
    return w.round_id


def page_text(resp: httpx.Response) -> str:
    return html.unescape(resp.text)


def export_links(body: str) -> set[str]:
    return set(re.findall(r'href="(/api/staff/rounds/\d+/exports/[^"]+)"', html.unescape(body)))


def unit_options(body: str) -> set[str]:
    """The values of the page's unit picker."""
    picker = body.split('<select name="unit">', 1)[1].split("</select>", 1)[0]
    return set(re.findall(r'<option value="([^"]*)"', picker))


def csrf_field(body: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', body)
    assert m, "no CSRF field on the page"
    return m.group(1)


async def finalised_at(console: Console, rid: int) -> object:
    async with console.world.ctx.sm() as s:
        r = await s.get(Round, rid)
        assert r is not None
        return r.finalised_at


async def test_organiser_finalises_from_the_console_and_sees_winners_and_links(
        console: Console) -> None:
    rid = await closed_round(console)
    org = await console.login("organiser")
    url = f"/console/rounds/{rid}/results"

    before = await org.get(url)
    assert before.status_code == 200
    assert "Đã đóng, chưa chốt kết quả" in page_text(before)
    assert f'href="{url}?confirm=1#chot"' in before.text
    assert "/results/finalise" not in before.text  # the button only opens the confirmation
    # Before finalisation only the participation export exists.
    assert {link.split("/exports/")[1].split(".")[0] for link in export_links(before.text)} == {
        "participation"}

    step = await org.get(f"{url}?confirm=1")
    assert "Xác nhận chốt kết quả" in page_text(step)
    assert f'action="{url}/finalise"' in step.text

    # A plain browser form: no X-CSRF-Token header, the token travels in the form.
    del org.headers["X-CSRF-Token"]
    no_token = await org.post(f"{url}/finalise", data={"confirm": "yes"})
    assert no_token.status_code == 403
    unconfirmed = await org.post(f"{url}/finalise", data={"csrf_token": csrf_field(step.text)})
    assert unconfirmed.status_code == 422
    assert "Cần xác nhận trước khi chốt kết quả" in page_text(unconfirmed)
    assert await finalised_at(console, rid) is None

    done = await org.post(f"{url}/finalise",
                          data={"csrf_token": csrf_field(step.text), "confirm": "yes"})
    assert done.status_code == 303
    assert done.headers["location"] == f"{url}?done=finalised"
    assert await finalised_at(console, rid) is not None

    after = await org.get(done.headers["location"])
    text = page_text(after)
    assert after.status_code == 200
    assert "Đã chốt kết quả" in text and "Chốt kết quả</a>" not in text
    for masked in ("Nguyễn T. B. N.", "Trần V. Đ.", "Lê H. Y."):
        assert masked in text
    assert "Nguyễn Thị Bích Ngọc" not in text and "0912000001" not in text
    assert "Giải Nhất" in text and "Giải Nhì" in text and "Giải Ba" in text
    assert f'href="/results/{rid}"' in after.text
    async with console.world.ctx.sm() as s:
        res = await s.get(RoundResult, rid)
        assert res is not None
        events = (await s.scalars(select(AuditEvent).where(
            col(AuditEvent.action) == "round.finalise"))).all()
    assert res.seed_hex in text and res.commitment in text and res.eligible_hash in text
    assert [e.actor for e in events] == ["staff:organiser"]
    links = export_links(after.text)
    assert links == {f"/api/staff/rounds/{rid}/exports/{k}.{f}?level=2"
                     for k in KINDS for f in ("csv", "xlsx")}
    for link in sorted(links):
        got = await org.get(link)
        assert got.status_code == 200, link
        assert got.content, link
    public = await console.world.client.get(f"/results/{rid}")
    assert public.status_code == 200 and "Nguyễn T. B. N." in public.text

    again = await org.post(f"{url}/finalise",
                           data={"csrf_token": csrf_field(after.text), "confirm": "yes"})
    assert again.status_code == 409
    assert "đã được tổng kết" in page_text(again)


async def test_finalising_an_open_round_shows_why_on_the_page(console: Console) -> None:
    w = console.world
    admin = await console.login("admin")
    url = f"/console/rounds/{w.round_id}/results"
    page = await admin.get(url)
    assert "Đang mở" in page_text(page) and "?confirm=1" not in page.text
    resp = await admin.post(f"{url}/finalise", data={"confirm": "yes"})
    assert resp.status_code == 409
    text = page_text(resp)
    assert "Đợt thi chưa kết thúc (kể cả thời gian gia hạn) nên chưa thể tổng kết." in text
    assert "<h1>Kết quả: Đợt thử</h1>" in text  # the results page itself, not a bare error
    assert await finalised_at(console, w.round_id) is None
    # During the grace period the page says when finalising becomes possible, and refuses.
    w.clock.advance(24 * 3600 + 1)
    grace = await admin.get(url)
    assert "thời gian ân hạn" in page_text(grace) and "Có thể chốt kết quả sau" in page_text(grace)
    assert (await admin.post(f"{url}/finalise", data={"confirm": "yes"})).status_code == 409


async def test_officer_sees_only_their_units_downloads_and_404_for_another(
        console: Console) -> None:
    rid = await closed_round(console)
    admin = await console.login("admin")
    resp = await admin.post(f"/console/rounds/{rid}/results/finalise", data={"confirm": "yes"})
    assert resp.status_code == 303

    officer = await console.login("officer")
    url = f"/console/rounds/{rid}/results"
    page = await officer.get(url)
    assert page.status_code == 200
    text = page_text(page)
    # The unit picker holds the officer's subtree only.
    assert unit_options(page.text) == {"", "BP-BUDANG", "BP-BUDANG-THPT"}
    # Winners in Bù Đăng only (T1, T3); the Đồng Xoài winner (T2) is not listed.
    assert "Nguyễn T. B. N." in text and "Lê H. Y." in text and "Trần V. Đ." not in text
    assert "2 trong 3 giải thuộc phạm vi của bạn" in text
    # No action for an officer.
    assert "?confirm=1" not in page.text and "/results/finalise" not in page.text
    assert (await officer.post(f"{url}/finalise", data={"confirm": "yes"})).status_code == 403
    links = export_links(page.text)
    assert links == {f"/api/staff/rounds/{rid}/exports/{k}.{f}?level=2"
                     for k in KINDS for f in ("csv", "xlsx")}
    got = await officer.get(f"/api/staff/rounds/{rid}/exports/ranking.csv?level=2")
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Vị trí", "Hạng theo tiêu chí", "Mã người dự thi"]
    assert sorted(r[2] for r in rows[1:]) == ["T1", "T3", "T5"]

    narrowed = await officer.get(f"{url}?unit=BP-BUDANG-THPT&level=3")
    assert narrowed.status_code == 200
    links = export_links(narrowed.text)
    assert links and all(link.endswith("?unit=BP-BUDANG-THPT&level=3") for link in links)
    got = await officer.get(f"/api/staff/rounds/{rid}/exports/winners.csv"
                            "?unit=BP-BUDANG-THPT&level=3")
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert {r[4] for r in rows[1:]} == {"Trường THPT Bù Đăng"} and len(rows) == 3

    assert (await officer.get(f"{url}?unit=BP-DONGXOAI")).status_code == 404
    assert (await officer.get(f"{url}?unit=BP")).status_code == 404
    for kind in KINDS:
        outside = await officer.get(f"/api/staff/rounds/{rid}/exports/{kind}.csv"
                                    "?unit=BP-DONGXOAI")
        assert outside.status_code == 404, kind

    # The organiser's picker offers every unit.
    org_page = await (await console.login("organiser")).get(url)
    assert unit_options(org_page.text) == {
        "", "BP", "BP-DONGXOAI", "BP-BUDANG", "BP-BUDANG-THPT"}


async def test_viewer_cannot_finalise_and_gets_public_exports_only(console: Console) -> None:
    rid = await closed_round(console)
    viewer = await console.login("viewer")
    url = f"/console/rounds/{rid}/results"
    page = await viewer.get(url)
    assert page.status_code == 200
    assert "?confirm=1" not in page.text and "/results/finalise" not in page.text
    assert (await viewer.get(f"{url}?confirm=1")).text.count("Xác nhận chốt kết quả") == 0
    refused = await viewer.post(f"{url}/finalise", data={"confirm": "yes"})
    assert refused.status_code == 403
    assert await finalised_at(console, rid) is None

    admin = await console.login("admin")
    assert (await admin.post(f"{url}/finalise", data={"confirm": "yes"})).status_code == 303
    after = await viewer.get(url)
    assert "Nguyễn T. B. N." in page_text(after)
    kinds = {link.split("/exports/")[1].split(".")[0] for link in export_links(after.text)}
    assert kinds == {"winners", "participation"}  # no contact details, no full ranking


async def test_draw_commitment_before_the_round_opens(console: Console) -> None:
    w = console.world
    now = w.clock.now()
    rid = await w.add_round(title="Đợt hai", opens_at=now + timedelta(days=2),
                            closes_at=now + timedelta(days=3))
    url = f"/console/rounds/{rid}/results"
    viewer = await console.login("viewer")
    assert "Chưa mở" in page_text(await viewer.get(url))
    assert "/results/draw-commitment" not in (await viewer.get(url)).text
    assert (await viewer.post(f"{url}/draw-commitment")).status_code == 403

    org = await console.login("organiser")
    before = await org.get(url)
    assert "Tạo cam kết bốc thăm" in page_text(before)
    made = await org.post(f"{url}/draw-commitment")
    assert made.status_code == 303 and made.headers["location"] == f"{url}?done=committed"
    public = (await w.client.get(f"/api/v1/rounds/{rid}/draw-commitment")).json()
    after = page_text(await org.get(made.headers["location"]))
    assert public["commitment"] in after and "trước khi đợt thi mở" in after
    assert "Tạo cam kết bốc thăm" not in after
    twice = await org.post(f"{url}/draw-commitment")
    assert twice.status_code == 409
    assert "không được thay hạt giống đã công bố" in page_text(twice)
    # The open round shows no button: its commitment would come too late.
    assert "Tạo cam kết bốc thăm" not in page_text(
        await org.get(f"/console/rounds/{w.round_id}/results"))


async def test_results_index_lists_ranked_rounds_with_their_state(console: Console) -> None:
    w = console.world
    now = w.clock.now()
    await w.add_round(title="Đợt luyện tập", kind="practice")
    await w.add_round(title="Đợt sau", opens_at=now + timedelta(days=5),
                      closes_at=now + timedelta(days=6))
    officer = await console.login("officer")
    text = page_text(await officer.get("/console/results"))
    assert "Đợt thử" in text and "Đang mở" in text
    assert "Đợt sau" in text and "Chưa mở" in text
    assert "Đợt luyện tập" not in text
    assert (await officer.get("/console/rounds/999/results")).status_code == 404
