"""Moodle XML: multichoice and truefalse questions; categories become topics."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from xml.parsers import expat

from ..schema import TRUE_FALSE_OPTIONS, ImportResult, OptionData, Problem, QuestionData, finish
from .common import MAX_QUESTIONS, fail
from .htmltext import html_to_text

_DECLARATION = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class _Refused(Exception):
    pass


def _refuse(*_args):
    raise _Refused()


def parse_xml(data: bytes, file: str) -> tuple[ET.Element, dict[int, int]]:
    """Parse with expat, refusing DTDs (no entity expansion, no XXE); element id -> line."""
    probe = data.replace(b"\x00", b"")  # catches UTF-16 spellings too
    if _DECLARATION.search(probe):
        fail(file, "tệp XML có khai báo DOCTYPE/ENTITY — không được phép vì lý do an toàn; hãy xuất lại từ Moodle")
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    # Any DTD at all is refused, whatever encoding slipped past the byte check.
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    builder = ET.TreeBuilder()
    lines: dict[int, int] = {}

    def start(tag, attrs):
        el = builder.start(tag, attrs)
        lines[id(el)] = parser.CurrentLineNumber

    parser.StartElementHandler = start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data, True)
        root = builder.close()
    except _Refused:
        fail(file, "tệp XML có khai báo DOCTYPE/ENTITY — không được phép vì lý do an toàn; hãy xuất lại từ Moodle")
    except expat.ExpatError as exc:
        fail(file, f"tệp XML sai cú pháp ({expat.ErrorString(exc.code)}) — hãy xuất lại từ Moodle",
             getattr(exc, "lineno", None))
    except Exception:
        fail(file, "tệp XML sai cú pháp — hãy xuất lại từ Moodle")
    return root, lines


def _text(el: ET.Element | None) -> str:
    """<x format="html"><text>…</text></x> to plain text."""
    if el is None:
        return ""
    t = el.find("text")
    raw = (t.text if t is not None else el.text) or ""
    fmt = (el.get("format") or "").lower()
    if fmt in ("html", "moodle_auto_format", "") and "<" in raw:
        return html_to_text(raw)
    return raw


def category_topic(path: str) -> str:
    parts = [p.strip() for p in path.split("/")]
    parts = [p for p in parts if p and not re.fullmatch(r"\$\w+\$|top|Default for .*|Mặc định cho .*", p)]
    return parts[-1] if parts else ""


def _fraction(a: ET.Element) -> float:
    try:
        return float((a.get("fraction") or "0").strip())
    except ValueError:
        return 0.0


def read(data: bytes, file: str) -> ImportResult:
    root, lines = parse_xml(data, file)
    if root.tag != "quiz":
        fail(file, f"tệp XML không phải tệp câu hỏi Moodle (thẻ gốc là <{root.tag}>, cần <quiz>)", 1)
    problems: list[Problem] = []
    skipped: list[Problem] = []
    items: list[tuple[int, QuestionData]] = []
    topic = ""
    for qel in root.iter("question"):
        line = lines.get(id(qel))
        qtype = (qel.get("type") or "").strip()
        name = " ".join(_text(qel.find("name")).split())[:60]
        if qtype == "category":
            topic = category_topic(_text(qel.find("category")))
            continue
        if qtype not in ("multichoice", "truefalse"):
            skipped.append(Problem(file, line, None,
                                   f"'{name or qtype}': loại câu hỏi '{qtype}' không được hỗ trợ — bỏ qua"))
            continue
        text = _text(qel.find("questiontext"))
        explanation = _text(qel.find("generalfeedback"))
        answers = qel.findall("answer")
        if qtype == "truefalse":
            truth = None
            for a in answers:
                value = _text(a).strip().lower()
                if value in ("true", "đúng") and _fraction(a) > 0:
                    truth = True
                elif value in ("false", "sai") and _fraction(a) > 0:
                    truth = False
            if truth is None:
                problems.append(Problem(file, line, "đáp án đúng",
                                        "câu đúng/sai không có đáp án 'true' hoặc 'false' với fraction > 0"))
                continue
            options = [OptionData(TRUE_FALSE_OPTIONS[0], truth), OptionData(TRUE_FALSE_OPTIONS[1], not truth)]
            kind = "true_false"
        else:
            single = (qel.findtext("single") or "true").strip().lower() in ("true", "1")
            options = [OptionData(_text(a), _fraction(a) > 0) for a in answers]
            kind = "single" if single else "multiple"
        points = 1
        try:
            grade = float((qel.findtext("defaultgrade") or "1").strip())
            if grade.is_integer() and 1 <= grade <= 1000:
                points = int(grade)
        except ValueError:
            pass
        items.append((line, QuestionData(text=text, kind=kind, options=options, explanation=explanation,
                                         topic=topic, points=points)))
        if len(items) > MAX_QUESTIONS:
            fail(file, f"tệp có hơn {MAX_QUESTIONS} câu hỏi — hãy chia thành nhiều tệp", line)
    return finish(file, "moodle_xml", items, problems, skipped)
