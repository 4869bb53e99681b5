"""The XLSX serializer of a ranking `Report` (openpyxl write-only mode: rows stream to disk).

Every table sheet starts with a title block (title, window, export time, status), then the
header row (frozen), then the rows; number formats make percentages and decimals read well in
Excel and LibreOffice alike.
"""
from __future__ import annotations

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from .exports import Report, Table

TITLE_ROWS = 5  # title, window, export time, status, blank: the header is row 6
HEADER_FILL = PatternFill("solid", fgColor="B3261E")
HEADER_FONT = Font(bold=True, color="FFFFFF")
THIN = Side(style="thin", color="BBBBBB")
NUMBER_FORMATS = {"pct": "0.00%", "rate": "0.00%", "dec": "0.00###", "seconds": "0.00",
                  "datetime": "dd/mm/yyyy hh:mm:ss"}


def sheet_names() -> dict[str, str]:
    return {"individuals": _("Cá nhân"), "units": _("Đơn vị"), "questions": _("Thống kê câu hỏi"),
            "items": _("Phân tích câu hỏi")}


def _text(ws, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value)
    if cell.data_type == "f":
        cell.data_type = "s"  # titles and names are never formulas
    return cell


def _title_block(ws, report: Report) -> None:
    title = _text(ws, report.title)
    title.font = Font(bold=True, size=14)
    ws.append([title])
    for line in report.lines[:2]:
        ws.append([_text(ws, line)])
    status = WriteOnlyCell(ws, report.status)
    status.font = Font(bold=True, size=12, color="B3261E" if report.is_provisional else "1B6E3A")
    ws.append([status])
    ws.append([])


def _cell(ws, value, kind: str):
    """A cell only where it needs a format or a text guard; plain values are much faster."""
    if value is None:
        return None
    if kind == "pct":
        value = value / 100  # stored 0–100, shown with Excel's percent format
    elif kind == "dec":
        value = float(value)
    elif isinstance(value, str):
        if not value.startswith("="):
            return value
        cell = WriteOnlyCell(ws, value)
        cell.data_type = "s"  # a name like "=HYPERLINK(…)" stays text: openpyxl would make it a formula
        return cell
    if kind not in NUMBER_FORMATS:
        return value
    cell = WriteOnlyCell(ws, value)
    cell.number_format = NUMBER_FORMATS[kind]
    return cell


def _table_sheet(workbook: Workbook, name: str, report: Report, table: Table) -> None:
    ws = workbook.create_sheet(name)
    for index, column in enumerate(table.columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = f"A{TITLE_ROWS + 2}"
    _title_block(ws, report)
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(ws, column.header)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.border = Border(bottom=THIN)
        header.append(cell)
    ws.append(header)
    for row in table.rows:
        ws.append([_cell(ws, value, column.kind) for value, column in zip(row, table.columns)])


def _info_sheet(workbook: Workbook, report: Report) -> None:
    ws = workbook.create_sheet(_("Thông tin"))
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 70
    _title_block(ws, report)
    for label, value in report.info:
        key = _text(ws, label)
        key.font = Font(bold=True)
        ws.append([key, _text(ws, value)])


def write_xlsx(report: Report, file) -> None:
    """Write the report as an XLSX workbook to `file` (a path or a binary file object)."""
    workbook = Workbook(write_only=True)
    names = sheet_names()
    for table in report.tables:
        _table_sheet(workbook, names[table.name], report, table)
    _info_sheet(workbook, report)
    workbook.save(file)
