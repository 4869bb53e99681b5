"""The project's own spreadsheet template (XLSX and CSV): one row a question."""
from __future__ import annotations

import csv
import io
import re

from ..schema import (FIELD_LABELS, LETTERS, ImageData, ImportResult, OptionData, Problem, QuestionData,
                      finish, strip_diacritics)
from .bundle import image_key
from .common import (MAX_QUESTIONS, csv_rows, fail, get, guard, header_key, is_blank,
                     parse_int, unguard, workbook_sheets)

HEADERS = (["câu hỏi", "loại"] + [f"phương án {c}" for c in LETTERS]
           + ["đáp án đúng", "giải thích", "chủ đề", "mức độ", "nguồn", "điểm"])
TIME_HEADER = "thời gian (giây)"
IMAGE_HEADERS = ["ảnh", "mô tả ảnh"]
# An option's picture: a file of the ZIP, as for the question's (a picture-only option leaves its text empty).
OPTION_IMAGE_HEADERS = [h for c in LETTERS for h in (f"ảnh phương án {c}", f"mô tả ảnh phương án {c}")]

KIND_WORDS = {"single": "một đáp án", "multiple": "nhiều đáp án", "true_false": "đúng/sai"}

# header_key(...) -> column meaning; Vietnamese without diacritics plus English.
_ALIASES = {
    "text": ["cau hoi", "noi dung", "noi dung cau hoi", "question", "question text", "text"],
    "kind": ["loai", "loai cau hoi", "kieu", "type", "kind", "question type"],
    "correct": ["dap an dung", "dap an", "correct", "correct answer", "correct answers", "answer"],
    "explanation": ["giai thich", "explanation", "giai dap"],
    "topic": ["chu de", "topic", "category"],
    "difficulty": ["muc do", "do kho", "difficulty", "level"],
    "source": ["nguon", "source", "can cu"],
    "points": ["diem", "so diem", "points", "point", "score"],
    "time_limit_s": ["thoi gian", "time", "time limit", "time_limit_s"],
    "image": ["anh", "hinh anh", "anh cau hoi", "tep anh", "image", "picture"],
    "image_alt": ["mo ta anh", "mo ta hinh", "alt", "image alt", "image description"],
}
for _i, _c in enumerate(LETTERS):
    _ALIASES[f"opt{_i}"] = [f"phuong an {_c.lower()}", f"option {_c.lower()}", f"dap an {_c.lower()}",
                            f"lua chon {_c.lower()}", f"answer {_c.lower()}", _c.lower()]
    _ALIASES[f"opt_image{_i}"] = [f"anh phuong an {_c.lower()}", f"anh {_c.lower()}", f"image {_c.lower()}",
                                  f"option {_c.lower()} image"]
    _ALIASES[f"opt_image_alt{_i}"] = [f"mo ta anh phuong an {_c.lower()}", f"mo ta anh {_c.lower()}",
                                      f"image {_c.lower()} alt", f"option {_c.lower()} image alt"]
ALIAS_TO_FIELD = {alias: fld for fld, aliases in _ALIASES.items() for alias in aliases}

_KIND_INPUT = {
    "mot dap an": "single", "single": "single", "mot": "single", "1 dap an": "single",
    "chon mot": "single", "single choice": "single",
    "nhieu dap an": "multiple", "multiple": "multiple", "nhieu": "multiple",
    "chon nhieu": "multiple", "multiple choice": "multiple",
    "dung/sai": "true_false", "dung sai": "true_false", "true_false": "true_false",
    "true/false": "true_false", "truefalse": "true_false", "d/s": "true_false",
}
_DIFFICULTY_WORDS = {"de": 1, "trung binh": 2, "kho": 3, "easy": 1, "medium": 2, "hard": 3}
_TF_ANSWERS = {"dung": 0, "a": 0, "true": 0, "t": 0, "d": 0, "sai": 1, "b": 1, "false": 1, "f": 1, "s": 1}


def map_headers(row: list[str]) -> dict[str, int]:
    cols: dict[str, int] = {}
    for idx, value in enumerate(row):
        fld = ALIAS_TO_FIELD.get(header_key(value))
        if fld and fld not in cols:
            cols[fld] = idx
    return cols


def looks_like_template(row: list[str]) -> bool:
    cols = map_headers(row)
    return "text" in cols and ("correct" in cols or "opt0" in cols)


def parse_kind(value: str) -> str | None:
    key = " ".join(re.sub(r"[^a-z0-9/_ ]", " ", strip_diacritics(value)).split())
    return _KIND_INPUT.get(key)


def read_rows(rows: list[list[str]], file: str, fmt: str,
              images: dict[str, tuple[str, bytes]] | None = None) -> ImportResult:
    """Rows of the template; `images` ({image_key: (name, bytes)}) when it came in a ZIP with them."""
    if not rows or is_blank(rows[0]):
        fail(file, "dòng 1 phải là tiêu đề cột (câu hỏi, loại, phương án A…F, đáp án đúng, …) — hãy dùng tệp mẫu", 1)
    cols = map_headers(rows[0])
    missing = [label for fld, label in (("text", "câu hỏi"), ("opt0", "phương án A"),
                                        ("opt1", "phương án B"), ("correct", "đáp án đúng"))
               if fld not in cols]
    if missing:
        fail(file, "thiếu cột " + ", ".join(f"'{m}'" for m in missing)
             + " ở dòng tiêu đề — hãy dùng tiêu đề như tệp mẫu", 1)
    problems: list[Problem] = []
    items: list[tuple[int, QuestionData]] = []
    for idx, row in enumerate(rows[1:], start=2):
        if is_blank(row):
            continue
        if len(items) >= MAX_QUESTIONS:
            fail(file, f"tệp có hơn {MAX_QUESTIONS} câu hỏi — hãy chia thành nhiều tệp", idx)
        q = _read_row(row, cols, idx, file, problems, is_csv=fmt == "csv")
        if q is not None:
            _read_images(q, row, cols, idx, file, problems, images, fmt == "csv")
            items.append((idx, q))
    return finish(file, fmt, items, problems)


def _read_row(row, cols, line, file, problems, is_csv: bool) -> QuestionData | None:
    def cell(fld: str) -> str:
        value = get(row, cols.get(fld)).strip()
        return unguard(value) if is_csv else value

    def problem(fld: str, msg: str):
        problems.append(Problem(file, line, FIELD_LABELS.get(fld, fld), msg))

    texts = [cell(f"opt{i}") for i in range(len(LETTERS))]
    pictured = [bool(cell(f"opt_image{i}")) for i in range(len(LETTERS))]  # a picture-only option counts
    last = max((i for i, t in enumerate(texts) if t or pictured[i]), default=-1)
    for i in range(last):
        if not texts[i] and not pictured[i]:
            problem("options", f"phương án {LETTERS[i]} trống nhưng phương án {LETTERS[last]} có nội dung — hãy điền liền từ A")
    texts = texts[: last + 1]

    correct_raw = cell("correct")
    kind_raw = cell("kind")
    if kind_raw:
        kind = parse_kind(kind_raw)
        if kind is None:
            problem("kind", f"'{kind_raw}' không phải loại câu hỏi — dùng 'một đáp án', 'nhiều đáp án' hoặc 'đúng/sai'")
    if kind_raw and kind is None:
        # Keep checking the rest of the row as the type the answers suggest.
        kind = "multiple" if len(_split_letters(correct_raw) or []) > 1 else "single"
    elif not kind_raw:
        # No type given: infer it from the answer column rather than refuse.
        key = strip_diacritics(correct_raw)
        if key in ("dung", "sai") and not texts:
            kind = "true_false"
        else:
            kind = "multiple" if len(_split_letters(correct_raw) or []) > 1 else "single"

    if kind == "true_false":
        if texts and [strip_diacritics(t) for t in texts] not in (["dung", "sai"], ["true", "false"]):
            problem("options", "câu đúng/sai chỉ có hai phương án 'Đúng' và 'Sai' — hãy để trống các cột phương án hoặc ghi Đúng, Sai")
        texts = ["Đúng", "Sai"]
        pick = _TF_ANSWERS.get(strip_diacritics(correct_raw).strip(" ."))
        if not correct_raw:
            problem("correct", "chưa có đáp án đúng — ghi 'Đúng' hoặc 'Sai'")
            correct: set[int] = set()
        elif pick is None:
            problem("correct", f"'{correct_raw}' không hợp lệ cho câu đúng/sai — ghi 'Đúng' hoặc 'Sai' (hoặc A/B)")
            correct = set()
        else:
            correct = {pick}
    else:
        correct = set()
        letters = _split_letters(correct_raw)
        if not correct_raw:
            problem("correct", "chưa có đáp án đúng — ghi chữ cái của phương án đúng, ví dụ 'B' hoặc 'A, C'")
        elif letters is None:
            problem("correct", f"'{correct_raw}' không hiểu được — ghi chữ cái phương án, ví dụ 'B' hoặc 'A, C'")
        else:
            span = f"A–{LETTERS[len(texts) - 1]}" if len(texts) > 1 else "A"
            for letter in letters:
                i = LETTERS.find(letter)
                if i < 0 or i >= len(texts):
                    problem("correct", f"'{letter}' không phải phương án nào (chỉ có {span})")
                else:
                    correct.add(i)

    difficulty = _parse_level(cell("difficulty"), "difficulty", _DIFFICULTY_WORDS, problem, default=1)
    points = _parse_level(cell("points"), "points", {}, problem, default=1)
    time_raw = cell("time_limit_s")
    time_limit = None
    if time_raw:
        time_limit = parse_int(time_raw)
        if time_limit is None or time_limit < 1:
            problem("time_limit_s", f"'{time_raw}' không phải số giây — hãy ghi số nguyên, ví dụ 30")
            time_limit = None
    return QuestionData(
        text=cell("text"), kind=kind,
        options=[OptionData(t, i in correct) for i, t in enumerate(texts)],
        explanation=cell("explanation"), topic=cell("topic"), difficulty=difficulty,
        source=cell("source"), points=points, time_limit_s=time_limit)


def _read_images(q: QuestionData, row, cols, line, file, problems, images, is_csv: bool) -> None:
    """The question's picture ("ảnh") and each option's ("ảnh phương án A"…), files of the ZIP."""
    if "image" in cols:
        q.image = _cell_image(row, cols, "image", "image_alt", "ảnh", line, file, problems, images, is_csv)
    for i, letter in enumerate(LETTERS):
        if f"opt_image{i}" not in cols:
            continue
        column = f"ảnh phương án {letter}"
        image = _cell_image(row, cols, f"opt_image{i}", f"opt_image_alt{i}", column, line, file, problems,
                            images, is_csv)
        if image is None:
            continue
        if i >= len(q.options):
            problems.append(Problem(file, line, "ảnh", f"cột '{column}' có ảnh nhưng câu hỏi không có phương án "
                                                       f"{letter} — hãy xoá ảnh hoặc thêm phương án"))
        else:
            q.options[i].image = image


def _cell_image(row, cols, name_field, alt_field, column, line, file, problems, images,
                is_csv: bool) -> ImageData | None:
    name = get(row, cols.get(name_field)).strip()
    alt = get(row, cols.get(alt_field)).strip()
    if is_csv:
        name, alt = unguard(name), unguard(alt)
    if not name:
        return None
    if images is None:
        problems.append(Problem(file, line, "ảnh", f"cột '{column}' ghi '{name}' nhưng không có tệp ảnh kèm theo — "
                                                   "hãy nén bảng tính cùng các ảnh vào một tệp ZIP rồi tải tệp ZIP lên"))
        return None
    found = images.get(image_key(name))
    if found is None:
        problems.append(Problem(file, line, "ảnh", f"không có ảnh '{name}' (cột '{column}') trong tệp ZIP — "
                                                   "hãy kiểm tra tên tệp ảnh"))
        return None
    return ImageData(data=found[1], filename=found[0], alt=alt)


def _split_letters(raw: str) -> list[str] | None:
    raw = raw.strip().upper()
    if not raw:
        return []
    parts = [p for p in re.split(r"[,;/\s&+]+|\bVÀ\b|\bVA\b|\bAND\b", raw) if p]
    letters: list[str] = []
    for p in parts:
        p = p.strip(".)")
        if re.fullmatch(r"[A-Z]+", p):
            letters.extend(p)  # "AC" means A and C
        else:
            return None
    return letters


def _parse_level(raw: str, fld: str, words: dict, problem, default: int) -> int:
    if not raw:
        return default
    n = parse_int(raw)
    if n is None:
        n = words.get(strip_diacritics(raw).strip())
    if n is None:
        what = "mức độ 1, 2 hoặc 3" if fld == "difficulty" else "một số nguyên từ 1 trở lên"
        problem(fld, f"'{raw}' không hợp lệ — hãy ghi {what}")
        return default
    return n


# --- reading entry points ----------------------------------------------------

def read_bundle(data: bytes, file: str) -> ImportResult:
    """A ZIP with the template sheet and its images (see formats/bundle.py)."""
    from .bundle import open_bundle
    from ..detect import detect

    sheet, sheet_name, images = open_bundle(data, file)
    label = f"{file}/{sheet_name}"
    fmt, rows = detect(sheet, sheet_name)
    if fmt not in ("xlsx", "csv"):
        fail(label, "bảng tính trong tệp ZIP phải theo tệp mẫu của hệ thống (có cột 'ảnh' cho tên tệp ảnh)")
    return read_rows(rows, label, fmt, images)


def read_xlsx(data: bytes, file: str) -> ImportResult:
    sheets = workbook_sheets(data, file)
    for _title, rows in sheets:
        if rows and looks_like_template(rows[0]):
            return read_rows(rows, file, "xlsx")
    return read_rows(sheets[0][1], file, "xlsx")


def read_csv(data: bytes, file: str) -> ImportResult:
    return read_rows(csv_rows(data, file), file, "csv")


# --- writing ---------------------------------------------------------------

def question_row(q: QuestionData, with_time: bool) -> list:
    opts = [o.text for o in q.options] if q.kind != "true_false" else []
    opts += [""] * (len(LETTERS) - len(opts))
    if q.kind == "true_false":
        correct = next((o.text for o in q.options if o.is_correct), "")
    else:
        correct = ", ".join(LETTERS[i] for i, o in enumerate(q.options) if o.is_correct)
    row = [q.text, KIND_WORDS.get(q.kind, q.kind), *opts, correct, q.explanation, q.topic,
           q.difficulty, q.source, q.points]
    if with_time:
        row.append(q.time_limit_s if q.time_limit_s is not None else "")
    return row


def headers_for(questions) -> tuple[list[str], bool]:
    """Set exports carry no image column: their images travel in JSON (the template shows the column)."""
    with_time = any(q.time_limit_s is not None for q in questions)
    return HEADERS + ([TIME_HEADER] if with_time else []), with_time


def write_csv(questions: list[QuestionData]) -> bytes:
    headers, with_time = headers_for(questions)
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(headers)
    for q in questions:
        writer.writerow([guard(v) if isinstance(v, str) else v for v in question_row(q, with_time)])
    # BOM so Excel opens the file as UTF-8 and shows Vietnamese correctly.
    return buf.getvalue().encode("utf-8-sig")
