"""The Kahoot! spreadsheet template as Kahoot ships it (headers on a row near the top)."""
from __future__ import annotations

from ..schema import ImportResult, OptionData, Problem, QuestionData, finish
from .common import MAX_QUESTIONS, fail, get, header_key, image_link_warning, is_blank, parse_int, parse_numbers

SCAN_ROWS = 30


def find_header(rows: list[list[str]]) -> tuple[int, dict] | None:
    """The header row (index) and its columns, matched by prefix not by exact text
    because Kahoot rewords the long headers between template versions."""
    for idx, row in enumerate(rows[:SCAN_ROWS]):
        cols: dict = {"answers": {}}
        for c, value in enumerate(row):
            key = header_key(value)
            if key.startswith("question") and "text" not in cols:
                cols["text"] = c
            elif key.startswith("answer ") and key[7:8].isdigit():
                cols["answers"].setdefault(int(key[7:8]), c)
            elif key.startswith("time limit"):
                cols["time"] = c
            elif key.startswith("correct answer"):
                cols["correct"] = c
            elif key.startswith("image") or key in ("media", "media link", "picture"):
                cols.setdefault("image", c)
        if "text" in cols and 1 in cols["answers"] and "correct" in cols:
            return idx, cols
    return None


def read_rows(rows: list[list[str]], file: str) -> ImportResult:
    found = find_header(rows)
    if found is None:
        fail(file, "không tìm thấy dòng tiêu đề Kahoot (Question, Answer 1…, Correct answer(s))")
    header_idx, cols = found
    numbers = sorted(cols["answers"])
    problems: list[Problem] = []
    warnings: list[Problem] = []
    items: list[tuple[int, QuestionData]] = []
    for idx in range(header_idx + 1, len(rows)):
        row, line = rows[idx], idx + 1
        text = get(row, cols["text"]).strip()
        answers = {n: get(row, cols["answers"][n]).strip() for n in numbers}
        correct_raw = get(row, cols["correct"]).strip()
        if not text and not any(answers.values()) and not correct_raw:
            continue  # Kahoot's template has numbered but empty rows
        if is_blank(row):
            continue
        picked = parse_numbers(correct_raw) if correct_raw else []
        filled = [n for n in numbers if answers[n]]
        if not correct_raw:
            problems.append(Problem(file, line, "đáp án đúng", "chưa có đáp án đúng — ghi số thứ tự đáp án, ví dụ '2' hoặc '1,3'"))
        elif picked is None:
            problems.append(Problem(file, line, "đáp án đúng", f"'{correct_raw}' không hợp lệ — ghi số thứ tự đáp án, ví dụ '2' hoặc '1,3'"))
        else:
            for n in picked:
                if n not in answers or not answers[n]:
                    problems.append(Problem(file, line, "đáp án đúng",
                                            f"đáp án {n} không có nội dung (có: {', '.join(map(str, filled)) or 'không có'})"))
        time_limit = None
        time_raw = get(row, cols.get("time")).strip()
        if time_raw:
            time_limit = parse_int(time_raw)
            if time_limit is None or time_limit < 1:
                problems.append(Problem(file, line, "thời gian", f"'{time_raw}' không phải số giây"))
        chosen = set(picked or [])
        options = [OptionData(answers[n], n in chosen) for n in filled]
        kind = "multiple" if len(chosen) > 1 else "single"
        link = get(row, cols.get("image")).strip()
        if link:
            warnings.append(image_link_warning(file, line, link))
        items.append((line, QuestionData(text=text, kind=kind, options=options, time_limit_s=time_limit)))
        if len(items) > MAX_QUESTIONS:
            fail(file, f"tệp có hơn {MAX_QUESTIONS} câu hỏi — hãy chia thành nhiều tệp", line)
    return finish(file, "kahoot", items, problems, warnings=warnings)
