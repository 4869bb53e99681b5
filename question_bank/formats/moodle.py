"""Moodle XML: multichoice and truefalse questions; categories become topics.

Images embedded the Moodle way — `<img src="@@PLUGINFILE@@/name.png">` in the HTML and a
`<file name="name.png" encoding="base64">` beside it — are carried as raw bytes (the first image
of the question text and of each answer); audio, video and further images are listed as not
imported, never dropped silently.
"""
from __future__ import annotations

import binascii
import re
from urllib.parse import unquote
import xml.etree.ElementTree as ET
from xml.parsers import expat

from ..schema import (LETTERS, TRUE_FALSE_OPTIONS, ImageData, ImportResult, OptionData, Problem, QuestionData,
                      finish)
from .common import MAX_QUESTIONS, fail
from .htmltext import embedded_refs, html_to_text

PLUGINFILE = "@@PLUGINFILE@@/"
_IMAGE_TAGS = ("img",)
_IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp")

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


def _image(el: ET.Element | None, what: str, where: tuple[str, int | None], default_alt: str,
           problems: list[Problem], notes: list[Problem]) -> ImageData | None:
    """The first @@PLUGINFILE@@ image of an HTML field with its embedded bytes; notes for the rest."""
    if el is None:
        return None
    file, line = where
    t = el.find("text")
    raw = (t.text if t is not None else el.text) or ""
    files = {(f.get("name") or "").strip(): f for f in el.findall("file")}
    used: set[str] = set()
    found: ImageData | None = None
    for tag, src, alt in embedded_refs(raw):
        if not src.startswith(PLUGINFILE):
            if tag in _IMAGE_TAGS:
                notes.append(Problem(file, line, "ảnh", f"{what}: ảnh liên kết ngoài '{src[:80]}' không được tải "
                                                        "(máy chủ có thể không ra được Internet) — hãy thêm ảnh trong trình sửa"))
            continue
        name = unquote(src[len(PLUGINFILE):].split("?", 1)[0]).rsplit("/", 1)[-1]
        used.add(name)
        is_image = tag in _IMAGE_TAGS or (tag == "a" and name.lower().endswith(_IMAGE_EXTENSIONS))
        if not is_image:
            notes.append(Problem(file, line, "tệp đính kèm",
                                 f"{what}: tệp '{name}' ({tag}: âm thanh/video/tệp khác) không được nhập"))
            continue
        if found is not None:
            notes.append(Problem(file, line, "ảnh", f"{what}: chỉ giữ ảnh đầu tiên; ảnh '{name}' không được nhập"))
            continue
        node = files.get(name)
        if node is None or (node.get("encoding") or "base64").lower() != "base64":
            problems.append(Problem(file, line, "ảnh", f"{what}: ảnh '{name}' được dùng nhưng không có trong tệp "
                                                       "(<file encoding=\"base64\">) — hãy xuất lại từ Moodle"))
            continue
        try:
            data = binascii.a2b_base64("".join((node.text or "").split()).encode("ascii"))
        except (binascii.Error, ValueError, UnicodeEncodeError):
            problems.append(Problem(file, line, "ảnh", f"{what}: ảnh '{name}' không giải mã được (base64 hỏng)"))
            continue
        if not alt:
            alt = default_alt
            notes.append(Problem(file, line, "ảnh", f"{what}: ảnh '{name}' không có mô tả (alt); đã dùng "
                                                    f"'{default_alt}' — nên sửa lại cho rõ"))
        found = ImageData(data=data, filename=name, alt=alt)
    for name in files:
        if name not in used:
            notes.append(Problem(file, line, "tệp đính kèm", f"{what}: tệp '{name}' không được dùng trong nội dung "
                                                             "nên không được nhập"))
    return found


def category_topic(path: str) -> str:
    # Moodle writes a "/" inside a category name as "//".
    parts = [p.strip().replace("//", "/") for p in re.split(r"(?<!/)/(?!/)", path)]
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
    warnings: list[Problem] = []
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
        where = (file, line)
        text = _text(qel.find("questiontext"))
        image = _image(qel.find("questiontext"), "câu hỏi", where, "Hình minh hoạ của câu hỏi", problems, warnings)
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
            options = [OptionData(_text(a), _fraction(a) > 0,
                                  _image(a, f"phương án {LETTERS[i] if i < len(LETTERS) else i + 1}", where,
                                         f"Hình của phương án {LETTERS[i] if i < len(LETTERS) else i + 1}",
                                         problems, warnings))
                       for i, a in enumerate(answers)]
            kind = "single" if single else "multiple"
        points = 1
        try:
            grade = float((qel.findtext("defaultgrade") or "1").strip())
            if grade.is_integer() and 1 <= grade <= 1000:
                points = int(grade)
        except ValueError:
            pass
        items.append((line, QuestionData(text=text, kind=kind, options=options, explanation=explanation,
                                         topic=topic, points=points, image=image)))
        if len(items) > MAX_QUESTIONS:
            fail(file, f"tệp có hơn {MAX_QUESTIONS} câu hỏi — hãy chia thành nhiều tệp", line)
    return finish(file, "moodle_xml", items, problems, skipped, warnings=warnings)
