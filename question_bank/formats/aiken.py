"""Aiken: question line, 'A.' / 'A)' options, 'ANSWER: X'. Single answer only."""
from __future__ import annotations

import re

from ..schema import (LETTERS, TRUE_FALSE_OPTIONS, ImportResult, OptionData, Problem, QuestionBankError,
                      QuestionData, finish, strip_diacritics)
from .common import MAX_QUESTIONS, fail

_OPTION = re.compile(r"^([A-Z])[.)]\s+(.*)$")
_ANSWER = re.compile(r"^ANSWER\s*:\s*(.*)$", re.IGNORECASE)


def looks_like_aiken(text: str) -> int:
    """How many ANSWER lines there are: the detector's evidence."""
    return sum(1 for line in text.splitlines() if _ANSWER.match(line.strip()))


def read(text: str, file: str) -> ImportResult:
    problems: list[Problem] = []
    items: list[tuple[int, QuestionData]] = []
    cur: dict | None = None

    def close_without_answer():
        problems.append(Problem(file, cur["line"], "đáp án đúng",
                                "câu hỏi thiếu dòng 'ANSWER: <chữ cái>' sau các phương án"))

    for no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            if cur is not None and cur["options"]:
                close_without_answer()
                cur = None
            continue
        m_ans = _ANSWER.match(line)
        m_opt = _OPTION.match(line)
        if cur is None:
            if m_ans or m_opt:
                problems.append(Problem(file, no, "câu hỏi",
                                        f"dòng '{line[:40]}' đứng trước nội dung câu hỏi — mỗi câu phải bắt đầu bằng dòng câu hỏi"))
                continue
            cur = {"line": no, "text": [line], "options": []}
            continue
        if m_ans:
            _close(cur, m_ans.group(1).strip(), no, file, problems, items)
            if len(items) > MAX_QUESTIONS:
                fail(file, f"tệp có hơn {MAX_QUESTIONS} câu hỏi — hãy chia thành nhiều tệp", no)
            cur = None
        elif m_opt:
            letter, body = m_opt.groups()
            expected = LETTERS[len(cur["options"])] if len(cur["options"]) < len(LETTERS) else None
            if letter != expected:
                problems.append(Problem(file, no, "phương án",
                                        f"phương án '{letter}' không đúng thứ tự (mong đợi '{expected or '—'}'; tối đa A–F)"))
                cur["bad"] = True
            cur["options"].append(body)
        elif not cur["options"]:
            cur["text"].append(line)  # question text spread over several lines
        else:
            problems.append(Problem(file, no, "phương án",
                                    f"dòng '{line[:40]}' không phải phương án ('A. …') hay 'ANSWER: …'"))
            cur["bad"] = True
    if cur is not None:
        close_without_answer()
    return finish(file, "aiken", items, problems)


def _close(cur, answer, no, file, problems, items):
    options = cur["options"]
    if not options:
        problems.append(Problem(file, cur["line"], "phương án", "câu hỏi không có phương án nào ('A. …', 'B. …')"))
        return
    if not re.fullmatch(r"[A-Z]", answer.upper()):
        problems.append(Problem(file, no, "đáp án đúng",
                                f"'ANSWER: {answer}' không hợp lệ — Aiken chỉ có một đáp án đúng, ghi một chữ cái như 'ANSWER: B'"))
        return
    i = LETTERS.find(answer.upper())
    if i < 0 or i >= len(options):
        span = f"A–{LETTERS[min(len(options), len(LETTERS)) - 1]}"
        problems.append(Problem(file, no, "đáp án đúng",
                                f"'{answer}' không phải phương án nào (chỉ có {span})"))
        return
    if cur.get("bad"):
        return
    opts = [OptionData(t, j == i) for j, t in enumerate(options)]
    kind = "single"
    # Aiken has no true/false type; our own writer spells it as Đúng/Sai options.
    if [strip_diacritics(t.strip()) for t in options] == ["dung", "sai"]:
        kind = "true_false"
    items.append((cur["line"], QuestionData(text="\n".join(cur["text"]), kind=kind, options=opts)))


def write(questions: list[QuestionData]) -> bytes:
    bad = [Problem("", n, "loại", f"'{q.text[:60]}': Aiken không ghi được câu nhiều đáp án — hãy xuất GIFT, Excel hoặc JSON", "câu")
           for n, q in enumerate(questions, start=1) if q.kind == "multiple"]
    if bad:
        raise QuestionBankError(bad)
    out: list[str] = []
    for q in questions:
        options = list(TRUE_FALSE_OPTIONS) if q.kind == "true_false" else [o.text for o in q.options]
        # Aiken is line-based: one line per question and per option.
        out.append(" ".join(q.text.split()))
        for letter, text in zip(LETTERS, options):
            out.append(f"{letter}. {' '.join(text.split())}")
        answer = next(i for i, o in enumerate(q.options) if o.is_correct)
        out.append(f"ANSWER: {LETTERS[answer]}")
        out.append("")
    return "\n".join(out).encode("utf-8")
