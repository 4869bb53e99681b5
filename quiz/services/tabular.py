"""Read a small CSV or XLSX table into rows keyed by normalised header, with row numbers."""
from __future__ import annotations

import csv
import io
import unicodedata

from flask_babel import gettext as _
from question_bank import QuestionBankError, check_zip

from ..errors import ValidationError

MAX_ROWS = 50_000
MAX_UNZIPPED_BYTES = 20 * 1024 * 1024  # a unit list of 50,000 rows is a few megabytes


def header_key(text: object) -> str:
    """`"Mã đơn vị cha "` → `"ma don vi cha"`: headers match whatever accents or case were typed."""
    s = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    s = "".join(c for c in s if unicodedata.category(c) != "Mn")
    return " ".join(s.lower().replace("_", " ").split())


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1258", errors="replace")


def read_table(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Return `(header keys, [(row number, {header key: cell text})])`, skipping blank rows.

    Row numbers are what a spreadsheet shows: the header is row 1.
    """
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
        raw_rows = _xlsx_rows(data, filename)
    elif name.endswith((".csv", ".txt", ".tsv")) or not name:
        text = unicodedata.normalize("NFC", _decode(data))
        raw_rows = _csv_rows(text, filename)
    else:
        raise ValidationError(_("Tệp %(name)s không phải CSV hoặc XLSX.", name=filename))
    if not raw_rows:
        raise ValidationError(_("Tệp %(name)s trống.", name=filename))
    if len(raw_rows) > MAX_ROWS:
        raise ValidationError(_("Tệp %(name)s có quá %(n)d dòng.", name=filename, n=MAX_ROWS))
    headers = [header_key(h) for h in raw_rows[0]]
    rows = []
    for number, raw in enumerate(raw_rows[1:], start=2):
        cells = [unicodedata.normalize("NFC", str(c)).strip() if c is not None else "" for c in raw]
        if not any(cells):
            continue
        rows.append((number, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(headers) if h}))
    return headers, rows


def _csv_rows(text: str, filename: str) -> list[list[str]]:
    if "\x00" in text[:65536]:
        raise ValidationError(_("Tệp %(name)s không phải tệp văn bản CSV (có dữ liệu nhị phân). "
                                "Hãy mở bằng Excel và lưu lại dạng CSV UTF-8 hoặc .xlsx.", name=filename))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), dialect):
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                break
    except csv.Error as exc:
        if "field larger" in str(exc):
            message = _("Tệp %(name)s có một ô dài quá %(kb)d KB, không phải danh sách đơn vị.",
                        name=filename, kb=csv.field_size_limit() // 1024)
        else:
            message = _("Tệp %(name)s sai cấu trúc CSV ở dòng %(line)d. Hãy mở bằng Excel và lưu lại dạng CSV UTF-8.",
                        name=filename, line=len(rows) + 1)
        raise ValidationError(message) from None
    return rows


def _xlsx_rows(data: bytes, filename: str) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        # A small file that inflates to hundreds of megabytes is a zip bomb, not a unit list:
        # refused from the archive's directory before anything is inflated.
        check_zip(data, filename, max_bytes=MAX_UNZIPPED_BYTES)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except QuestionBankError as error:
        raise ValidationError(_("Không đọc được tệp Excel %(name)s: %(problem)s.", name=filename,
                                problem=error.problems[0].message)) from None
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ValidationError(
            _("Không đọc được tệp Excel %(name)s: tệp hỏng hoặc không phải .xlsx.", name=filename)
        ) from exc
    sheet = workbook.worksheets[0]
    rows = []
    for row in sheet.iter_rows(values_only=True):
        rows.append(["" if v is None else (int(v) if isinstance(v, float) and v.is_integer() else v) for v in row])
        if len(rows) > MAX_ROWS + 1:
            break
    workbook.close()
    return rows
