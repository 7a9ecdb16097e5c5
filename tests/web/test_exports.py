"""Results over HTTP: finalise, the public results and their verification from the files
alone, staff exports (CSV and XLSX) within a unit scope, the answer key."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from contest.cli.main import main as cli_main
from contest.console.staff import create_staff
from contest.results.verify_draw import verify_files
from contest.storage.db import transaction
from contest.storage.tables import AuditEvent, Unit
from tests.conftest import World
from tests.services.results_helpers import Person, seed_entries, set_round

PASSWORD = "mat-khau-can-bo-1"
PEOPLE = [
    Person("T1", 5000, name="Nguyễn Thị Bích Ngọc", phone="0912000001"),
    Person("T2", 4000, name="Trần Văn Đức", unit="BP-DONGXOAI", phone="0912000002"),
    Person("T3", 4000, name="Lê Hoàng Yến", phone="0912000003"),  # tie with T2 on the chain
    Person("T4", 3000, name="Phạm Quốc Việt", unit="BP-DONGXOAI", phone="0912000004"),
    Person("T5", 2000, name="Đặng Thùy Dương", unit="BP-BUDANG", phone="0912000005"),
]


def table(ws: Any) -> tuple[int, list[tuple[Any, ...]]]:
    """(1-based row of the header, header and data rows) of a list under its letterhead; the
    signature block after the table is left out."""
    rows = list(ws.iter_rows(values_only=True))
    top = next(i for i, r in enumerate(rows) if r and r[0] in ("STT", "Mã đơn vị", "Vị trí"))
    body = [rows[top]]
    for r in rows[top + 1:]:
        if r[0] is None:
            break
        body.append(r)
    return top + 1, body


async def staff(w: World, username: str, role: str, unit: str | None = None) -> httpx.AsyncClient:
    await create_staff(w.ctx, username, PASSWORD, role, unit, f"Cán bộ {username}")
    client = w.make_client()
    r = await client.post("/api/staff/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return client


@pytest.fixture
async def finalised(world: World) -> World:
    ctx, rid = world.ctx, world.round_id
    await set_round(ctx, rid, prizes={"tiers": [
        {"code": "nhat", "name": "Giải Nhất", "count": 1},
        {"code": "nhi", "name": "Giải Nhì", "count": 1},
        {"code": "ba", "name": "Giải Ba", "count": 1}]})
    async with transaction(ctx.sm) as s:
        await s.execute(update(Unit).where(Unit.code == "BP-BUDANG").values(headcount=40))
    await seed_entries(ctx, rid, PEOPLE)
    org = await staff(world, "bantochuc", "organiser")
    world.clock.advance(24 * 3600 + 10)
    r = await org.post(f"/api/staff/rounds/{rid}/finalise")
    assert r.status_code == 200, r.text
    assert r.json()["awards"] == 3 and r.json()["tied_entries"] == 2
    return world


async def save_published(w: World, tmp_path: Path) -> tuple[Path, Path]:
    manifest = await w.client.get(f"/api/v1/rounds/{w.round_id}/results")
    assert manifest.status_code == 200
    eligible = await w.client.get(manifest.json()["eligible_list"])
    assert eligible.status_code == 200
    (tmp_path / "ket-qua.json").write_bytes(manifest.content)
    (tmp_path / "danh-sach.csv").write_bytes(eligible.content)
    return tmp_path / "ket-qua.json", tmp_path / "danh-sach.csv"


async def test_public_results_are_masked_and_verify_from_the_files_alone(
        finalised: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    w = finalised
    data = (await w.client.get(f"/api/v1/rounds/{w.round_id}/results")).json()
    assert [x["tier_code"] for x in data["winners"]] == ["nhat", "nhi", "ba"]
    assert data["winners"][0]["name"] == "Nguyễn T. B. N."
    assert data["winners"][0]["unit"] == "Trường THPT Bù Đăng"
    assert data["winners"][0]["district"] == "Huyện Bù Đăng"
    assert "0912" not in json.dumps(data)
    manifest, eligible = await save_published(w, tmp_path)
    assert verify_files([manifest, eligible]).ok
    assert cli_main(["draw", "verify", str(manifest), str(eligible)]) == 0
    assert "verified" in capsys.readouterr().out
    # a forged winners list, a swapped seed or an edited list each fail
    forged = dict(data, winners=list(reversed(data["winners"])))
    forged["winners"][0]["tier_code"], forged["winners"][2]["tier_code"] = "nhat", "ba"
    bad = tmp_path / "forged.json"
    for change in ({"winners": [{**data["winners"][0], "entry_id": "T5"}, *data["winners"][1:]]},
                   {"seed": "11" * 32}):
        bad.write_text(json.dumps({**data, **change}), encoding="utf-8")
        assert not verify_files([bad, eligible]).ok
        assert cli_main(["draw", "verify", str(bad), str(eligible)]) == 1
    edited = tmp_path / "edited.csv"
    edited.write_text(eligible.read_text(encoding="utf-8-sig").replace(",4000,", ",4001,", 1),
                      encoding="utf-8")
    assert not verify_files([manifest, edited]).ok


async def test_results_page_and_answer_key(finalised: World) -> None:
    w = finalised
    page = await w.client.get(f"/results/{w.round_id}")
    data = (await w.client.get(f"/api/v1/rounds/{w.round_id}/results")).json()
    assert page.status_code == 200 and data["seed"] in page.text
    assert data["commitment"] in page.text and "Nguyễn T. B. N." in page.text
    # issue 16: a readable local time, codes on one line, the chain in words
    assert "Tổng kết lúc 21/11/2026 10:00" in page.text and "T03:00" not in page.text
    assert f'<code class="hash">{data["seed"]}</code>' in page.text
    assert ("Người dự thi được xếp hạng theo điểm từ cao xuống thấp; khi bằng nhau, xét đến "
            "câu trả lời dự đoán gần đúng hơn rồi thời gian làm bài ngắn hơn rồi nộp bài sớm "
            "hơn.") in page.text
    rounds = (await w.client.get("/api/v1/contests/thu")).json()["rounds"]
    mine = next(r for r in rounds if r["id"] == str(w.round_id))
    assert mine["draw_commitment"] == data["commitment"]
    assert mine["results_url"] == f"/results/{w.round_id}"
    assert mine["tie_breaks"] == ["score", "prediction", "duration", "submitted"]
    key = await w.client.get(f"/answer-key/{w.round_id}")
    assert key.status_code == 200 and "Câu 12." in key.text and "✔" in key.text


async def test_answer_key_waits_for_every_round_on_the_bank(world: World) -> None:
    assert (await world.client.get(f"/answer-key/{world.round_id}")).status_code == 409
    other = await world.add_round(title="Đợt sau")
    world.clock.advance(24 * 3600 + 10)
    assert (await world.client.get(f"/answer-key/{world.round_id}")).status_code == 200
    assert other
    unfinished = await world.add_round(title="Đợt còn mở")
    assert unfinished
    resp = await world.client.get(f"/answer-key/{world.round_id}")
    assert resp.status_code == 409 and "Đáp án" in resp.json()["detail"]


async def test_results_are_not_public_before_finalisation(world: World) -> None:
    resp = await world.client.get(f"/api/v1/rounds/{world.round_id}/results")
    assert resp.status_code == 404 and "chưa được công bố" in resp.json()["detail"]


async def test_internal_winners_xlsx_has_types_frozen_header_and_audit(
        finalised: World) -> None:
    w = finalised
    org = await staff(w, "bantochuc2", "organiser")
    resp = await org.get(f"/api/staff/rounds/{w.round_id}/exports/winners-internal.xlsx")
    assert resp.status_code == 200, resp.text
    assert "attachment" in resp.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(resp.content)).active
    top, rows = table(ws)
    assert rows[0][:4] == ("STT", "Hạng", "Giải", "Họ và tên") and "Số điện thoại" in rows[0]
    assert ws.freeze_panes == f"A{top + 1}" and ws[f"A{top}"].font.bold
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["STT"] == 1 and isinstance(first["Điểm"], int | float) and first["Điểm"] == 5
    assert first["Họ và tên đầy đủ"] == "Nguyễn Thị Bích Ngọc"
    assert first["Số điện thoại"] == "0912000001"
    born = first["Ngày sinh"]
    assert isinstance(born, datetime) and born.date() == date(1990, 5, 21)
    assert ws.cell(row=top + 1, column=8).number_format == "0.000"
    async with w.ctx.sm() as s:
        events = (await s.scalars(select(AuditEvent).where(AuditEvent.action == "export"))).all()
    assert [(e.actor, e.details["kind"], e.details["format"]) for e in events] == [
        ("staff:bantochuc2", "winners_internal", "xlsx")]


async def test_ranking_csv_keeps_diacritics_and_a_bom(finalised: World) -> None:
    w = finalised
    org = await staff(w, "bantochuc2", "organiser")
    resp = await org.get(f"/api/staff/rounds/{w.round_id}/exports/ranking.csv")
    assert resp.status_code == 200
    assert resp.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert [r["Họ và tên"] for r in rows] == ["Nguyễn Thị Bích Ngọc", "Trần Văn Đức",
                                              "Lê Hoàng Yến", "Phạm Quốc Việt",
                                              "Đặng Thùy Dương"] or \
        [r["Họ và tên"] for r in rows][1:3] == ["Lê Hoàng Yến", "Trần Văn Đức"]
    assert rows[0]["Điểm"] == "5" and rows[0]["Giải"] == "Giải Nhất"
    assert rows[1]["Hòa, xếp bằng bốc thăm"] == "có"
    assert rows[0]["Đơn vị"] == "Trường THPT Bù Đăng"


async def test_unit_officer_exports_only_their_unit(finalised: World) -> None:
    w = finalised
    officer = await staff(w, "canbo.budang", "unit_officer", "BP-BUDANG")
    resp = await officer.get(f"/api/staff/rounds/{w.round_id}/exports/ranking.csv")
    assert resp.status_code == 200
    names = [r["Họ và tên"] for r in csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig")))]
    assert sorted(names) == sorted(["Nguyễn Thị Bích Ngọc", "Lê Hoàng Yến", "Đặng Thùy Dương"])
    winners = await officer.get(f"/api/staff/rounds/{w.round_id}/exports/winners.xlsx")
    units = {row[4] for row in table(load_workbook(io.BytesIO(winners.content)).active)[1][1:]}
    assert units and units <= {"Trường THPT Bù Đăng", "Huyện Bù Đăng"}
    part = await officer.get(f"/api/staff/rounds/{w.round_id}/exports/participation.xlsx?level=2")
    rows = table(load_workbook(io.BytesIO(part.content)).active)[1]
    assert rows[1][:5] == ("BP-BUDANG", "Huyện Bù Đăng", 3, 3, 1)
    assert len(rows) == 2 and rows[1][7] == pytest.approx(3 / 40)
    outside = await officer.get(
        f"/api/staff/rounds/{w.round_id}/exports/ranking.csv?unit=BP-DONGXOAI")
    assert outside.status_code == 404


async def test_export_roles_and_bad_requests(finalised: World) -> None:
    w = finalised
    viewer = await staff(w, "xem", "viewer")
    base = f"/api/staff/rounds/{w.round_id}/exports"
    assert (await viewer.get(f"{base}/winners-internal.csv")).status_code == 403
    assert (await viewer.get(f"{base}/winners.csv")).status_code == 200
    assert (await viewer.get(f"{base}/winners.pdf")).status_code == 404
    assert (await viewer.get(f"{base}/secrets.csv")).status_code == 404
    assert (await w.client.get(f"{base}/winners.csv")).status_code == 401
    officer = await staff(w, "canbo.budang", "unit_officer", "BP-BUDANG")
    assert (await officer.post(f"/api/staff/rounds/{w.round_id}/finalise")).status_code == 403


async def test_pdf_documents_by_role_and_scope(finalised: World) -> None:
    from pypdf import PdfReader

    w = finalised
    base = f"/api/staff/rounds/{w.round_id}/documents"
    org = await staff(w, "bantochuc2", "organiser")
    resp = await org.get(f"{base}/winners.pdf")
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/pdf"
    assert resp.headers["content-disposition"].endswith(
        f'thu-dot-{w.round_id}-winners-tat-ca-20261121.pdf"')
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(resp.content)).pages)
    assert "DANH SÁCH NGƯỜI ĐOẠT GIẢI" in text and "Nguyễn Thị Bích Ngọc" in text
    assert f"http://test/results/{w.round_id}" in text
    viewer = await staff(w, "xem", "viewer")
    assert (await viewer.get(f"{base}/winners.pdf")).status_code == 403
    assert (await viewer.get(f"{base}/report.pdf")).status_code == 200
    assert (await viewer.get(f"{base}/secrets.pdf")).status_code == 404
    officer = await staff(w, "canbo.budang", "unit_officer", "BP-BUDANG")
    certs = await officer.get(f"{base}/certificates.pdf")
    names = "".join(p.extract_text() for p in PdfReader(io.BytesIO(certs.content)).pages)
    assert names.count("GIẤY CHỨNG NHẬN") == 3 and "Trần Văn Đức" not in names
    assert (await officer.get(f"{base}/winners.pdf?unit=BP-DONGXOAI")).status_code == 404
    async with w.ctx.sm() as s:
        kinds = (await s.scalars(select(AuditEvent).where(AuditEvent.action == "export"))).all()
    assert {e.details["kind"] for e in kinds} >= {"winners_pdf", "report_pdf",
                                                   "certificates_pdf"}


async def test_participant_downloads_their_own_certificate(world: World) -> None:
    from pypdf import PdfReader

    from contest.results import finalise
    from contest.storage.tables import Participant

    assert (await world.register(phone="0912999888")).status_code in (200, 201)
    async with world.ctx.sm() as s:
        pid = (await s.scalars(select(Participant.id))).one()
    await seed_entries(world.ctx, world.round_id, [Person(pid, 4000)])
    url = f"/api/v1/rounds/{world.round_id}/certificate.pdf"
    assert (await world.client.get(url)).status_code == 404  # not finalised yet
    world.clock.advance(24 * 3600 + 10)
    await finalise.finalise(world.ctx, world.round_id)
    resp = await world.client.get(url)
    assert resp.status_code == 200
    text = PdfReader(io.BytesIO(resp.content)).pages[0].extract_text()
    assert "Nguyễn Thị Bích Ngọc" in text and "Đã tham gia" in text
    assert (await world.make_client().get(url)).status_code == 401
