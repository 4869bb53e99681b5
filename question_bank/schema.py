"""Question schema, normalisation and validation.

Everything a reader produces and everything the web form saves goes through
`normalise_question` and `validate_question`, so the rules live in one place.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

KINDS = ("single", "multiple", "true_false")
TRUE_FALSE_OPTIONS = ("Đúng", "Sai")
LETTERS = "ABCDEF"
MAX_OPTIONS = len(LETTERS)
MAX_TEXT = 2000
# Bounds on the work one upload may cause (a 1 MB GIFT of "~%" once meant half a million options,
# one error each, and a 99 MB preview): a question with more options than this is refused
# without looking at them one by one, and at most MAX_PROBLEMS errors are listed.
MAX_OPTIONS_READ = 20
MAX_PROBLEMS = 200

# Vietnamese names of the fields, used in Problem.field so an organizer sees
# the column they know rather than an attribute name.
FIELD_LABELS = {
    "text": "câu hỏi",
    "kind": "loại",
    "options": "phương án",
    "correct": "đáp án đúng",
    "explanation": "giải thích",
    "topic": "chủ đề",
    "difficulty": "mức độ",
    "source": "nguồn",
    "points": "điểm",
    "time_limit_s": "thời gian",
    "image": "ảnh",
}
MAX_ALT = 300


@dataclass
class ImageData:
    """An image as a reader found it: the raw bytes, the name it had, its alt text.

    The bytes are not checked here (this package stays free of image libraries): the app
    decodes, checks and re-encodes them before anything is stored.
    """
    data: bytes
    filename: str
    alt: str = ""
    # Set by the app once stored: the image is then known by its content hash and `data` may be
    # empty (an edit keeping the picture it had).
    sha256: str = ""


@dataclass
class OptionData:
    text: str
    is_correct: bool
    image: ImageData | None = None


@dataclass
class QuestionData:
    text: str
    kind: str
    options: list[OptionData]
    explanation: str = ""
    topic: str = ""
    difficulty: int = 1
    source: str = ""
    points: int = 1
    time_limit_s: int | None = None
    image: ImageData | None = None


@dataclass
class Problem:
    file: str
    line: int | None
    field: str | None
    message: str
    # JSON files and in-memory lists number questions, not lines.
    line_label: str = "dòng"

    def __str__(self) -> str:
        parts = [p for p in (self.file,) if p]
        if self.line is not None:
            parts.append(f"{self.line_label} {self.line}")
        if self.field:
            parts.append(self.field)
        head = ", ".join(parts)
        return f"{head}: {self.message}" if head else self.message


class QuestionBankError(Exception):
    """The only exception the readers and writers raise."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem("", None, None, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = _bounded(list(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


def _bounded(problems: list[Problem]) -> list[Problem]:
    """The first MAX_PROBLEMS, and one line saying how many more: a file with an error on each of
    its 20,000 questions must not become a 20,000-row page (nor its string a 50 MB message)."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    extra = len(problems) - MAX_PROBLEMS
    return problems[:MAX_PROBLEMS] + [Problem(
        problems[0].file, None, None,
        f"… và {extra} lỗi khác (chỉ liệt kê {MAX_PROBLEMS} lỗi đầu) — hãy sửa các lỗi trên rồi tải lên lại")]


def too_many_options(count: int) -> str | None:
    """The message for a question with more options than any reader should look at, else None."""
    if count <= MAX_OPTIONS_READ:
        return None
    return (f"có {count} phương án, quá nhiều để đọc (một câu có tối đa {MAX_OPTIONS} phương án, A–F) "
            f"— hãy kiểm tra lại câu này")


@dataclass
class ImportResult:
    questions: list[QuestionData]
    format: str
    skipped: list[Problem] = field(default_factory=list)
    duplicates: list[Problem] = field(default_factory=list)
    # Only the JSON format carries a set name; empty otherwise.
    set_name: str = ""
    # Per question, the line (or question number) it came from, for messages about it later.
    lines: list[int | None] = field(default_factory=list)
    # What was read but not kept, without blocking the import (an audio file, an image link that
    # cannot be fetched on an intranet, a default alt text): listed in the preview, never silent.
    warnings: list[Problem] = field(default_factory=list)


# --- text -----------------------------------------------------------------

# C0/C1 controls other than newline and tab: they break XLSX writing and are
# never meant to be part of a question.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\ufeff\ufffe\uffff]")
_SPACES = re.compile(r"[^\S\n]+")
_TRAILING_PUNCT = re.compile(r"[\s.?!:;,…。？！]+$")


def normalise_text(s: str) -> str:
    """NFC, controls removed, whitespace runs collapsed, stripped.

    Single line breaks are kept (Moodle/GIFT questions may have several lines);
    runs of blank lines collapse to one.
    """
    if not isinstance(s, str):
        s = "" if s is None else str(s)
    s = unicodedata.normalize("NFC", s)
    s = s.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    s = _CONTROL.sub("", s)
    lines = [_SPACES.sub(" ", line).strip() for line in s.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def duplicate_key(s: str) -> str:
    """What "the same question" means: case, spacing and end punctuation ignored."""
    s = normalise_text(s)
    s = " ".join(s.split()).casefold()
    s = _TRAILING_PUNCT.sub("", s)
    # casefold can decompose some characters; compare in one normal form.
    return unicodedata.normalize("NFC", s)


def strip_diacritics(s: str) -> str:
    """Lower-case ASCII-ish form for search: "Chuyển đổi số" -> "chuyen doi so"."""
    if not isinstance(s, str):
        s = "" if s is None else str(s)
    s = s.replace("đ", "d").replace("Đ", "D")
    s = unicodedata.normalize("NFD", s)
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", s).lower()


def _normalise_image(image: ImageData | None) -> ImageData | None:
    if image is None:
        return None
    return replace(image, alt=" ".join(normalise_text(image.alt).split()))


def normalise_question(q: QuestionData) -> QuestionData:
    options = [OptionData(normalise_text(o.text), bool(o.is_correct), _normalise_image(o.image))
               for o in q.options]
    if q.kind == "true_false" and len(options) == 2:
        # Readers may have seen "đúng"/"TRUE"; store the canonical labels.
        keys = [strip_diacritics(o.text) for o in options]
        if keys == ["dung", "sai"]:
            options = [OptionData(t, o.is_correct, o.image) for t, o in zip(TRUE_FALSE_OPTIONS, options)]
    return replace(
        q,
        text=normalise_text(q.text),
        kind=normalise_text(q.kind),
        options=options,
        explanation=normalise_text(q.explanation),
        topic=normalise_text(q.topic),
        source=normalise_text(q.source),
        image=_normalise_image(q.image),
    )


# --- validation -------------------------------------------------------------

def _is_int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def validate_question(q: QuestionData) -> list[tuple[str | None, str]]:
    """Every rule a stored question obeys, as (field, Vietnamese message) pairs.

    Fields are attribute names ("text", "kind", "options", "correct",
    "difficulty", "points", "time_limit_s"); FIELD_LABELS gives their
    Vietnamese names.
    """
    errors: list[tuple[str | None, str]] = []
    text = q.text if isinstance(q.text, str) else ""
    if not text.strip():
        errors.append(("text", "câu hỏi trống — hãy nhập nội dung câu hỏi"))
    elif len(text) > MAX_TEXT:
        errors.append(("text", f"câu hỏi dài {len(text)} ký tự, tối đa {MAX_TEXT} — hãy rút gọn"))

    if q.kind not in KINDS:
        errors.append(("kind", f"loại '{q.kind}' không hợp lệ — dùng 'một đáp án', 'nhiều đáp án' hoặc 'đúng/sai'"))

    options = q.options if isinstance(q.options, list) else []
    n = len(options)
    if n < 2:
        errors.append(("options", f"cần ít nhất 2 phương án (hiện có {n})"))
    elif n > MAX_OPTIONS:
        errors.append(("options", f"tối đa {MAX_OPTIONS} phương án (A–F), hiện có {n} — hãy bỏ bớt"))

    seen: dict[str, int] = {}
    for i, o in enumerate(options):
        letter = LETTERS[i] if i < MAX_OPTIONS else str(i + 1)
        otext = o.text if isinstance(o.text, str) else ""
        if not otext.strip() and o.image is not None:
            continue  # a picture option: its alt text names it
        if not otext.strip():
            errors.append(("options", f"phương án {letter} trống — hãy nhập nội dung hoặc bỏ phương án này"))
            continue
        key = duplicate_key(otext)
        if key in seen:
            first = LETTERS[seen[key]] if seen[key] < MAX_OPTIONS else str(seen[key] + 1)
            errors.append(("options", f"phương án {letter} trùng với phương án {first} ('{otext}') — mỗi phương án phải khác nhau"))
        else:
            seen[key] = i

    n_correct = sum(1 for o in options if o.is_correct)
    if q.kind == "true_false":
        if [o.text for o in options] != list(TRUE_FALSE_OPTIONS):
            errors.append(("options", "câu đúng/sai phải có đúng hai phương án 'Đúng' và 'Sai' (theo thứ tự đó)"))
    if q.kind in ("single", "true_false") and n >= 2:
        label = "câu hỏi một đáp án" if q.kind == "single" else "câu đúng/sai"
        if n_correct == 0:
            errors.append(("correct", f"{label} chưa có đáp án đúng — hãy chọn một phương án đúng"))
        elif n_correct > 1:
            errors.append(("correct", f"{label} nhưng có {n_correct} đáp án đúng — chỉ chọn một, hoặc đổi loại thành 'nhiều đáp án'"))
    if q.kind == "multiple" and n >= 2 and n_correct == 0:
        errors.append(("correct", "câu nhiều đáp án chưa có đáp án đúng — hãy chọn ít nhất một phương án đúng"))

    if not _is_int(q.difficulty) or not 1 <= q.difficulty <= 3:
        errors.append(("difficulty", f"mức độ phải là 1, 2 hoặc 3 (hiện là '{q.difficulty}')"))
    if not _is_int(q.points) or q.points < 1:
        errors.append(("points", f"điểm phải là số nguyên từ 1 trở lên (hiện là '{q.points}')"))
    if q.time_limit_s is not None and (not _is_int(q.time_limit_s) or q.time_limit_s < 1):
        errors.append(("time_limit_s", f"thời gian phải là số giây dương (hiện là '{q.time_limit_s}')"))
    errors.extend(_image_errors(q.image, "ảnh câu hỏi"))
    for i, o in enumerate(options):
        letter = LETTERS[i] if i < MAX_OPTIONS else str(i + 1)
        errors.extend(_image_errors(o.image, f"ảnh phương án {letter}"))
    for name in ("explanation", "topic", "source"):
        if not isinstance(getattr(q, name), str):
            errors.append((name, f"{FIELD_LABELS[name]} phải là văn bản"))
    return errors


def _image_errors(image: ImageData | None, what: str) -> list[tuple[str | None, str]]:
    if image is None:
        return []
    if not isinstance(image.data, (bytes, bytearray)) or not (image.data or image.sha256):
        return [("image", f"{what} trống hoặc không đọc được")]
    alt = image.alt if isinstance(image.alt, str) else ""
    if not alt.strip():
        return [("image", f"{what} chưa có mô tả (alt) — mô tả được đọc cho người khiếm thị và hiện khi ảnh "
                          "không tải được; hãy nhập mô tả")]
    if len(alt) > MAX_ALT:
        return [("image", f"mô tả {what} dài {len(alt)} ký tự, tối đa {MAX_ALT}")]
    return []


def find_duplicates(questions, existing_keys=frozenset(), file: str = "",
                    lines: list[int | None] | None = None) -> list[Problem]:
    """Questions whose duplicate_key repeats within the list or is already in the set.

    `lines` (optional, parallel to `questions`) gives file line numbers;
    without it questions are numbered from 1 ("câu 3").
    """
    label = "dòng" if lines is not None else "câu"
    where = lines if lines is not None else list(range(1, len(questions) + 1))
    seen: dict[str, int | None] = {}
    problems: list[Problem] = []
    for q, line in zip(questions, where):
        key = duplicate_key(q.text)
        if key in seen:
            first = seen[key]
            ref = f"{label} {first}" if first is not None else "một câu trước đó"
            problems.append(Problem(file, line, FIELD_LABELS["text"],
                                    f"trùng với câu hỏi ở {ref}", line_label=label))
        elif key in existing_keys:
            problems.append(Problem(file, line, FIELD_LABELS["text"],
                                    "câu hỏi này đã có trong bộ câu hỏi", line_label=label))
            seen[key] = line
        else:
            seen[key] = line
    return problems


def finish(file: str, fmt: str, items: list[tuple[int | None, QuestionData]],
           problems: list[Problem], skipped: list[Problem] | None = None,
           line_label: str = "dòng", set_name: str = "", warnings: list[Problem] | None = None) -> ImportResult:
    """Normalise and validate what a reader parsed; raise once with every problem."""
    problems = list(problems)
    questions: list[QuestionData] = []
    lines: list[int | None] = []
    # A reader may hand over a question it already complained about, so the
    # other fields of that row still get checked; a field is reported once.
    reported = {(p.line, p.field) for p in problems}
    for line, q in items:
        crowded = too_many_options(len(q.options)) if isinstance(q.options, list) else None
        if crowded:  # refused whole: checking each of thousands of options is the attack
            problems.append(Problem(file, line, FIELD_LABELS["options"], crowded, line_label))
            continue
        q = normalise_question(q)
        for fld, msg in validate_question(q):
            label = FIELD_LABELS.get(fld, fld)
            if (line, label) not in reported:
                problems.append(Problem(file, line, label, msg, line_label))
        questions.append(q)
        lines.append(line)
    if not problems and not questions:
        msg = "tệp không có câu hỏi nào"
        if skipped:
            msg += f" được hỗ trợ ({len(skipped)} câu bị bỏ qua vì loại không hỗ trợ)"
        problems.append(Problem(file, None, None, msg + " — hãy kiểm tra lại nội dung tệp"))
    if problems:
        problems.sort(key=lambda p: (p.line is not None, p.line or 0))
        raise QuestionBankError(problems)
    dups = find_duplicates(questions, file=file, lines=lines)
    if line_label != "dòng":
        for d in dups:
            d.line_label = line_label
            d.message = d.message.replace("ở dòng", f"ở {line_label}")
    return ImportResult(questions, fmt, list(skipped or []), dups, set_name, lines, list(warnings or []))
