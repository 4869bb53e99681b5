"""GIFT (Moodle): single, multiple (weights) and true/false; other types listed as skipped."""
from __future__ import annotations

import re

from ..schema import (TRUE_FALSE_OPTIONS, ImportResult, OptionData, Problem, QuestionData, finish,
                      too_many_options)
from .common import MAX_QUESTIONS, fail
from .htmltext import html_to_text

# Escaped specials are swapped for private-use characters while parsing, so the
# parser only ever sees unescaped syntax; they are restored in the final text.
_ESCAPES = {"=": "\ue001", "~": "\ue002", "#": "\ue003", "{": "\ue004", "}": "\ue005",
            ":": "\ue006", "\\": "\ue007", "n": "\ue008"}
_RESTORE = {v: k for k, v in _ESCAPES.items()}
_RESTORE["\ue008"] = "\n"
_PRIVATE = re.compile("[\ue001-\ue008]")
_WEIGHT = re.compile(r"^%(-?\d+(?:[.,]\d+)?)%")
_FORMAT = re.compile(r"^\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_TF = {"t": True, "true": True, "f": False, "false": False}


def _protect(text: str) -> str:
    text = _PRIVATE.sub("", text)
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), text)


def _restore(text: str) -> str:
    return "".join(_RESTORE.get(ch, ch) for ch in text)


def looks_like_gift(text: str) -> int:
    """Number of answer blocks '{…}' with GIFT syntax: the detector's evidence."""
    t = _protect(text)
    return len(re.findall(r"\{\s*(?:[=~]|T\b|F\b|TRUE\b|FALSE\b|#|\}|$)", t, re.IGNORECASE)) + (
        3 * len(re.findall(r"^\s*(?:::|\$CATEGORY:)", t, re.MULTILINE)))


def _category(raw: str) -> str:
    parts = [p.replace("\0", "/") for p in raw.replace("//", "\0").split("/")]
    # Moodle prefixes context tokens ($course$, $system$…) and 'top'.
    parts = [p.strip() for p in parts if p.strip() and not re.fullmatch(r"\$\w+\$|top", p.strip())]
    return parts[-1] if parts else ""


def _blocks(text: str):
    """(first line number, [lines]) per question, with comments removed."""
    block: list[str] = []
    start = 0
    for no, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("//"):
            continue
        if line.strip():
            if not block:
                start = no
            block.append(line)
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def read(text: str, file: str) -> ImportResult:
    problems: list[Problem] = []
    skipped: list[Problem] = []
    items: list[tuple[int, QuestionData]] = []
    topic = ""
    for start, lines in _blocks(_protect(text)):
        body: list[str] = []
        line_no = start
        for offset, line in enumerate(lines):
            m = re.match(r"^\s*\$CATEGORY:\s*(.*)$", line)
            if m:
                topic = _restore(_category(m.group(1)))
            else:
                if not body:
                    line_no = start + offset
                body.append(line)
        if not body:
            continue
        q = _question("\n".join(body), line_no, file, problems, skipped)
        if q is not None:
            q.topic = topic
            items.append((line_no, q))
            if len(items) > MAX_QUESTIONS:
                fail(file, f"tệp có hơn {MAX_QUESTIONS} câu hỏi — hãy chia thành nhiều tệp", line_no)
    return finish(file, "gift", items, problems, skipped)


def _clean(text: str, is_html: bool) -> str:
    text = _restore(text).strip()
    return html_to_text(text) if is_html else text


def _question(block: str, line: int, file: str, problems, skipped) -> QuestionData | None:
    def problem(field, msg):
        problems.append(Problem(file, line, field, msg))

    block = block.strip()
    title = ""
    m = re.match(r"^::(.*?)::", block, re.DOTALL)
    if m:
        title = _restore(m.group(1)).strip()
        block = block[m.end():].lstrip()
    label = f"'{title}'" if title else "câu hỏi"
    fmt = _FORMAT.match(block)
    is_html = bool(fmt) and fmt.group(1).lower() in ("html", "moodle")
    if fmt:
        block = block[fmt.end():]

    opens = block.count("{")
    if opens == 0:
        skipped.append(Problem(file, line, None, f"{label}: không có phần đáp án '{{…}}' (mô tả) — bỏ qua"))
        return None
    open_at = block.index("{")
    close_at = block.find("}", open_at)
    if close_at < 0:
        problem("đáp án đúng", "thiếu dấu '}' đóng phần đáp án — nếu '{' là chữ trong câu hỏi hãy viết '\\{'")
        return None
    if opens > 1 or block.count("}") > 1:
        problem("đáp án đúng", "có nhiều hơn một cặp '{…}' — viết '\\{' '\\}' nếu đó là chữ trong câu hỏi")
        return None
    before, answers, after = block[:open_at], block[open_at + 1:close_at], block[close_at + 1:]
    text = _clean(before, is_html)
    if after.strip():
        # "Thủ đô là {…} của Việt Nam": Moodle shows the gap as a blank.
        text = f"{text} _____ {_clean(after, is_html)}".strip()

    answers = answers.strip()
    general = ""
    if "####" in answers:
        answers, general = answers.split("####", 1)
        answers = answers.strip()
        general = _clean(general, is_html)

    if not answers:
        skipped.append(Problem(file, line, None, f"{label}: câu tự luận (essay) không được hỗ trợ — bỏ qua"))
        return None
    if answers.startswith("#"):
        skipped.append(Problem(file, line, None, f"{label}: câu trả lời số (numerical) không được hỗ trợ — bỏ qua"))
        return None
    if "->" in answers and "~" not in answers:  # "~" answers make it multiple choice
        skipped.append(Problem(file, line, None, f"{label}: câu ghép đôi (matching) không được hỗ trợ — bỏ qua"))
        return None

    head = answers.split("#", 1)
    tf = _TF.get(head[0].strip().lower())
    if tf is not None:
        feedback = [_clean(f, is_html) for f in head[1].split("#")] if len(head) > 1 else []
        explanation = "\n".join(x for x in [general, *feedback] if x)
        return QuestionData(text=text, kind="true_false", explanation=explanation,
                            options=[OptionData(TRUE_FALSE_OPTIONS[0], tf), OptionData(TRUE_FALSE_OPTIONS[1], not tf)])

    if answers[0] not in "=~":
        problem("phương án", "phần đáp án phải bắt đầu bằng '=' (đúng) hoặc '~' (sai), hoặc là T/F")
        return None
    crowded = too_many_options(answers.count("=") + answers.count("~"))
    if crowded:  # before splitting: half a million "~%" must cost one count, not one option each
        problem("phương án", crowded)
        return None
    parts = re.findall(r"([=~])([^=~]*)", answers)
    has_wrong = any(mark == "~" for mark, _ in parts)
    if not has_wrong:
        skipped.append(Problem(file, line, None, f"{label}: câu trả lời ngắn (short answer) không được hỗ trợ — bỏ qua"))
        return None

    options: list[OptionData] = []
    feedback_lines: list[str] = []
    weighted_positive = 0
    for mark, raw in parts:
        raw = raw.strip()
        weight = None
        mw = _WEIGHT.match(raw)
        if mw:
            weight = float(mw.group(1).replace(",", "."))
            raw = raw[mw.end():].strip()
        answer, _, fb = raw.partition("#")
        answer = _clean(answer, is_html)
        if mark == "=":
            correct = weight is None or weight > 0
        else:
            correct = weight is not None and weight > 0
            if correct:
                weighted_positive += 1
        options.append(OptionData(answer, correct))
        fb = _clean(fb, is_html)
        if fb:
            feedback_lines.append(f"{answer}: {fb}")
    # "~%50%" answers are Moodle's multiple-answer question.
    kind = "multiple" if weighted_positive else "single"
    explanation = "\n".join(x for x in [general, *feedback_lines] if x)
    return QuestionData(text=text, kind=kind, options=options, explanation=explanation)


# --- writing ---------------------------------------------------------------

def escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for ch in "~=#{}:":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", "\\n")


def _category_line(topic: str) -> str:
    # The reader unescapes the whole file, so a backslash must be doubled here too.
    return "$CATEGORY: " + topic.replace("\\", "\\\\").replace("/", "//").replace("\n", " ")


def _weight(k: int) -> str:
    return f"{100 / k:.5f}".rstrip("0").rstrip(".")


def write(questions: list[QuestionData], set_name: str = "") -> bytes:
    out: list[str] = []
    if set_name:
        out += [f"// Bộ câu hỏi: {' '.join(set_name.split())}", ""]
    topic = ""
    for n, q in enumerate(questions, start=1):
        if q.topic != topic:
            out += [_category_line(q.topic), ""]
            topic = q.topic
        out.append(f"::Q{n}:: {escape(q.text)} {{")
        if q.kind == "true_false":
            value = "TRUE" if q.options[0].is_correct else "FALSE"
            out.append(f"\t{value}")
        elif q.kind == "multiple":
            k = sum(o.is_correct for o in q.options)
            for o in q.options:
                w = _weight(k) if o.is_correct else "-100"
                out.append(f"\t~%{w}%{escape(o.text)}")
        else:
            for o in q.options:
                out.append(f"\t{'=' if o.is_correct else '~'}{escape(o.text)}")
        if q.explanation:
            out.append(f"\t####{escape(q.explanation)}")
        out += ["}", ""]
    return "\n".join(out).encode("utf-8")
