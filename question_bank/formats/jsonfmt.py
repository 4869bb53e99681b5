"""The project's own versioned JSON: lossless, also the starter sets' format.

An image is `{"filename", "alt", "content_type", "data"}` with the bytes in base64, on the question
and on any option; files without images are unchanged (still version 1).
"""
from __future__ import annotations

import base64
import binascii
import json

from ..schema import FIELD_LABELS, ImageData, ImportResult, OptionData, Problem, QuestionData, finish
from .common import MAX_QUESTIONS, fail

VERSION = 1
_STR_FIELDS = ("explanation", "topic", "source")


def read(text: str, file: str) -> ImportResult:
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        line = getattr(exc, "lineno", None)
        fail(file, "tệp JSON sai cú pháp — hãy kiểm tra dấu ngoặc, dấu phẩy, dấu nháy", line)
    if not isinstance(doc, dict):
        fail(file, "tệp JSON phải là một đối tượng {\"version\": 1, \"set\": …, \"questions\": […]}")
    version = doc.get("version")
    if version != VERSION:
        fail(file, f"phiên bản tệp JSON '{version}' không được hỗ trợ (chỉ hỗ trợ version {VERSION})", None, "version")
    meta = doc.get("set") or {}
    set_name = meta.get("name", "") if isinstance(meta, dict) else ""
    set_name = set_name if isinstance(set_name, str) else ""
    raw = doc.get("questions")
    if not isinstance(raw, list):
        fail(file, "thiếu danh sách \"questions\" trong tệp JSON", None, "questions")
    if len(raw) > MAX_QUESTIONS:
        fail(file, f"tệp có hơn {MAX_QUESTIONS} câu hỏi — hãy chia thành nhiều tệp")
    problems: list[Problem] = []
    items: list[tuple[int, QuestionData]] = []
    for n, item in enumerate(raw, start=1):
        q = _question(item, n, file, problems)
        if q is not None:
            items.append((n, q))
    return finish(file, "json", items, problems, line_label="câu", set_name=set_name)


def _question(item, n, file, problems) -> QuestionData | None:
    def problem(field, msg):
        problems.append(Problem(file, n, field, msg, "câu"))

    if not isinstance(item, dict):
        problem(None, "mỗi câu hỏi phải là một đối tượng JSON")
        return None
    before = len(problems)
    text = item.get("text")
    kind = item.get("kind")
    if not isinstance(text, str):
        problem("câu hỏi", "thiếu \"text\" (chuỗi)")
    if not isinstance(kind, str):
        problem("loại", "thiếu \"kind\" (single, multiple hoặc true_false)")
    options = []
    raw_options = item.get("options")
    if not isinstance(raw_options, list):
        problem("phương án", "thiếu \"options\" (danh sách {\"text\", \"correct\"})")
    else:
        for i, o in enumerate(raw_options, start=1):
            if (not isinstance(o, dict) or not isinstance(o.get("text"), str)
                    or not isinstance(o.get("correct", False), bool)):
                problem("phương án", f"phương án {i} phải có \"text\" (chuỗi) và \"correct\" (true/false)")
            else:
                options.append(OptionData(o["text"], o.get("correct", False),
                                          _image(o.get("image"), f"ảnh phương án {i}", problem)))
    values = {}
    for name in _STR_FIELDS:
        v = item.get(name, "")
        if v is None:
            v = ""
        if not isinstance(v, str):
            problem(FIELD_LABELS[name], f"\"{name}\" phải là chuỗi")
        values[name] = v
    for name, default in (("difficulty", 1), ("points", 1), ("time_limit_s", None)):
        v = item.get(name, default)
        if v is None and default is not None:
            v = default
        if v is not None and (not isinstance(v, int) or isinstance(v, bool)):
            problem(FIELD_LABELS[name], f"\"{name}\" phải là số nguyên")
        values[name] = v
    image = _image(item.get("image"), "ảnh câu hỏi", problem)
    if len(problems) > before:
        return None
    return QuestionData(text=text, kind=kind, options=options, image=image, **values)


def _image(raw, what: str, problem) -> ImageData | None:
    if raw is None:
        return None
    if (not isinstance(raw, dict) or not isinstance(raw.get("data"), str)
            or not isinstance(raw.get("alt", ""), str) or not isinstance(raw.get("filename", ""), str)):
        problem("ảnh", f"{what} phải là {{\"filename\", \"alt\", \"data\" (base64)}}")
        return None
    try:
        data = base64.b64decode(raw["data"], validate=True)
    except (binascii.Error, ValueError):
        problem("ảnh", f"{what}: \"data\" không phải base64 hợp lệ")
        return None
    return ImageData(data=data, filename=raw.get("filename") or "anh", alt=raw.get("alt", ""))


def _image_dict(image: ImageData | None) -> dict | None:
    if image is None:
        return None
    return {"filename": image.filename, "alt": image.alt, "content_type": "image/webp" if image.sha256 else "",
            "data": base64.b64encode(image.data).decode("ascii")}


def to_dict(q: QuestionData) -> dict:
    def option(o: OptionData) -> dict:
        d = {"text": o.text, "correct": o.is_correct}
        if o.image is not None:
            d["image"] = _image_dict(o.image)
        return d
    d = {"text": q.text, "kind": q.kind, "options": [option(o) for o in q.options],
         "explanation": q.explanation, "topic": q.topic, "difficulty": q.difficulty,
         "source": q.source, "points": q.points, "time_limit_s": q.time_limit_s}
    if q.image is not None:
        d["image"] = _image_dict(q.image)
    return d


def write(questions: list[QuestionData], set_name: str = "", description: str = "") -> bytes:
    doc = {"version": VERSION, "set": {"name": set_name, "description": description},
           "questions": [to_dict(q) for q in questions]}
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
