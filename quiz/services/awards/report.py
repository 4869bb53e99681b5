"""The award list as the decision prints it ("Danh sách đề nghị khen thưởng"): rows built once
from a published version's payload, then an XLSX with a title and a signature block, and the
same rows for the A4 print page and the public page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font
from openpyxl.utils import get_column_letter

from ...models import AwardList, Contest
from ..exports import guard_text
from ..xlsx_report import HEADER_FILL, HEADER_FONT, THIN


@dataclass
class Group:
    title: str  # the round's (or the contest's) title
    people: list[list]  # STT, họ tên, đơn vị, giải, điểm, thời gian
    units: list[list]  # STT, đơn vị, giải, tỷ lệ tham gia, điểm thi đua


def duration_text(ms: int | None) -> str:
    if ms is None:
        return ""
    seconds = ms / 1000
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:05.2f}"


def score_text(row: dict) -> str:
    return f"{row['score']}/{row['max_score']}"


def groups(award_list: AwardList) -> list[Group]:
    out = []
    for section in award_list.payload.get("sections", []):
        if section["status"] != "ready":
            continue
        people = [[i, r["full_name"], r["unit_name"] or "", r["prize"], score_text(r), duration_text(r["duration_ms"])]
                  for i, r in enumerate(section["individuals"], start=1)]
        units = [[i, u["name"], u["prize"],
                  "" if u["participation_rate"] is None else f"{u['participation_rate'] * 100:.1f} %",
                  "" if u["emulation_score"] is None else f"{u['emulation_score']:.2f}"]
                 for i, u in enumerate(section["units"], start=1)]
        out.append(Group(section["title"], people, units))
    return out


def people_headers() -> list[str]:
    return [_("STT"), _("Họ và tên"), _("Đơn vị"), _("Giải"), _("Điểm"), _("Thời gian")]


def unit_headers() -> list[str]:
    return [_("STT"), _("Đơn vị"), _("Giải"), _("Tỷ lệ tham gia"), _("Điểm thi đua")]


def subtitle(award_list: AwardList, timezone: str) -> str:
    at = award_list.published_at.astimezone(ZoneInfo(timezone)).strftime("%H:%M %d/%m/%Y")
    return _("Công bố lần %(v)d lúc %(at)s", v=award_list.version, at=at)


def date_line(place: str, at: datetime, timezone: str) -> str:
    """`Lai Châu, ngày 05 tháng 10 năm 2025`: the local date a list or a certificate is signed on."""
    local = at.astimezone(ZoneInfo(timezone))
    date = _("ngày %(d)02d tháng %(m)02d năm %(y)d", d=local.day, m=local.month, y=local.year)
    return f"{place}, {date}" if place else date[:1].upper() + date[1:]


def _put(ws, row: int, col: int, value, *, bold=False, size=11, italic=False, align=None):
    cell = ws.cell(row=row, column=col, value=guard_text(value) if isinstance(value, str) else value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    cell.font = Font(bold=bold, size=size, italic=italic)
    if align:
        cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
    return cell


def _title_row(ws, row: int, text: str, width: int, **style) -> int:
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    _put(ws, row, 1, text, align="center", **style)
    return row + 1


def _header(ws, row: int, headers: list[str]) -> int:
    for col, text in enumerate(headers, start=1):
        cell = _put(ws, row, col, text, align="center")
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, Border(bottom=THIN)
    return row + 1


def write_award_xlsx(award_list: AwardList, contest: Contest, file, *, timezone: str) -> None:
    """The workbook of a published version: title block, one block per round, signature block."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = _("Khen thưởng")
    for col, width in enumerate((7, 30, 40, 18, 10, 12), start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    width = 6
    row = 1
    if contest.certificate_issuer:
        row = _title_row(ws, row, contest.certificate_issuer.upper(), width, bold=True)
    row = _title_row(ws, row + 1, _("DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG"), width, bold=True, size=14)
    row = _title_row(ws, row, contest.title, width, bold=True)
    row = _title_row(ws, row, subtitle(award_list, timezone), width, italic=True)
    row += 1
    for group in groups(award_list):
        row = _title_row(ws, row, group.title, width, bold=True)
        if group.people:
            row = _header(ws, row, people_headers())
            for values in group.people:
                for col, value in enumerate(values, start=1):
                    _put(ws, row, col, value).border = Border(bottom=THIN)
                row += 1
        if group.units:
            row += 1
            row = _title_row(ws, row, _("Giải tập thể"), width, bold=True)
            row = _header(ws, row, unit_headers())
            for values in group.units:
                for col, value in enumerate(values, start=1):
                    _put(ws, row, col, value).border = Border(bottom=THIN)
                row += 1
        row += 1
    row += 1
    ws.merge_cells(start_row=row, start_column=4, end_row=row, end_column=6)
    _put(ws, row, 4, date_line(contest.certificate_place, award_list.published_at, timezone), italic=True,
         align="center")
    row += 1
    _put(ws, row, 2, _("NGƯỜI LẬP BIỂU"), bold=True, align="center")
    ws.merge_cells(start_row=row, start_column=4, end_row=row, end_column=6)
    _put(ws, row, 4, (contest.certificate_signer_title or _("TRƯỞNG BAN TỔ CHỨC")).upper(), bold=True, align="center")
    row += 5
    if contest.certificate_signer_name:
        ws.merge_cells(start_row=row, start_column=4, end_row=row, end_column=6)
        _put(ws, row, 4, contest.certificate_signer_name, bold=True, align="center")
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    workbook.save(file)
