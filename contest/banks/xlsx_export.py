"""Writing banks as XLSX: any bank for organisers to edit, and the empty template with its
guide (read back by contest.banks.tabular)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from contest.banks.tabular import GUIDE_SHEET, INFO_SHEET, QUESTIONS_SHEET
from contest.banks.validate import LETTERS
from contest.domain.bank import Bank

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
    with_sets = any(q.question_set for q in bank.questions)
    headers = _headers(n_options) + (["Bộ câu hỏi"] if with_sets else [])
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
            ) + ([q.question_set] if with_sets else []),
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
