"""Plain-words texts of bank problems, in Vietnamese and English, keyed by problem code."""

from __future__ import annotations

from contest.banks.problems import Problem

VI: dict[str, str] = {
    # files and encodings
    "file_too_large": "Tệp quá lớn ({size} byte); giới hạn là {limit} byte",
    "file_unreadable": "Không đọc được tệp: {detail}",
    "unknown_extension": "Không nhận ra định dạng tệp '{name}' (hỗ trợ: .yaml, .csv, .xlsx, "
    ".gift, .txt, .aiken)",
    "empty_file": "Tệp rỗng",
    "binary_file": "Tệp không phải văn bản (có byte NUL hoặc dữ liệu nhị phân)",
    "undecodable": "Không nhận ra bảng mã của tệp (hỗ trợ UTF-8, UTF-16 có BOM, Windows-1258)",
    "xlsx_not_zip": "Tệp .xlsx không hợp lệ (không phải tệp Excel/zip)",
    "xlsx_too_big": "Tệp .xlsx giải nén ra {size} byte, vượt giới hạn {limit} byte",
    "xlsx_bomb": "Tệp .xlsx có tỉ lệ nén bất thường ({ratio}:1), nghi là tệp độc hại",
    "xlsx_unreadable": "Không đọc được tệp .xlsx: {detail}",
    # native YAML
    "yaml_syntax": "Lỗi cú pháp YAML: {detail}",
    "yaml_alias": "Không cho phép dùng anchor/alias (&, *) trong tệp ngân hàng",
    "duplicate_key": "Khóa '{key}' bị lặp",
    "wrong_type": "Trường '{field}' phải là {expected}",
    "missing_field": "Thiếu trường bắt buộc '{field}'",
    "unknown_field": "Trường '{field}' không được hỗ trợ và bị bỏ qua",
    "bad_format": "Định dạng '{format}' không được hỗ trợ (cần 'contest-bank/1')",
    "bad_bank_code": "Mã ngân hàng '{code}' không hợp lệ (chỉ gồm chữ thường, số và dấu "
    "gạch ngang)",
    "missing_title": "Thiếu tên ngân hàng",
    "duplicate_topic": "Chủ đề '{topic}' được khai báo hai lần",
    "no_questions": "Ngân hàng không có câu hỏi nào",
    # questions
    "missing_id": "Câu hỏi thiếu mã",
    "duplicate_id": "Mã câu hỏi '{id}' bị trùng (đã dùng ở dòng {first})",
    "empty_text": "Nội dung câu hỏi bị trống",
    "unknown_kind": "Loại câu hỏi '{kind}' không hợp lệ (một đáp án, nhiều đáp án, đúng sai)",
    "missing_topic": "Thiếu chủ đề",
    "unknown_topic": "Chủ đề '{topic}' không nằm trong danh sách chủ đề đã khai báo",
    "missing_difficulty": "Thiếu mức độ",
    "unknown_difficulty": "Mức độ '{difficulty}' không hợp lệ (Dễ, Trung bình, Khó)",
    "too_few_options": "Câu hỏi cần ít nhất 2 phương án (có {count})",
    "too_many_options": "Câu hỏi có {count} phương án, tối đa là {max}",
    "empty_option": "Phương án {letter} bị trống",
    "duplicate_option": "Phương án {letter} trùng với phương án {first}",
    "near_duplicate_option": "Phương án {letter} gần giống phương án {first}",
    "missing_answer": "Thiếu đáp án đúng",
    "bad_answer": "Đáp án '{answer}' không hợp lệ (cần chữ cái của phương án, ví dụ B hoặc A,C)",
    "answer_without_option": "Đáp án {letter} không có phương án tương ứng (chỉ có {count} "
    "phương án)",
    "single_many_correct": "Câu hỏi một đáp án nhưng có {count} đáp án đúng",
    "tf_with_options": "Câu hỏi đúng/sai không được có phương án riêng",
    "tf_bad_answer": "Câu hỏi đúng/sai cần đáp án Đúng hoặc Sai (đang là '{answer}')",
    "duplicate_question": "Câu hỏi trùng hoàn toàn với câu ở dòng {first}",
    "near_duplicate_question": "Câu hỏi gần giống câu ở dòng {first}",
    # tabular
    "missing_header": "Thiếu cột bắt buộc '{header}' ở dòng tiêu đề",
    "duplicate_header": "Cột '{header}' xuất hiện hai lần",
    "unknown_header": "Cột '{header}' không được hỗ trợ và bị bỏ qua",
    "option_gap": "Phương án {letter} bị trống trong khi có phương án sau nó",
    # GIFT
    "gift_unsupported": "Loại câu hỏi GIFT '{type}' không được hỗ trợ",
    "gift_unclosed": "Thiếu dấu '}}' đóng phần đáp án",
    "gift_no_answers": "Câu hỏi không có phần đáp án {{...}} (câu mô tả không được hỗ trợ)",
    "gift_bad_weight": "Trọng số '{weight}' không hợp lệ",
    "gift_text_after_answers": "Có nội dung sau phần đáp án; đã ghép vào câu hỏi dạng điền "
    "khuyết (_____)",
    "gift_feedback_ignored": "Phản hồi riêng cho từng phương án không được hỗ trợ và bị bỏ qua",
    "gift_no_correct": "Không có phương án nào đúng",
    # Aiken
    "aiken_too_few_answers": "Câu hỏi cần ít nhất 2 phương án",
    "aiken_not_started": "Chưa bắt đầu câu hỏi (thiếu dòng nội dung câu hỏi)",
    "aiken_not_completed": "Câu hỏi trước chưa kết thúc (thiếu dòng ANSWER:) khi bắt đầu câu "
    "hỏi mới",
    "aiken_unfinished": "Câu hỏi cuối tệp chưa có dòng ANSWER:",
    "aiken_bad_answer": "Đáp án '{answer}' không khớp phương án nào",
}

EN: dict[str, str] = {
    "file_too_large": "File too large ({size} bytes); the limit is {limit} bytes",
    "file_unreadable": "Cannot read the file: {detail}",
    "unknown_extension": "Unknown file format '{name}' (supported: .yaml, .csv, .xlsx, .gift, "
    ".txt, .aiken)",
    "empty_file": "The file is empty",
    "binary_file": "Not a text file (NUL bytes or binary data)",
    "undecodable": "Unknown text encoding (supported: UTF-8, UTF-16 with BOM, Windows-1258)",
    "xlsx_not_zip": "Invalid .xlsx file (not an Excel/zip file)",
    "xlsx_too_big": "The .xlsx unpacks to {size} bytes, over the {limit} byte limit",
    "xlsx_bomb": "The .xlsx has an absurd compression ratio ({ratio}:1); refused as a zip bomb",
    "xlsx_unreadable": "Cannot read the .xlsx file: {detail}",
    "yaml_syntax": "YAML syntax error: {detail}",
    "yaml_alias": "Anchors and aliases (&, *) are not allowed in a bank file",
    "duplicate_key": "Key '{key}' appears twice",
    "wrong_type": "Field '{field}' must be {expected}",
    "missing_field": "Missing required field '{field}'",
    "unknown_field": "Field '{field}' is not supported and was ignored",
    "bad_format": "Format '{format}' is not supported (expected 'contest-bank/1')",
    "bad_bank_code": "Bank code '{code}' is invalid (lowercase letters, digits and hyphens only)",
    "missing_title": "The bank has no title",
    "duplicate_topic": "Topic '{topic}' is declared twice",
    "no_questions": "The bank has no questions",
    "missing_id": "The question has no id",
    "duplicate_id": "Question id '{id}' is already used on line {first}",
    "empty_text": "The question text is empty",
    "unknown_kind": "Unknown question kind '{kind}' (single, multiple, true_false)",
    "missing_topic": "Missing topic",
    "unknown_topic": "Topic '{topic}' is not one of the declared topics",
    "missing_difficulty": "Missing difficulty",
    "unknown_difficulty": "Unknown difficulty '{difficulty}' (easy, medium, hard)",
    "too_few_options": "A question needs at least 2 options (it has {count})",
    "too_many_options": "The question has {count} options; the maximum is {max}",
    "empty_option": "Option {letter} is empty",
    "duplicate_option": "Option {letter} is the same as option {first}",
    "near_duplicate_option": "Option {letter} is nearly the same as option {first}",
    "missing_answer": "Missing correct answer",
    "bad_answer": "Answer '{answer}' is invalid (expected option letters, e.g. B or A,C)",
    "answer_without_option": "Answer {letter} has no option (there are only {count} options)",
    "single_many_correct": "A single-answer question has {count} correct answers",
    "tf_with_options": "A true/false question cannot have its own options",
    "tf_bad_answer": "A true/false question needs the answer true or false (got '{answer}')",
    "duplicate_question": "The question duplicates the one on line {first}",
    "near_duplicate_question": "The question nearly duplicates the one on line {first}",
    "missing_header": "Required column '{header}' is missing from the header row",
    "duplicate_header": "Column '{header}' appears twice",
    "unknown_header": "Column '{header}' is not supported and was ignored",
    "option_gap": "Option {letter} is empty but a later option is filled in",
    "gift_unsupported": "Unsupported GIFT question type '{type}'",
    "gift_unclosed": "Missing '}}' closing the answers",
    "gift_no_answers": "The question has no {{...}} answers (description items are not supported)",
    "gift_bad_weight": "Invalid weight '{weight}'",
    "gift_text_after_answers": "Text after the answers; joined as a missing-word question (_____)",
    "gift_feedback_ignored": "Per-option feedback is not supported and was ignored",
    "gift_no_correct": "No option is correct",
    "aiken_too_few_answers": "Question must have at least 2 answers",
    "aiken_not_started": "Question not started",
    "aiken_not_completed": "Question not completed before next question start",
    "aiken_unfinished": "Question not completed at the end of the file (no ANSWER: line)",
    "aiken_bad_answer": "Answer '{answer}' matches no option",
}

_WHERE = {
    "vi": {
        "line": "dòng",
        "sheet": "trang tính",
        "row": "dòng",
        "column": "cột",
        "error": "lỗi",
        "warning": "cảnh báo",
    },
    "en": {
        "line": "line",
        "sheet": "sheet",
        "row": "row",
        "column": "column",
        "error": "error",
        "warning": "warning",
    },
}


def catalogue(locale: str) -> dict[str, str]:
    """The message texts of a locale (Vietnamese unless locale starts with "en")."""
    return EN if locale.lower().startswith("en") else VI


def message(problem: Problem, locale: str = "vi") -> str:
    """The plain-words text of a problem, without its location."""
    text = catalogue(locale).get(problem.code) or VI.get(problem.code) or problem.code
    try:
        return text.format(**problem.params)
    except (KeyError, IndexError, ValueError):
        return text


def where(problem: Problem, locale: str = "vi") -> str:
    """The location of a problem: "file:line" or "file, sheet 'S', row R, column C"."""
    w = _WHERE["en" if locale.lower().startswith("en") else "vi"]
    if problem.sheet is None and problem.row is None:
        return f"{problem.file}:{problem.line}" if problem.line is not None else problem.file
    parts = [problem.file]
    if problem.sheet is not None:
        parts.append(f"{w['sheet']} '{problem.sheet}'")
    if problem.row is not None:
        parts.append(f"{w['row']} {problem.row}")
    if problem.column is not None:
        parts.append(f"{w['column']} {problem.column}")
    return ", ".join(parts)


def render(problem: Problem, locale: str = "vi") -> str:
    """One line for a person: location, severity and what is wrong, in the locale's language."""
    w = _WHERE["en" if locale.lower().startswith("en") else "vi"]
    return f"{where(problem, locale)}: {w[problem.severity]}: {message(problem, locale)}"
