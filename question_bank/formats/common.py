"""Helpers every reader shares: text decoding, safe XLSX loading, cell values."""
from __future__ import annotations

import codecs
import csv
import datetime as _dt
import io
import re
import warnings
import zipfile

from ..schema import Problem, QuestionBankError, strip_diacritics

MAX_BYTES = 50 * 1024 * 1024          # raw upload and declared XLSX uncompressed size
MAX_QUESTIONS = 20_000
MAX_ROWS = 100_000                    # blank rows included; bounds the time spent
MAX_COLUMNS = 40


def fail(file: str, message: str, line: int | None = None, field: str | None = None):
    raise QuestionBankError([Problem(file, line, field, message)])


def decode_text(data: bytes, file: str = "") -> str:
    """UTF-8 (with or without BOM) or UTF-16 (BOM); Windows code pages as a fallback."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8"]
        head = data[:200]
        # UTF-16 saved without a BOM: every other byte of ASCII text is NUL.
        if len(head) >= 4 and head.count(0) * 3 >= len(head):
            candidates = ["utf-16-le" if head[1] == 0 else "utf-16-be", "utf-8"]
        candidates += ["cp1258", "cp1252"]
    for enc in candidates:
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    fail(file, "không đọc được bảng mã của tệp — hãy lưu lại tệp với bảng mã UTF-8")


def header_key(value) -> str:
    """'Phương án  A (bắt buộc)' -> 'phuong an a': tolerant header comparison."""
    s = strip_diacritics(cell_str(value))
    s = re.sub(r"\(.*?\)", " ", s)
    s = re.sub(r"[^a-z0-9/_]+", " ", s)
    return " ".join(s.split())


def cell_str(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, _dt.datetime) and value.time() == _dt.time(0):
        # Excel turns a typed answer like "10/10" into a date; give back what
        # the organizer saw, in the Vietnamese day/month order.
        return f"{value.day}/{value.month}/{value.year}"
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    return str(value)


def parse_int(text: str) -> int | None:
    text = text.strip()
    m = re.fullmatch(r"[+]?(\d{1,9})(?:[.,]0+)?", text)
    return int(m.group(1)) if m else None


MAX_ZIP_MEMBERS = 1000
MAX_ZIP_RATIO = 200          # uncompressed / compressed, for members above 1 MB
_MB = 1024 * 1024


def check_zip(data: bytes, file: str, max_bytes: int = MAX_BYTES) -> set[str]:
    """Refuse a damaged zip or a zip bomb BEFORE anything inflates it; returns the member names.

    An XLSX is a zip. A bomb is a small file whose members inflate to hundreds of megabytes,
    enough to exhaust the server's memory inside openpyxl. The sizes checked are the declared
    ones from the central directory: Python's zipfile (which openpyxl uses) never yields more
    than a member declares and fails the CRC check if the data says otherwise, so a member that
    lies about its size ends as "damaged", not as a bomb.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError):
        fail(file, "tệp Excel bị hỏng hoặc không phải tệp .xlsx — hãy mở bằng Excel và lưu lại dạng .xlsx")
    if len(infos) > MAX_ZIP_MEMBERS:
        fail(file, f"tệp nén chứa quá nhiều thành phần ({len(infos)}, tối đa {MAX_ZIP_MEMBERS}) — "
                   "đây không phải bảng tính Excel thông thường")
    declared = sum(info.file_size for info in infos)
    if declared > max_bytes:
        fail(file, f"tệp Excel quá lớn khi giải nén ({declared // _MB} MB, tối đa {max_bytes // _MB} MB) — "
                   "hãy chia nhỏ tệp")
    for info in infos:
        if info.file_size > _MB and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            fail(file, f"tệp có phần nén bất thường ({info.file_size // _MB} MB nén còn "
                       f"{max(info.compress_size // 1024, 1)} KB, gấp {ratio} lần) — có thể là 'bom nén' (zip bomb), "
                       "hệ thống không mở tệp này")
    return {info.filename for info in infos}


def load_xlsx(data: bytes, file: str):
    """Open an XLSX after checking it is a sane zip; every failure is ours."""
    import openpyxl  # imported here so text-only callers never pay for it

    names = check_zip(data, file)
    if "xl/workbook.xml" not in names:
        fail(file, "tệp không phải bảng tính Excel .xlsx — hãy lưu lại dạng 'Excel Workbook (.xlsx)'")
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles/extensions it ignores; irrelevant here.
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on malformed parts
        fail(file, "tệp Excel bị hỏng hoặc không đọc được — hãy mở bằng Excel và lưu lại dạng .xlsx")


def sheet_rows(ws, file: str) -> list[list[str]]:
    """All rows of a sheet as lists of strings, index 0 = spreadsheet row 1."""
    rows: list[list[str]] = []
    filled = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for row in ws.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True):
                cells = [cell_str(v) for v in row]
                rows.append(cells)
                if any(c.strip() for c in cells):
                    filled += 1
                if filled > MAX_QUESTIONS + 20 or len(rows) > MAX_ROWS:
                    fail(file, f"tệp có quá nhiều dòng (tối đa {MAX_QUESTIONS} câu hỏi một lần) — hãy chia thành nhiều tệp")
    except QuestionBankError:
        raise
    except Exception:
        fail(file, "không đọc được dữ liệu trong bảng tính — tệp Excel có thể bị hỏng")
    return rows


def workbook_sheets(data: bytes, file: str) -> list[tuple[str, list[list[str]]]]:
    wb = load_xlsx(data, file)
    try:
        try:
            sheets = list(wb.worksheets)
        except Exception:
            fail(file, "tệp Excel bị hỏng hoặc không đọc được — hãy mở bằng Excel và lưu lại")
        out = []
        for ws in sheets[:10]:
            if not hasattr(ws, "iter_rows"):
                continue  # chart sheets
            out.append((str(ws.title), sheet_rows(ws, file)))
        if not out:
            fail(file, "tệp Excel không có trang tính nào")
        return out
    finally:
        try:
            wb.close()
        except Exception:
            pass


def is_blank(row: list[str]) -> bool:
    return not any(c.strip() for c in row)


def get(row: list[str], idx: int | None) -> str:
    if idx is None or idx >= len(row):
        return ""
    return row[idx]


# Spreadsheet apps run cells starting with these as formulas (CSV injection);
# our CSV writer prefixes an apostrophe and the reader removes it again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def unguard(text: str) -> str:
    if text.startswith("'") and text.lstrip("'")[:1] in ("=", "+", "-", "@"):
        return text[1:]
    return text


def guard(text: str) -> str:
    # A text that itself starts with "'=" (or "''=") gets one more apostrophe
    # so that unguard() gives it back unchanged.
    if text.lstrip("'").startswith(FORMULA_START):
        return "'" + text
    return text


def parse_numbers(text: str) -> list[int] | None:
    """'1,3' / '1; 3' / '1 3' -> [1, 3]; None if anything else is there."""
    parts = [p for p in re.split(r"[,;/\s]+|\bv[aà]\b|\band\b", text.strip()) if p]
    out = []
    for p in parts:
        n = parse_int(p)
        if n is None:
            return None
        out.append(n)
    return out


def csv_rows(data: bytes, file: str) -> list[list[str]]:
    text = decode_text(data, file).lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first.count)
    try:
        # Excel's rows: a quoted cell may span lines, so count records not lines.
        rows = []
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(record[:MAX_COLUMNS])
            if len(rows) > MAX_ROWS:
                fail(file, f"tệp có quá nhiều dòng (tối đa {MAX_QUESTIONS} câu hỏi một lần) — hãy chia thành nhiều tệp")
        return rows
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            fail(file, f"tệp CSV có một ô dài quá {csv.field_size_limit() // 1024} KB — đây không phải bảng "
                       "câu hỏi thông thường; hãy kiểm tra lại tệp")
        fail(file, f"tệp CSV sai cấu trúc ({exc}) — hãy mở bằng Excel và lưu lại dạng CSV UTF-8")


def image_link_warning(file: str, line: int, link: str) -> Problem:
    """An image given by URL (Quizizz, Kahoot): an intranet server may not reach it, so it is not
    fetched; the question is kept and the link listed."""
    return Problem(file, line, "ảnh", f"ảnh '{link[:100]}' là liên kết ngoài nên không được tải (máy chủ có thể "
                                      "không ra được Internet) — câu hỏi vẫn được nhập; hãy thêm ảnh trong trình sửa")
