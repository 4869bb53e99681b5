"""Roster import from CSV/XLSX: the units importer's rules (all or nothing, every bad row listed).

Columns `unit_code, full_name, staff_code, phone, position` and optional `sub_unit`, or their
Vietnamese headers. A file replaces the whole roster of every unit it names; units it does not
name keep theirs. A unit contact may import only units of their own subtree.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...errors import ValidationError
from ...extensions import db
from ...models import Organizer, RosterEntry, Unit
from .. import audit
from ..tabular import read_table
from .entries import OPEN_QUIZ_NO_REMOVAL, CleanEntry, can_manage_roster, clean_entry, lock_units, may_remove_entries

COLUMN_ALIASES = {
    "unit_code": ("unit code", "ma don vi", "don vi", "unit"),
    "full_name": ("full name", "ho ten", "ho va ten", "ten", "name"),
    "staff_code": ("staff code", "ma can bo", "ma nhan vien", "ma cb", "ma so"),
    "phone": ("phone", "so dien thoai", "dien thoai", "sdt", "so dt"),
    "position": ("position", "chuc vu", "chuc danh"),
    "sub_unit": ("sub unit", "khoa/phong", "khoa phong", "bo phan", "phong ban", "to"),
}
LABELS = {"full_name": _l("họ tên (full_name)"), "phone": _l("số điện thoại (phone)"),
          "staff_code": _l("mã cán bộ (staff_code)"), "identity": _l("số điện thoại/mã cán bộ"),
          "position": _l("chức vụ (position)"), "sub_unit": _l("khoa/phòng, tổ (sub_unit)")}
MAX_PROBLEMS = 200


@dataclass
class UnitChange:
    code: str
    name: str
    before: int
    after: int


@dataclass
class RosterImportResult:
    units: list[UnitChange] = field(default_factory=list)

    @property
    def entries(self) -> int:
        return sum(u.after for u in self.units)

    @property
    def removed(self) -> int:
        return sum(max(0, u.before - u.after) for u in self.units)


def _column(row: dict[str, str], name: str) -> str:
    for alias in COLUMN_ALIASES[name]:
        if alias in row:
            return row[alias]
    return ""


def import_roster_file(data: bytes, filename: str, *, actor: Organizer | None = None,
                       dry_run: bool = False) -> RosterImportResult:
    headers, rows = read_table(data, filename)
    has = {name: any(a in headers for a in aliases) for name, aliases in COLUMN_ALIASES.items()}
    missing = [n for n in ("unit_code", "full_name") if not has[n]]
    if not (has["phone"] or has["staff_code"]):
        missing.append("phone / staff_code")
    if missing:
        raise ValidationError(_("Tệp %(name)s thiếu cột: %(cols)s (cần unit_code, full_name, staff_code, phone, "
                                "position; sub_unit nếu có).", name=filename, cols=", ".join(missing)))
    return import_rosters([(n, {k: _column(r, k) for k in COLUMN_ALIASES}) for n, r in rows],
                          filename=filename, actor=actor, dry_run=dry_run)


def import_rosters(rows: list[tuple[int, dict[str, str]]], *, filename: str = "",
                   actor: Organizer | None = None, dry_run: bool = False) -> RosterImportResult:
    """Replace the roster of every unit named in `rows`. Every bad row is reported; if any row
    is bad nothing is written. Duplicates (same phone or same staff code twice in one unit's
    roster) are bad rows, each naming the row it repeats."""
    prefix = f"{filename}, " if filename else ""
    units = {u.code: u for u in db.session.scalars(db.select(Unit))}
    # Codes are matched without regard to case, as on the join link (`registration.find_unit`).
    folded = {code.upper(): unit for code, unit in sorted(units.items(), reverse=True)}
    problems: list[str] = []
    parsed: dict[int, list[CleanEntry]] = {}
    seen: dict[tuple[int, str, str], int] = {}
    for number, row in rows:
        where = prefix + _("dòng %(n)d", n=number)
        code = row.get("unit_code", "").strip()
        unit = units.get(code) or folded.get(code.upper())
        if not code:
            problems.append(_("%(where)s: thiếu mã đơn vị (unit_code).", where=where))
        elif unit is None:
            problems.append(_("%(where)s: không có đơn vị mã '%(code)s' trong hệ thống.", where=where, code=code[:40]))
        elif actor is not None and not can_manage_roster(actor, unit):
            problems.append(_("%(where)s: đơn vị '%(code)s' không thuộc đơn vị của bạn; bạn chỉ được nhập danh sách "
                              "của đơn vị mình và các đơn vị trực thuộc.", where=where, code=code))
            unit = None
        entry, bad = clean_entry(row.get("full_name", ""), row.get("staff_code", ""), row.get("phone", ""),
                                 row.get("position", ""), row.get("sub_unit", ""))
        for key, message in bad.items():
            problems.append(_("%(where)s, %(column)s: %(problem)s", where=where, column=LABELS[key], problem=message))
        if entry is None or unit is None:
            continue
        for kind, value in (("phone", entry.phone), ("staff_code", entry.staff_code)):
            if value is None:
                continue
            first = seen.setdefault((unit.id, kind, value), number)
            if first != number:
                problems.append(_("%(where)s: %(column)s '%(value)s' trùng với dòng %(first)d trong danh sách "
                                  "của đơn vị %(code)s.", where=where, column=LABELS[kind], value=value,
                                  first=first, code=unit.code))
        parsed.setdefault(unit.id, []).append(entry)
        if len(problems) >= MAX_PROBLEMS:
            problems.append(_("… và có thể còn lỗi khác: hãy sửa các lỗi trên rồi tải lên lại."))
            break
    if not rows:
        problems.append(_("Tệp %(name)s không có dòng nào ngoài dòng tiêu đề.", name=filename or "?"))
    if problems:
        raise ValidationError(_("Không nhập danh sách nào: tệp có %(n)d lỗi.", n=len(problems)), problems=problems)
    if not may_remove_entries(actor):
        _refuse_removals(parsed, {u.id: u for u in units.values()})
    return _replace(parsed, {u.id: u for u in units.values()}, actor=actor, filename=filename, dry_run=dry_run)


def _refuse_removals(parsed: dict[int, list[CleanEntry]], by_id: dict[int, Unit]) -> None:
    """Refuse a file that would drop someone now on a roster (`entries.may_remove_entries`): an
    entry stays when the file keeps its phone or its staff code in the same unit, and the unit
    keeps at least as many people."""
    dropped = []
    for unit_id, new in parsed.items():
        phones = {e.phone for e in new if e.phone}
        codes = {e.staff_code for e in new if e.staff_code}
        current = list(db.session.scalars(db.select(RosterEntry).where(RosterEntry.unit_id == unit_id)
                                          .order_by(RosterEntry.id)))
        for entry in current:
            if entry.phone not in phones and entry.staff_code not in codes:
                dropped.append(_("%(unit)s: tệp bỏ %(name)s (đang có trong danh sách).",
                                 unit=by_id[unit_id].code, name=entry.full_name))
        if len(new) < len(current):  # one row may carry two people's numbers: count people too
            dropped.append(_("%(unit)s: danh sách đang có %(before)d người, tệp chỉ còn %(after)d.",
                             unit=by_id[unit_id].code, before=len(current), after=len(new)))
    if dropped:
        raise ValidationError(str(OPEN_QUIZ_NO_REMOVAL), problems=dropped[:MAX_PROBLEMS])


def _replace(parsed: dict[int, list[CleanEntry]], by_id: dict[int, Unit], *, actor, filename: str,
             dry_run: bool) -> RosterImportResult:
    """Delete and re-insert each named unit's roster under the unit rows' locks (`lock_units`)."""
    result = RosterImportResult()
    if not dry_run:
        lock_units(parsed)
    before = dict(db.session.execute(
        db.select(RosterEntry.unit_id, db.func.count()).where(RosterEntry.unit_id.in_(list(parsed)))
        .group_by(RosterEntry.unit_id)).all())
    for unit_id, entries in sorted(parsed.items(), key=lambda item: by_id[item[0]].path):
        unit = by_id[unit_id]
        result.units.append(UnitChange(unit.code, unit.name, int(before.get(unit_id, 0)), len(entries)))
        if dry_run:
            continue
        db.session.execute(db.delete(RosterEntry).where(RosterEntry.unit_id == unit_id))
        db.session.add_all(RosterEntry(unit_id=unit_id, **vars(entry)) for entry in entries)
    if not dry_run:
        db.session.flush()
        audit.record(actor, "roster.import", None, file=filename, units=len(result.units), entries=result.entries)
    return result


SAMPLE_CSV = (
    "unit_code,full_name,staff_code,phone,position,sub_unit\n"
    "BVDK-NOI,Nguyễn Thị Hoà,BV-0123,0912 345 678,Điều dưỡng trưởng,Khoa Tim mạch\n"
    "BVDK-NOI,Lò Văn Páo,BV-0124,,Bác sĩ,Khoa Tim mạch\n"
    "CDC,Trần Minh Đức,,0987 654 321,Kỹ thuật viên,Khoa Xét nghiệm\n"
)


def sample_csv() -> bytes:
    """The template: UTF-8 with BOM so Excel shows the accents."""
    return ("\ufeff" + SAMPLE_CSV).encode("utf-8")
