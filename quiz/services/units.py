"""Units: import (upsert by code, all or nothing), tree order and materialised paths."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ..errors import ValidationError
from ..extensions import db
from ..models import Organizer, Unit
from . import audit
from .tabular import read_table

UNIT_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$")
COLUMN_ALIASES = {
    "code": ("code", "ma", "ma don vi"),
    "name": ("name", "ten", "ten don vi"),
    "parent_code": ("parent code", "parent", "ma don vi cha", "don vi cha", "ma cha"),
    "headcount": ("headcount", "so nguoi", "so luong", "so can bo", "quan so"),
}


@dataclass
class UnitImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _column(row: dict[str, str], name: str) -> str:
    for alias in COLUMN_ALIASES[name]:
        if alias in row:
            return row[alias]
    return ""


def import_units_file(data: bytes, filename: str, actor: Organizer | None = None,
                      dry_run: bool = False) -> UnitImportResult:
    headers, rows = read_table(data, filename)
    missing = [n for n in ("code", "name") if not any(a in headers for a in COLUMN_ALIASES[n])]
    if missing:
        raise ValidationError(_("Tệp %(name)s thiếu cột: %(cols)s (cần code, name, parent_code, headcount).",
                                name=filename, cols=", ".join(missing)))
    return import_units(
        [(n, {k: _column(r, k) for k in COLUMN_ALIASES}) for n, r in rows],
        filename=filename, actor=actor, dry_run=dry_run,
    )


def import_units(rows: list[tuple[int, dict[str, str]]], *, filename: str = "",
                 actor: Organizer | None = None, dry_run: bool = False) -> UnitImportResult:
    """Upsert units by code. Every bad row is reported; if any row is bad nothing is written.

    Parents may appear anywhere in the file or already exist in the database.
    """
    existing = {u.code: u for u in db.session.scalars(db.select(Unit))}
    problems: list[str] = []
    seen: dict[str, int] = {}
    parsed: list[tuple[int, str, str, str, int | None]] = []
    prefix = f"{filename}, " if filename else ""
    for number, row in rows:
        code, name, parent = row.get("code", "").strip(), row.get("name", "").strip(), row.get("parent_code", "").strip()
        raw_headcount = str(row.get("headcount", "")).strip()
        where = prefix + _("dòng %(n)d", n=number)
        if not code:
            problems.append(_("%(where)s: thiếu mã đơn vị (code).", where=where))
        elif not UNIT_CODE.match(code):
            problems.append(_("%(where)s: mã đơn vị '%(code)s' chỉ được gồm chữ không dấu, số, '-', '_' hoặc '.' (tối đa 32 ký tự).",
                              where=where, code=code))
        elif code in seen:
            problems.append(_("%(where)s: mã đơn vị '%(code)s' đã xuất hiện ở dòng %(first)d.",
                              where=where, code=code, first=seen[code]))
        else:
            seen[code] = number
        if not name:
            problems.append(_("%(where)s: thiếu tên đơn vị (name).", where=where))
        elif len(name) > 200:
            problems.append(_("%(where)s: tên đơn vị dài quá 200 ký tự.", where=where))
        headcount = None
        if raw_headcount:
            try:
                headcount = int(float(raw_headcount))
                if headcount < 0 or float(raw_headcount) != headcount:
                    raise ValueError
            except ValueError:
                problems.append(_("%(where)s: số người (headcount) '%(v)s' phải là số nguyên không âm.",
                                  where=where, v=raw_headcount))
        if parent and parent == code:
            problems.append(_("%(where)s: đơn vị không thể là cha của chính nó.", where=where))
        parsed.append((number, code, name, parent, headcount))
    known = set(existing) | set(seen)
    for number, code, _name, parent, _h in parsed:
        if parent and parent not in known:
            problems.append(_("%(where)s: không có đơn vị cha mã '%(parent)s' (trong tệp hay trong hệ thống).",
                              where=prefix + _("dòng %(n)d", n=number), parent=parent))
    if not problems:
        problems.extend(_cycles(parsed, existing, prefix))
    if problems:
        raise ValidationError(_("Không nhập đơn vị nào: tệp có %(n)d lỗi.", n=len(problems)), problems=problems)

    result = UnitImportResult()
    for _number, code, name, _parent, headcount in parsed:
        unit = existing.get(code)
        if unit is None:
            unit = Unit(code=code, name=name, headcount=headcount, path="/")
            db.session.add(unit)
            existing[code] = unit
            result.created.append(code)
        elif (unit.name, unit.headcount) != (name, headcount):
            unit.name, unit.headcount = name, headcount
            result.updated.append(code)
        else:
            result.unchanged.append(code)
    db.session.flush()
    for _number, code, _name, parent, _h in parsed:
        unit = existing[code]
        parent_id = existing[parent].id if parent else None
        if unit.parent_id != parent_id:
            unit.parent_id = parent_id
            if code in result.unchanged:
                result.unchanged.remove(code)
                result.updated.append(code)
    db.session.flush()
    refresh_paths()
    if dry_run:
        db.session.rollback()
    else:
        audit.record(actor, "units.import", None, file=filename, created=len(result.created),
                     updated=len(result.updated))
    return result


def _cycles(parsed, existing: dict[str, Unit], prefix: str) -> list[str]:
    parent_of = {u.code: (u.parent.code if u.parent else "") for u in existing.values()}
    for _number, code, _name, parent, _h in parsed:
        parent_of[code] = parent
    problems = []
    for number, code, *_rest in parsed:
        seen, current = {code}, parent_of.get(code, "")
        while current:
            if current in seen:
                problems.append(_("%(where)s: đơn vị '%(code)s' tạo thành vòng lặp cha–con.",
                                  where=prefix + _("dòng %(n)d", n=number), code=code))
                break
            seen.add(current)
            current = parent_of.get(current, "")
    return problems


def refresh_paths() -> None:
    """Recompute every unit's materialised path from parent links (units are few: hundreds)."""
    units = list(db.session.scalars(db.select(Unit)))
    by_id = {u.id: u for u in units}
    for unit in units:
        chain, current = [], unit
        while current is not None:
            chain.append(current.id)
            current = by_id.get(current.parent_id) if current.parent_id else None
        path = "/" + "/".join(str(i) for i in reversed(chain)) + "/"
        if unit.path != path:
            unit.path = path
    db.session.flush()


def units_in_tree_order() -> list[Unit]:
    """All units, parents before children, siblings by sort order then name."""
    units = list(db.session.scalars(db.select(Unit).order_by(Unit.sort_order, Unit.name)))
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered: list[Unit] = []

    def walk(parent_id: int | None) -> None:
        for child in children.get(parent_id, []):
            ordered.append(child)
            walk(child.id)

    walk(None)
    return ordered


def unit_picker_items() -> list[dict]:
    """The unit tree flattened for a picker: code, name, parent code, depth."""
    return [
        {"code": u.code, "name": u.name, "parent_code": u.parent.code if u.parent else None, "depth": u.depth}
        for u in units_in_tree_order()
    ]
