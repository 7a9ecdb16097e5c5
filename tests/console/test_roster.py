"""Bulk participant import: good rows in, bad rows named by row and column, one-time codes
that log in, unit scope, the template."""

from __future__ import annotations

import io
import re

import openpyxl
from sqlmodel import col, select

from contest.storage.tables import AuditEvent, Participant
from tests.console.conftest import Console

HEADER = ["Họ và tên", "Ngày sinh", "Giới tính", "Số điện thoại", "Mã đơn vị",
          "Nhóm đối tượng", "Số căn cước", "Thư điện tử"]


def _xlsx(rows: list[list[object]], title_rows: int = 1) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for _ in range(title_rows):
        ws.append(["DANH SÁCH HỌC SINH DỰ THI"])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


ROWS: list[list[object]] = [
    ["Nguyễn Văn An", "21/05/2008", "Nam", "0911000001", "BP-BUDANG-THPT", "hssv", "", ""],
    ["Trần Thị Bình", "2008-01-02", "Nữ", "0911000002", "BP-BUDANG", "hssv", "", "b@x.vn"],
    ["Lê Cường", "31/02/2008", "Nam", "0911000003", "BP-BUDANG", "hssv", "", ""],  # bad date
    ["Phạm Dũng", "01/01/2008", "", "12345", "BP-BUDANG", "hssv", "", ""],  # bad phone
    ["Hoàng Em", "01/01/2008", "", "0911000001", "BP-BUDANG", "hssv", "", ""],  # repeated
    ["Vũ Giang", "01/01/2008", "", "0911000006", "BP-DONGXOAI", "gv", "123", ""],  # 3 bad
    ["", "", "", "", "", "", "", ""],  # blank rows are skipped
    ["Đỗ Hà", "01/01/2008", "Khác", "0911000007", "BP-BUDANG-THPT", "tudo", "", ""],
]


async def test_good_rows_in_bad_rows_named_and_codes_log_in(console: Console) -> None:
    w = console.world
    officer = await console.login("officer")  # BP-BUDANG and below
    tpl = await officer.get("/console/participants/import/template.xlsx")
    assert tpl.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(tpl.content))
    assert [c.value for c in sheet.worksheets[0][1]] == HEADER
    units = [r[0] for r in sheet["Mã tra cứu"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert units == ["BP-BUDANG", "BP-BUDANG-THPT"]  # only the officer's own units

    r = await officer.post("/console/participants/import", data={"contest": "1"},
                           files={"file": ("lop-12a.xlsx", _xlsx(ROWS), "application/x")})
    assert r.status_code == 200, r.text
    got = [(int(a), b) for a, b in re.findall(
        r'<tr class="problem"><td class="num">(\d+)</td><td>([^<]+)</td>', r.text)]
    assert got == [(5, "Ngày sinh"), (6, "Số điện thoại"), (7, "Số điện thoại"),
                   (8, "Mã đơn vị"), (8, "Nhóm đối tượng"), (8, "Số căn cước")]
    codes = re.findall(r'<p class="code">([A-Z0-9]+)</p>', r.text)
    assert len(codes) == 3 and len(set(codes)) == 3
    async with w.ctx.sm() as s:
        made = (await s.scalars(select(Participant).order_by(col(Participant.full_name)))).all()
        event = await s.scalar(select(AuditEvent).where(
            col(AuditEvent.action) == "participants.import"))
    assert [p.full_name for p in made] == ["Nguyễn Văn An", "Trần Thị Bình", "Đỗ Hà"]
    assert event is not None and event.details["created"] == 3 and event.details["refused"] == 4

    # the first slip's code logs its person in
    login = await w.make_client().post("/api/v1/contests/thu/login", json={
        "phone": "0911000001", "password": codes[0]})
    assert login.status_code == 200, login.text

    again = await officer.post("/console/participants/import", data={"contest": "1"},
                               files={"file": ("lai.xlsx", _xlsx(ROWS[:1]), "application/x")})
    assert again.status_code == 422 and "đã đăng ký cuộc thi này" in again.text


async def test_unusable_files_are_refused_with_a_message(console: Console) -> None:
    org = await console.login("organiser")
    r = await org.post("/console/participants/import", data={"contest": "1"},
                       files={"file": ("ds.csv", b"a,b\n", "text/csv")})
    assert r.status_code == 422 and "cần tệp Excel .xlsx" in r.text
    r = await org.post("/console/participants/import", data={"contest": "1"},
                       files={"file": ("ds.xlsx", b"not a zip", "application/x")})
    assert r.status_code == 422 and "không đọc được tệp Excel" in r.text
    wb = openpyxl.Workbook()
    wb.active.append(["Tên", "SĐT"])
    buf = io.BytesIO()
    wb.save(buf)
    r = await org.post("/console/participants/import", data={"contest": "1"},
                       files={"file": ("ds.xlsx", buf.getvalue(), "application/x")})
    assert r.status_code == 422 and "không thấy dòng tiêu đề" in r.text
