"""Public entry points: read any supported file, write a set in a chosen format."""
from __future__ import annotations

import logging
import os

from .detect import detect
from .formats import aiken, gift, jsonfmt, kahoot, moodle, moodle_writer, quizizz, template
from .formats.bundle import looks_like_bundle
from .formats.common import MAX_BYTES, check_zip, fail
from .formats.template_xlsx import write_xlsx
from .schema import (ImportResult, Problem, QuestionBankError, QuestionData, normalise_question,
                     validate_question, FIELD_LABELS)

FORMATS_READ = ("xlsx", "csv", "aiken", "gift", "moodle_xml", "kahoot", "quizizz", "json")
FORMATS_WRITE = ("xlsx", "csv", "gift", "aiken", "json", "moodle_xml")

log = logging.getLogger(__name__)

# Readers are written to raise only QuestionBankError and the hypothesis tests
# check that with this net switched off; in production it stays on so a bug we
# missed still becomes an import error, never a server error.
_SAFETY_NET = True


def read_bytes(data: bytes, filename: str) -> ImportResult:
    """Detect the format and read every question; all or nothing."""
    name = os.path.basename(filename or "")
    try:
        return _read(data, name)
    except QuestionBankError:
        raise
    except Exception:
        if not _SAFETY_NET:
            raise
        log.exception("unexpected error reading %s", name)
        fail(name, "không đọc được tệp (lỗi không mong đợi) — hãy kiểm tra tệp hoặc lưu lại dạng .xlsx theo tệp mẫu")


def _read(data: bytes, name: str) -> ImportResult:
    if not isinstance(data, (bytes, bytearray)):
        fail(name, "dữ liệu tệp không hợp lệ")
    data = bytes(data)
    if not data.strip():
        fail(name, "tệp trống — hãy chọn tệp có câu hỏi")
    if len(data) > MAX_BYTES:
        fail(name, "tệp quá lớn (tối đa 50 MB) — hãy chia nhỏ tệp")
    if data[:4] == b"PK\x03\x04" and (name.lower().endswith(".zip") or looks_like_bundle(check_zip(data, name))):
        return template.read_bundle(data, name)  # the template sheet with the images it names
    fmt, payload = detect(data, name)
    if fmt in ("xlsx", "csv"):
        return template.read_rows(payload, name, fmt)
    if fmt == "kahoot":
        return kahoot.read_rows(payload, name)
    if fmt == "quizizz":
        return quizizz.read_rows(payload, name)
    if fmt == "aiken":
        return aiken.read(payload, name)
    if fmt == "gift":
        return gift.read(payload, name)
    if fmt == "moodle_xml":
        return moodle.read(payload, name)
    return jsonfmt.read(payload, name)


def read_file(path) -> ImportResult:
    name = os.path.basename(str(path))
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        fail(name, "không tìm thấy tệp — hãy kiểm tra lại đường dẫn")
    except OSError:
        fail(name, "không mở được tệp — hãy kiểm tra quyền đọc tệp")
    return read_bytes(data, name)


def write_questions(questions: list[QuestionData], fmt: str, set_name: str = "") -> bytes:
    """Serialise valid questions; invalid ones are refused with their numbers."""
    if fmt not in FORMATS_WRITE:
        fail("", f"không ghi được định dạng '{fmt}'; chọn một trong: {', '.join(FORMATS_WRITE)}")
    clean: list[QuestionData] = []
    problems: list[Problem] = []
    for n, q in enumerate(questions, start=1):
        q = normalise_question(q)
        for field, msg in validate_question(q):
            problems.append(Problem("", n, FIELD_LABELS.get(field, field), msg, "câu"))
        clean.append(q)
    if problems:
        raise QuestionBankError(problems)
    if fmt == "xlsx":
        return write_xlsx(clean, set_name)
    if fmt == "csv":
        return template.write_csv(clean)
    if fmt == "gift":
        return gift.write(clean, set_name)
    if fmt == "aiken":
        return aiken.write(clean)
    if fmt == "moodle_xml":
        return moodle_writer.write(clean, set_name)
    return jsonfmt.write(clean, set_name)
