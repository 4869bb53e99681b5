"""Which format a file is in: by extension first, then by content."""
from __future__ import annotations

import os

from .formats import aiken, gift, kahoot, quizizz, template
from .formats.common import csv_rows, decode_text, fail, workbook_sheets
from .schema import QuestionBankError

SUPPORTED = "Excel/CSV theo mẫu, Aiken (.txt), GIFT (.gift/.txt), Moodle XML (.xml), Kahoot (.xlsx), Quizizz (.xlsx/.csv), JSON"


def unknown(file: str):
    fail(file, f"Không nhận ra định dạng tệp '{file or 'không tên'}'; hỗ trợ: {SUPPORTED}")


def spreadsheet_kind(rows: list[list[str]]) -> str | None:
    """'kahoot', 'quizizz' or 'template' from a sheet's first rows."""
    if rows and quizizz.looks_like_quizizz(rows[0]):
        return "quizizz"
    if rows and template.looks_like_template(rows[0]):
        return "template"
    if kahoot.find_header(rows) is not None:
        return "kahoot"
    return None


def text_kind(text: str) -> str | None:
    """'aiken' or 'gift' by the evidence each format leaves, or None."""
    g = gift.looks_like_gift(text)
    a = aiken.looks_like_aiken(text)
    if g == 0 and a == 0:
        return None
    return "gift" if g >= a else "aiken"


def detect(data: bytes, filename: str) -> tuple[str, object]:
    """(format name, parsed payload) where payload is what the reader needs next:
    rows for spreadsheets, text for text formats, bytes for XML."""
    ext = os.path.splitext(filename or "")[1].lower()
    is_zip = data[:4] == b"PK\x03\x04"
    if ext == ".xls" and not is_zip:
        fail(filename, "tệp Excel 97–2003 (.xls) không được hỗ trợ — hãy mở bằng Excel và lưu lại dạng .xlsx")
    if is_zip and ext not in (".csv", ".txt", ".gift", ".xml", ".json"):
        return _spreadsheet(data, filename)
    if ext in (".xlsx", ".xlsm"):
        # Not a zip, so not really Excel; a CSV renamed .xlsx is still readable.
        try:
            return detect(data, "")
        except QuestionBankError:
            fail(filename, "tệp Excel bị hỏng hoặc không phải tệp .xlsx — hãy mở bằng Excel và lưu lại dạng .xlsx")
    if ext == ".xml":
        return "moodle_xml", data
    text = decode_text(data, filename)
    if ext == ".json":
        return "json", text
    if ext == ".csv":
        return _csv(data, filename, strict=True)
    if ext == ".gift":
        return "gift", text
    if ext in (".txt", ".aiken"):
        kind = text_kind(text)
        if kind is None:
            fail(filename, "tệp .txt không giống Aiken (thiếu dòng 'ANSWER: …') hay GIFT (thiếu '{…}') — "
                           "hãy kiểm tra lại tệp; hỗ trợ: " + SUPPORTED)
        return kind, text
    # Unknown or missing extension: look at the content.
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        return "json", text
    if stripped.startswith("<") and "<quiz" in stripped[:5000]:
        return "moodle_xml", data
    # A recognised header row is stronger evidence than stray braces in a cell.
    found = _csv(data, filename, strict=False)
    if found:
        return found
    kind = text_kind(text)
    if kind:
        return kind, text
    unknown(filename)


def _spreadsheet(data: bytes, filename: str):
    sheets = workbook_sheets(data, filename)
    for _title, rows in sheets:
        kind = spreadsheet_kind(rows)
        if kind == "template":
            return "xlsx", rows
        if kind:
            return kind, rows
    fail(filename, "không nhận ra bảng tính: dòng tiêu đề phải theo tệp mẫu (câu hỏi, loại, phương án A…, "
                   "đáp án đúng…), hoặc theo mẫu Kahoot / Quizizz", 1)


def _csv(data: bytes, filename: str, strict: bool):
    try:
        rows = csv_rows(data, filename)
    except QuestionBankError:
        if strict:
            raise
        return None
    head = rows[0] if rows else []
    if quizizz.looks_like_quizizz(head):
        return "quizizz", rows
    if template.looks_like_template(head):
        return "csv", rows
    if strict:
        # Let the template reader explain which headers are missing.
        return "csv", rows
    return None

