"""CSV and XLSX banks in the organisers' layout: one row per question, Vietnamese headers."""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from contest.banks.decode import decode_text
from contest.banks.problems import BankInvalid, Loc, Problem, Progress, error, warning
from contest.banks.validate import (
    LETTERS,
    MAX_OPTIONS,
    BankMeta,
    Draft,
    build_bank,
    clean,
    fold,
    parse_answer,
)
from contest.domain.bank import Bank

QUESTIONS_SHEET = "Câu hỏi"
INFO_SHEET = "Thông tin"
GUIDE_SHEET = "Hướng dẫn"

# Folded header text -> field. Option columns ("Phương án A"...) are matched separately.
_HEADERS = {
    "stt": "stt",
    "so thu tu": "stt",
    "ma cau hoi": "id",
    "ma": "id",
    "id": "id",
    "cau hoi": "text",
    "noi dung cau hoi": "text",
    "noi dung": "text",
    "question": "text",
    "dap an dung": "answer",
    "dap an": "answer",
    "answer": "answer",
    "chu de": "topic",
    "topic": "topic",
    "muc do": "difficulty",
    "do kho": "difficulty",
    "difficulty": "difficulty",
    "can cu": "basis",
    "can cu phap ly": "basis",
    "basis": "basis",
    "loai": "kind",
    "loai cau hoi": "kind",
    "kind": "kind",
    "giai thich": "explanation",
    "explanation": "explanation",
}
_OPTION_RE = re.compile(r"^(?:phuong an|option|pa)\s*([a-h])$")
_INFO_KEYS = {
    "ma ngan hang": "code",
    "ten ngan hang": "title",
    "ngon ngu": "language",
    "phien ban": "version",
    "nguon": "sources",
    "chu de": "topics",
}
_HEADER_SEARCH_ROWS = 10  # title rows above the header are common in organisers' sheets


def _cell_text(value: object) -> str:
    """A cell as text: integers without ".0", booleans as true/false, None as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean(str(value))


def _match_headers(cells: Sequence[str]) -> dict[str, int] | None:
    """Field -> column index when cells look like the header row, else None."""
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        f = fold(cell)
        m = _OPTION_RE.match(f)
        name = f"option_{m.group(1).upper()}" if m else _HEADERS.get(f)
        if name and name not in found:
            found[name] = i
    return found if "text" in found and "answer" in found else None


def _rows_to_drafts(
    rows: Iterable[tuple[int, list[str]]],
    file: str,
    sheet: str | None,
    problems: list[Problem],
    progress: Progress | None,
) -> list[Draft]:
    """Drafts from (row number, cells) pairs; the header row is found among the first rows."""
    header: dict[str, int] | None = None
    header_cells: list[str] = []
    drafts: list[Draft] = []
    for number, cells in rows:
        if header is None:
            header = _match_headers(cells)
            if header is not None:
                header_cells = cells
                _check_headers(header, header_cells, file, sheet, number, problems)
            elif number >= _HEADER_SEARCH_ROWS:
                break
            continue
        if not any(cells):
            continue
        drafts.append(_row_draft(header, header_cells, cells, Loc(file, sheet=sheet, row=number)))
        if progress and len(drafts) % 500 == 0:
            progress(len(drafts))
    if header is None:
        problems.append(error("missing_header", Loc(file, sheet=sheet, row=1), header="Câu hỏi"))
    return drafts


def _check_headers(
    header: dict[str, int],
    cells: list[str],
    file: str,
    sheet: str | None,
    number: int,
    problems: list[Problem],
) -> None:
    used = set(header.values())
    seen: set[str] = set()
    for i, cell in enumerate(cells):
        loc = Loc(file, sheet=sheet, row=number, column=get_column_letter(i + 1))
        if not cell:
            continue
        if fold(cell) in seen:
            problems.append(error("duplicate_header", loc, header=cell))
        elif i not in used:
            problems.append(warning("unknown_header", loc, header=cell))
        seen.add(fold(cell))


def _row_draft(header: dict[str, int], names: list[str], cells: list[str], loc: Loc) -> Draft:
    def get(name: str) -> str:
        i = header.get(name)
        return cells[i] if i is not None and i < len(cells) else ""

    def at(name: str) -> Loc:
        i = header[name]
        return Loc(
            loc.file,
            sheet=loc.sheet,
            row=loc.row,
            column=f"{get_column_letter(i + 1)} ({names[i]})",
        )

    locs = {name: at(name) for name in header if not name.startswith("option_")}
    letters = [c for c in LETTERS[:MAX_OPTIONS] if f"option_{c}" in header]
    last = max((i for i, c in enumerate(letters) if get(f"option_{c}")), default=-1)
    # Trailing empty option columns mean "fewer options"; a gap before a filled one is kept
    # as an empty option so that the checks report it.
    options = [get(f"option_{c}") for c in letters[: last + 1]]
    for i, c in enumerate(letters[: last + 1]):
        locs[f"option{i}"] = at(f"option_{c}")
    if letters:
        locs["options"] = at(f"option_{letters[0]}")
    row_id = get("id") or get("stt") or str(loc.row)
    return Draft(
        loc=loc,
        ext_id=row_id,
        text=get("text"),
        options=options,
        answer=parse_answer(get("answer")),
        kind=get("kind") or None,
        # An absent column means "not classified"; an empty cell in a present one is an error.
        topic=(get("topic") or None) if "topic" in header else "",
        difficulty=(get("difficulty") or None) if "difficulty" in header else "medium",
        basis=get("basis"),
        explanation=get("explanation") or None,
        locs=locs,
    )


def _meta_from_name(file: str) -> BankMeta:
    stem = Path(file).name.split(".")[0]
    code = re.sub(r"[^a-z0-9]+", "-", fold(stem)).strip("-") or "bank"
    return BankMeta(code=code, title=stem, loc=Loc(file))


def _finish(
    meta: BankMeta, drafts: list[Draft], problems: list[Problem], file: str
) -> tuple[Bank | None, list[Problem]]:
    bank, more = build_bank(meta, drafts, file)
    problems = problems + more
    return (None if any(p.is_error for p in problems) else bank), problems


def parse_csv(
    data: bytes, file: str, progress: Progress | None = None
) -> tuple[Bank | None, list[Problem]]:
    """Parse CSV bytes (any supported encoding); raises BankInvalid when undecodable."""
    text = decode_text(data, file)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",;\t", key=first.count)  # Excel writes ";" in some locales
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = ((n, [_cell_text(c) for c in cells]) for n, cells in enumerate(reader, start=1))
    problems: list[Problem] = []
    drafts = _rows_to_drafts(rows, file, None, problems, progress)
    return _finish(_meta_from_name(file), drafts, problems, file)


def parse_xlsx(
    data: bytes, file: str, progress: Progress | None = None
) -> tuple[Bank | None, list[Problem]]:
    """Parse XLSX bytes (already checked for size and zip bombs by the caller)."""
    try:
        with warnings.catch_warnings():
            # openpyxl warns about harmless things (styles, data validation extensions).
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for corrupt files
        raise BankInvalid([error("xlsx_unreadable", Loc(file), detail=str(exc))]) from None
    try:
        sheets = {fold(ws.title): ws for ws in wb.worksheets}
        ws = sheets.get(fold(QUESTIONS_SHEET)) or wb.worksheets[0]
        problems: list[Problem] = []
        rows = (
            (n, [_cell_text(c) for c in cells])
            for n, cells in enumerate(ws.iter_rows(values_only=True), start=1)
        )
        drafts = _rows_to_drafts(rows, file, ws.title, problems, progress)
        meta = _meta_from_name(file)
        info = sheets.get(fold(INFO_SHEET))
        if info is not None:
            _read_info(info.iter_rows(values_only=True), meta)
    finally:
        wb.close()
    return _finish(meta, drafts, problems, file)


def _read_info(rows: Iterable[Sequence[object]], meta: BankMeta) -> None:
    """Fill meta from key/value rows of the information sheet."""
    for cells in rows:
        texts = [_cell_text(c) for c in cells]
        if not texts or not texts[0]:
            continue
        key = _INFO_KEYS.get(fold(texts[0]))
        values = [t for t in texts[1:] if t]
        if key in ("sources", "topics"):
            setattr(meta, key, (*getattr(meta, key), *values))
        elif key and values:
            setattr(meta, key, values[0])


# ---- export ------------------------------------------------------------------------------

_KIND_VI = {"single": "Một đáp án", "multiple": "Nhiều đáp án", "true_false": "Đúng sai"}
_DIFFICULTY_VI = {"easy": "Dễ", "medium": "Trung bình", "hard": "Khó"}


def _headers(n_options: int) -> list[str]:
    return [
        "STT",
        "Mã câu hỏi",
        "Câu hỏi",
        *[f"Phương án {c}" for c in LETTERS[:n_options]],
        "Đáp án đúng",
        "Loại",
        "Chủ đề",
        "Mức độ",
        "Căn cứ",
        "Giải thích",
    ]


def _put_row(ws: object, values: Sequence[object]) -> None:
    """Append a row whose strings stay strings (a leading "=" must not become a formula)."""
    ws.append(list(values))  # type: ignore[attr-defined]
    row = ws.max_row  # type: ignore[attr-defined]
    for col, value in enumerate(values, start=1):
        if isinstance(value, str) and value.startswith("="):
            ws.cell(row=row, column=col).data_type = "s"  # type: ignore[attr-defined]


def _style(ws: object, headers: Sequence[str]) -> None:
    for i, name in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=i)  # type: ignore[attr-defined]
        cell.font = Font(bold=True)
        width = 60 if name in ("Câu hỏi", "Căn cứ", "Giải thích") else 24
        ws.column_dimensions[get_column_letter(i)].width = width  # type: ignore[attr-defined]
    ws.freeze_panes = "A2"  # type: ignore[attr-defined]


def _question_row(
    n: int,
    q_id: str,
    text: str,
    options: Sequence[str],
    n_options: int,
    answer: str,
    kind: str,
    topic: str,
    difficulty: str,
    basis: str,
    explanation: str,
) -> list[object]:
    padded = [*options, *[""] * (n_options - len(options))]
    return [n, q_id, text, *padded, answer, kind, topic, difficulty, basis, explanation]


def _workbook_bytes(wb: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def to_xlsx(bank: Bank) -> bytes:
    """The bank as an XLSX workbook: a questions sheet and a bank information sheet."""
    n_options = max([4, *(len(q.options) for q in bank.questions if q.kind != "true_false")])
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = QUESTIONS_SHEET
    headers = _headers(n_options)
    ws.append(headers)
    for n, q in enumerate(bank.questions, start=1):
        if q.kind == "true_false":
            options: list[str] = []
            answer = "Đúng" if q.options[0].correct else "Sai"
        else:
            options = [o.text for o in q.options]
            answer = ",".join(LETTERS[i] for i in q.correct_positions)
        _put_row(
            ws,
            _question_row(
                n,
                q.ext_id,
                q.text,
                options,
                n_options,
                answer,
                _KIND_VI[q.kind],
                q.topic,
                _DIFFICULTY_VI[q.difficulty],
                q.basis,
                q.explanation or "",
            ),
        )
    _style(ws, headers)
    info = wb.create_sheet(INFO_SHEET)
    for row in (
        ["Mã ngân hàng", bank.code],
        ["Tên ngân hàng", bank.title],
        ["Ngôn ngữ", bank.language],
        ["Phiên bản", bank.version],
        ["Nguồn", *bank.sources],
        ["Chủ đề", *bank.topics],
    ):
        _put_row(info, row)
    info.column_dimensions["A"].width = 20
    info.column_dimensions["B"].width = 60
    return _workbook_bytes(wb)


_GUIDE = [
    "HƯỚNG DẪN NHẬP NGÂN HÀNG CÂU HỎI",
    "",
    "Mỗi dòng của trang 'Câu hỏi' là một câu hỏi. Giữ nguyên dòng tiêu đề.",
    "STT: số thứ tự (không bắt buộc). Mã câu hỏi: mã riêng, không trùng (nếu bỏ trống "
    "sẽ dùng STT).",
    "Câu hỏi: nội dung câu hỏi (bắt buộc).",
    "Phương án A, B, C...: từ 2 đến 8 phương án; có thể thêm cột 'Phương án E'... "
    "Câu đúng/sai thì để trống.",
    "Đáp án đúng: chữ cái của phương án đúng, ví dụ B; nhiều đáp án: A,C; câu đúng/sai: "
    "Đúng hoặc Sai.",
    "Loại (không bắt buộc): Một đáp án, Nhiều đáp án hoặc Đúng sai; bỏ trống thì tự nhận "
    "theo đáp án.",
    "Chủ đề: phải là một trong các chủ đề khai báo ở trang 'Thông tin' (nếu có khai báo).",
    "Mức độ: Dễ, Trung bình hoặc Khó.",
    "Căn cứ: căn cứ pháp lý, ví dụ 'Điều 13 khoản 4, Hiến pháp năm 2013'.",
    "Giải thích (không bắt buộc): hiển thị sau khi vòng thi kết thúc.",
    "",
    "Trang 'Thông tin': mã ngân hàng (chữ thường, số, dấu gạch ngang), tên, phiên bản, "
    "nguồn và danh sách chủ đề (mỗi chủ đề một ô trên cùng dòng).",
    "Tệp CSV dùng cùng các cột; lưu bằng UTF-8 (khuyến nghị) hoặc Windows-1258.",
]


def xlsx_template() -> bytes:
    """A blank organisers' workbook: headers, one example row, information and guide sheets."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = QUESTIONS_SHEET
    headers = _headers(4)
    ws.append(headers)
    _put_row(
        ws,
        _question_row(
            1,
            "hp-001",
            "Theo Hiến pháp năm 2013, Nhà nước Cộng hòa xã hội chủ nghĩa Việt Nam do ai làm chủ?",
            ["Giai cấp công nhân", "Nhân dân", "Đảng Cộng sản Việt Nam", "Quốc hội"],
            4,
            "B",
            "Một đáp án",
            "Chế độ chính trị",
            "Dễ",
            "Điều 2 khoản 1, Hiến pháp năm 2013",
            "Nhà nước do Nhân dân làm chủ; tất cả quyền lực nhà nước thuộc về Nhân dân.",
        ),
    )
    _style(ws, headers)
    info = wb.create_sheet(INFO_SHEET)
    for row in (
        ["Mã ngân hàng", "hien-phap-2013"],
        ["Tên ngân hàng", "Tìm hiểu Hiến pháp năm 2013"],
        ["Ngôn ngữ", "vi"],
        ["Phiên bản", "1"],
        ["Nguồn", "Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam năm 2013"],
        ["Chủ đề", "Chế độ chính trị", "Quyền con người"],
    ):
        _put_row(info, row)
    info.column_dimensions["A"].width = 20
    info.column_dimensions["B"].width = 60
    guide = wb.create_sheet(GUIDE_SHEET)
    for line in _GUIDE:
        guide.append([line])
    guide["A1"].font = Font(bold=True)
    guide.column_dimensions["A"].width = 120
    for (cell,) in guide.iter_rows(min_row=2):
        cell.alignment = Alignment(wrap_text=True)
    return _workbook_bytes(wb)
