"""CSV and XLSX banks in the organisers' layout: one row per question, Vietnamese headers."""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import openpyxl
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
    "bo cau hoi": "set",
    "bo de": "set",
    "set": "set",
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
        question_set=get("set"),
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
