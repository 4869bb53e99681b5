"""What the unit contact takes away: the taken part / not yet list as XLSX, and the reminder
to paste into the unit's Zalo group (its join link and QR code)."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from openpyxl import Workbook

from ...models import Contest, Quiz, Unit
from ..exports import Column, Report, Table
from ..rankings.scope import Scope
from ..xlsx_report import _info_sheet, _table_sheet
from .matching import WRONG_UNIT, Participation


def _columns() -> list[Column]:
    return [Column(_("STT"), "int", 6), Column(_("Họ và tên"), "text", 26), Column(_("Chức vụ"), "text", 18),
            Column(_("Khoa/phòng, tổ"), "text", 18), Column(_("Đơn vị"), "text", 32),
            Column(_("Mã cán bộ"), "text", 12), Column(_("Số điện thoại"), "text", 13),
            Column(_("Trạng thái"), "text", 16), Column(_("Tỷ lệ điểm"), "pct", 10),
            Column(_("Nộp bài lúc"), "datetime", 18), Column(_("Ghi chú"), "text", 36)]


def _naive_local(value: datetime | None, zone) -> datetime | None:
    return None if value is None else value.astimezone(zone).replace(tzinfo=None)


def participation_report(scope: Scope, result: Participation, *, unit: Unit | None, sub_unit: str | None,
                         now: datetime, zone) -> Report:
    """The list for an organizer or the unit's contacts (never public: it carries the roster's
    phone numbers, which only they may see). Not yet first, then taken part, then the people
    who took part from outside the list, then those of units with no roster."""
    units = {u.id: u for u in result.units}
    rows = []
    for entry_status in result.not_yet + result.taken:
        entry, taker = entry_status.entry, entry_status.taker
        note = ""
        if entry_status.restricted:  # registered outside the viewer's units: no score, no time
            note = _("Đã tham gia — đăng ký ở %(unit)s", unit=entry_status.registered_unit.name
                     if entry_status.registered_unit is not None else taker.other_unit or "")
        elif entry_status.registered_unit is not None:
            note = _("Đăng ký ở %(unit)s", unit=entry_status.registered_unit.name)
        elif taker is not None and taker.unit_id is None:
            note = _("Đăng ký ở %(unit)s", unit=taker.other_unit or "")
        rows.append([entry.full_name, entry.position, entry.sub_unit, units[entry.unit_id].name, entry.staff_code,
                     entry.phone, _("Đã tham gia") if taker else _("Chưa tham gia"),
                     taker.score_pct if taker else None, _naive_local(taker.submitted_at if taker else None, zone),
                     note])
    for item in result.unlisted:
        note = _("Có trong danh sách của %(units)s", units=", ".join(u.name for u in item.matched_units)) \
            if item.status == WRONG_UNIT else (_("Đã xác nhận") if item.is_confirmed else "")
        rows.append([item.taker.full_name, "", "", item.unit.name, "", "", _("Ngoài danh sách"),
                     item.taker.score_pct, _naive_local(item.taker.submitted_at, zone), note])
    for taker, chosen in result.unrostered:
        rows.append([taker.full_name, "", "", chosen.name, "", "", _("Đã tham gia"), taker.score_pct,
                     _naive_local(taker.submitted_at, zone), _("Đơn vị chưa có danh sách")])
    numbered = [[i, *row] for i, row in enumerate(rows, start=1)]
    where = unit.name if unit is not None else _("Tất cả đơn vị")
    lines = [_("Đơn vị: %(unit)s", unit=where) + (f" · {sub_unit}" if sub_unit else ""),
             _("Xuất lúc %(at)s", at=now.astimezone(zone).strftime("%H:%M %d/%m/%Y"))]
    status = _("Đã tham gia %(taken)d/%(total)d người trong danh sách, chưa tham gia %(missing)d",
               taken=len(result.taken), total=len(result.entries), missing=len(result.not_yet))
    info = [(_("Phạm vi"), scope.title), (_("Đơn vị"), where),
            (_("Cách đối chiếu"), _("Người dự thi khớp số điện thoại hoặc mã cán bộ với danh sách."))]
    return Report(title=_("Danh sách tham gia — %(title)s", title=scope.title), lines=lines, status=status,
                  is_provisional=False, info=info, tables=[Table("participation", _columns(), numbered)])


def write_participation_xlsx(report: Report, file) -> None:
    workbook = Workbook(write_only=True)
    _table_sheet(workbook, _("Tham gia"), report, report.tables[0])
    _info_sheet(workbook, report)
    workbook.save(file)


def reminder_quiz(contest: Contest, quiz: Quiz | None, now: datetime) -> Quiz | None:
    """The round a reminder points to: the one asked for, else the open one, else the next."""
    if quiz is not None:
        return quiz
    rounds = list(contest.quizzes)
    return next((q for q in rounds if q.state_at(now) == "open"), None) \
        or next((q for q in rounds if q.state_at(now) == "upcoming"), None)


def reminder_text(*, unit: Unit | None, quiz: Quiz, join_url: str, result: Participation, closes_at: str,
                  with_names: bool) -> str:
    """The message a unit contact pastes into the unit's Zalo group: no phone, no score."""
    greeting = _("Kính gửi các đồng chí cán bộ, đảng viên %(unit)s,", unit=unit.name) if unit is not None \
        else _("Kính gửi các đồng chí cán bộ, đảng viên,")
    lines = [greeting,
             _("Đợt thi “%(title)s” đang mở đến %(closes)s.", title=quiz.title, closes=closes_at)]
    if result.entries:
        lines.append(_("Đơn vị đã có %(taken)d/%(total)d đồng chí tham gia; còn %(missing)d đồng chí chưa tham gia.",
                       taken=len(result.taken), total=len(result.entries), missing=len(result.not_yet)))
    if with_names and result.not_yet:
        lines.append(_("Các đồng chí chưa tham gia: %(names)s.",
                       names=", ".join(s.entry.full_name for s in result.not_yet)))
    lines += [_("Mời các đồng chí bấm vào đường dẫn (hoặc quét mã QR) để dự thi:"), join_url,
              _("Trân trọng cảm ơn!")]
    return "\n".join(lines)
