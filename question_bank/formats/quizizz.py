"""Quizizz (now Wayground) spreadsheet: headers in row 1, options numbered 1..5."""
from __future__ import annotations

from ..schema import ImportResult, OptionData, Problem, QuestionData, finish
from .common import MAX_QUESTIONS, fail, get, header_key, image_link_warning, is_blank, parse_int, parse_numbers

_SUPPORTED = {"multiple choice": "single", "checkbox": "multiple"}


def map_headers(row: list[str]) -> dict:
    cols: dict = {"options": {}}
    for c, value in enumerate(row):
        key = header_key(value)
        if key == "question text":
            cols["text"] = c
        elif key == "question type":
            cols["type"] = c
        elif key.startswith("option ") and key[7:].isdigit():
            cols["options"].setdefault(int(key[7:]), c)
        elif key.startswith("correct answer"):
            cols["correct"] = c
        elif key.startswith("time in seconds") or key.startswith("time"):
            cols.setdefault("time", c)
        elif key.startswith("answer explanation"):
            cols["explanation"] = c
        elif key.startswith("image"):
            cols.setdefault("image", c)
    return cols


def looks_like_quizizz(row: list[str]) -> bool:
    cols = map_headers(row)
    return "text" in cols and "correct" in cols and bool(cols["options"])


def read_rows(rows: list[list[str]], file: str) -> ImportResult:
    if not rows or not looks_like_quizizz(rows[0]):
        fail(file, "dòng 1 không phải tiêu đề Quizizz (Question Text, Question Type, Option 1…, Correct Answer)", 1)
    cols = map_headers(rows[0])
    numbers = sorted(cols["options"])
    problems: list[Problem] = []
    skipped: list[Problem] = []
    warnings: list[Problem] = []
    items: list[tuple[int, QuestionData]] = []
    for idx, row in enumerate(rows[1:], start=2):
        if is_blank(row):
            continue
        text = get(row, cols["text"]).strip()
        qtype = get(row, cols.get("type")).strip()
        kind = _SUPPORTED.get(header_key(qtype) or "multiple choice")
        if kind is None:
            skipped.append(Problem(file, idx, None, f"loại câu hỏi Quizizz '{qtype}' không được hỗ trợ — bỏ qua"))
            continue
        answers = {n: get(row, cols["options"][n]).strip() for n in numbers}
        filled = [n for n in numbers if answers[n]]
        correct_raw = get(row, cols["correct"]).strip()
        picked = parse_numbers(correct_raw) if correct_raw else []
        if not correct_raw:
            problems.append(Problem(file, idx, "đáp án đúng", "chưa có đáp án đúng — ghi số thứ tự phương án, ví dụ '2' hoặc '1,3'"))
        elif picked is None:
            problems.append(Problem(file, idx, "đáp án đúng", f"'{correct_raw}' không hợp lệ — ghi số thứ tự phương án, ví dụ '2' hoặc '1,3'"))
        else:
            for n in picked:
                if not answers.get(n):
                    problems.append(Problem(file, idx, "đáp án đúng",
                                            f"phương án {n} không có nội dung (có: {', '.join(map(str, filled)) or 'không có'})"))
        time_limit = None
        time_raw = get(row, cols.get("time")).strip()
        if time_raw:
            time_limit = parse_int(time_raw)
            if time_limit is None or time_limit < 1:
                problems.append(Problem(file, idx, "thời gian", f"'{time_raw}' không phải số giây"))
        chosen = set(picked or [])
        if kind == "single" and len(chosen) > 1:
            kind = "multiple"  # several correct answers can only mean a checkbox question
        link = get(row, cols.get("image")).strip()
        if link:
            warnings.append(image_link_warning(file, idx, link))
        items.append((idx, QuestionData(
            text=text, kind=kind, options=[OptionData(answers[n], n in chosen) for n in filled],
            explanation=get(row, cols.get("explanation")).strip(), time_limit_s=time_limit)))
        if len(items) > MAX_QUESTIONS:
            fail(file, f"tệp có hơn {MAX_QUESTIONS} câu hỏi — hãy chia thành nhiều tệp", idx)
    return finish(file, "quizizz", items, problems, skipped, warnings=warnings)
