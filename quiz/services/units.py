"""Units: import (upsert by code, all or nothing), tree order and materialised paths."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ..errors import ConflictError, ValidationError
from ..extensions import db
from ..models import Organizer, Participant, Unit
from . import audit
from .tabular import read_table

UNIT_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$")
MAX_DEPTH = 10  # levels: department → hospital → ward → cell is four; a deeper chain is a crafted file
MAX_HEADCOUNT = 1_000_000  # staff of one unit; the column is an int4 and rates are computed from it
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
        where = _Where(prefix, number)  # translated only if a problem needs it (6,000 rows: 1 s)
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
                if not 0 <= headcount <= MAX_HEADCOUNT or float(raw_headcount) != headcount:
                    raise ValueError
            except (ValueError, OverflowError):  # OverflowError: "1e400" is an infinite float
                problems.append(_("%(where)s: số người (headcount) '%(v)s' phải là số nguyên từ 0 đến %(max)d.",
                                  where=where, v=raw_headcount[:40], max=MAX_HEADCOUNT))
        if parent and parent == code:
            problems.append(_("%(where)s: đơn vị không thể là cha của chính nó.", where=where))
        parsed.append((number, code, name, parent, headcount))
    known = set(existing) | set(seen)
    for number, code, _name, parent, _h in parsed:
        if parent and parent not in known:
            problems.append(_("%(where)s: không có đơn vị cha mã '%(parent)s' (trong tệp hay trong hệ thống).",
                              where=prefix + _("dòng %(n)d", n=number), parent=parent))
    if not problems:
        problems.extend(_tree_problems(parsed, existing, prefix))
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


class _Where:
    """"file, dòng N", translated when a message is built, not for every row read."""

    def __init__(self, prefix: str, number: int):
        self.prefix, self.number = prefix, number

    def __str__(self) -> str:
        return self.prefix + _("dòng %(n)d", n=self.number)


def _tree_problems(parsed, existing: dict[str, Unit], prefix: str) -> list[str]:
    """Loops and chains deeper than MAX_DEPTH, the tree the file would make with the stored units.

    Each unit walks up at most MAX_DEPTH steps, so a crafted 6,000-level chain costs
    6,000 × 10 steps, not 6,000²; only the first few offending rows are listed.
    """
    code_of = {u.id: u.code for u in existing.values()}
    parent_of = {u.code: code_of.get(u.parent_id, "") for u in existing.values()}
    for _number, code, _name, parent, _h in parsed:
        parent_of[code] = parent
    problems = []
    for number, code, *_rest in parsed:
        seen, current, levels = {code}, parent_of.get(code, ""), 1
        while current:
            if current in seen:
                problems.append(_("%(where)s: đơn vị '%(code)s' tạo thành vòng lặp cha–con.",
                                  where=prefix + _("dòng %(n)d", n=number), code=code))
                break
            levels += 1
            if levels > MAX_DEPTH:
                problems.append(_("%(where)s: đơn vị '%(code)s' nằm sâu hơn %(max)d cấp trong cây đơn vị.",
                                  where=prefix + _("dòng %(n)d", n=number), code=code, max=MAX_DEPTH))
                break
            seen.add(current)
            current = parent_of.get(current, "")
        if len(problems) >= 20:
            problems.append(_("… và có thể còn lỗi khác: hãy sửa các lỗi trên rồi tải lên lại."))
            break
    return problems


def check_depth(unit: Unit | None, parent: Unit | None) -> dict[str, list[str]]:
    """A field error when putting `unit` (with its subtree) under `parent` makes the tree deeper
    than MAX_DEPTH levels (a unit's level is the number of ids in its path)."""
    above = parent.path.count("/") - 1 if parent is not None else 0
    height = 1
    if unit is not None and unit.id is not None:
        paths = db.session.scalars(db.select(Unit.path).where(Unit.path.startswith(unit.path)))
        height = max((p.count("/") for p in paths), default=0) - unit.path.count("/") + 1
    if above + height > MAX_DEPTH:
        return {"parent": [_("Cây đơn vị tối đa %(max)d cấp: không thể đặt đơn vị ở đây.", max=MAX_DEPTH)]}
    return {}


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
    """The unit tree flattened for a picker: code, name, parent code, depth.

    Plain rows, not ORM objects: every join page shows the whole tree (hundreds of units), and
    building entities and following `parent` for each cost more than the page itself.
    """
    rows = db.session.execute(db.select(Unit.id, Unit.code, Unit.name, Unit.parent_id, Unit.path)
                              .order_by(Unit.sort_order, Unit.name)).all()
    code_of = {r.id: r.code for r in rows}
    children: dict[int | None, list] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    items: list[dict] = []

    def walk(parent_id: int | None) -> None:  # the same order as units_in_tree_order()
        for row in children.get(parent_id, []):
            items.append({"code": row.code, "name": row.name, "parent_code": code_of.get(row.parent_id),
                          "depth": row.path.count("/") - 2})
            walk(row.id)

    walk(None)
    return items


# --- The console's unit screen: tree with totals, single-unit edits -------------------------

@dataclass
class UnitRow:
    unit: Unit
    depth: int
    subtotal: int          # headcounts of the unit and everything under it
    has_children: bool


def unit_tree_rows() -> tuple[list[UnitRow], int]:
    """The tree in display order with each unit's subtree headcount, and the grand total."""
    ordered = units_in_tree_order()
    children: dict[int | None, list[Unit]] = {}
    for unit in ordered:
        children.setdefault(unit.parent_id, []).append(unit)
    subtotals: dict[int, int] = {}
    for unit in reversed(ordered):  # children come after parents, so walk backwards
        subtotals[unit.id] = (unit.headcount or 0) + sum(subtotals[c.id] for c in children.get(unit.id, []))
    rows = [UnitRow(u, u.depth, subtotals[u.id], bool(children.get(u.id))) for u in ordered]
    return rows, sum(u.headcount or 0 for u in ordered)


def _check_unit_fields(code: str, name: str, headcount: int | None, *, unit: Unit | None) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    if not UNIT_CODE.match(code):
        fields["code"] = [_("Mã đơn vị chỉ gồm chữ không dấu, số, '-', '_' hoặc '.' (tối đa 32 ký tự).")]
    else:
        other = db.session.scalar(db.select(Unit).filter_by(code=code))
        if other is not None and other is not unit:
            fields["code"] = [_("Đã có đơn vị mã %(code)s.", code=code)]
    if not name:
        fields["name"] = [_("Vui lòng nhập tên đơn vị.")]
    elif len(name) > 200:
        fields["name"] = [_("Tên đơn vị tối đa 200 ký tự.")]
    if headcount is not None and not 0 <= headcount <= MAX_HEADCOUNT:
        fields["headcount"] = [_("Số người phải là số nguyên từ 0 đến %(max)d.", max=MAX_HEADCOUNT)]
    return fields


def _raise_fields(fields: dict[str, list[str]]) -> None:
    if fields:
        raise ValidationError(" ".join(m for msgs in fields.values() for m in msgs), fields=fields)


def create_unit(code: str, name: str, *, parent: Unit | None = None, headcount: int | None = None,
                actor: Organizer | None = None) -> Unit:
    code, name = (code or "").strip(), (name or "").strip()
    _raise_fields({**_check_unit_fields(code, name, headcount, unit=None), **check_depth(None, parent)})
    unit = Unit(code=code, name=name, parent=parent, headcount=headcount, path="/")
    db.session.add(unit)
    db.session.flush()
    refresh_paths()
    audit.record(actor, "unit.create", unit, code=code, name=name, parent=parent.code if parent else None)
    return unit


def update_unit(unit: Unit, code: str, name: str, *, parent: Unit | None, headcount: int | None,
                actor: Organizer | None = None) -> Unit:
    """Change a unit, including moving it under another parent (never under itself or a descendant)."""
    code, name = (code or "").strip(), (name or "").strip()
    fields = _check_unit_fields(code, name, headcount, unit=unit)
    if parent is not None and (parent.id == unit.id or parent.path.startswith(unit.path)):
        fields["parent"] = [_("Không thể chuyển đơn vị vào chính nó hoặc vào đơn vị con của nó.")]
    elif parent is not None and parent.id != unit.parent_id:
        fields.update(check_depth(unit, parent))
    _raise_fields(fields)
    before = {"code": unit.code, "name": unit.name, "headcount": unit.headcount,
              "parent": unit.parent.code if unit.parent else None}
    unit.code, unit.name, unit.headcount, unit.parent = code, name, headcount, parent
    db.session.flush()
    refresh_paths()
    after = {"code": code, "name": name, "headcount": headcount, "parent": parent.code if parent else None}
    audit.record(actor, "unit.update", unit, **{k: [before[k], after[k]] for k in after if before[k] != after[k]})
    return unit


def delete_unit(unit: Unit, actor: Organizer | None = None) -> None:
    """Delete a unit nobody depends on; otherwise say what still depends on it."""
    reasons = []
    children = db.session.scalar(db.select(db.func.count()).select_from(Unit).filter_by(parent_id=unit.id))
    if children:
        reasons.append(_("còn %(n)d đơn vị con", n=children))
    people = db.session.scalar(db.select(db.func.count()).select_from(Participant).filter_by(unit_id=unit.id))
    if people:
        reasons.append(_("đã có %(n)d người dự thi", n=people))
    accounts = db.session.scalar(db.select(db.func.count()).select_from(Organizer).filter_by(unit_id=unit.id))
    if accounts:
        reasons.append(_("còn %(n)d tài khoản gắn với đơn vị", n=accounts))
    if reasons:
        raise ConflictError(_("Không xóa được đơn vị %(name)s: %(reasons)s.", name=unit.name,
                              reasons="; ".join(reasons)))
    audit.record(actor, "unit.delete", unit, code=unit.code, name=unit.name)
    db.session.delete(unit)
    db.session.flush()


SAMPLE_CSV = (
    "code,name,parent_code,headcount\n"
    "SYT,Sở Y tế,,\n"
    "BVDK,Bệnh viện Đa khoa tỉnh,SYT,450\n"
    "BVDK-NOI,Khoa Nội,BVDK,35\n"
    "CDC,Trung tâm Kiểm soát bệnh tật,SYT,120\n"
)


def sample_csv() -> bytes:
    """A small example import file, UTF-8 with BOM so Excel shows the accents."""
    return ("\ufeff" + SAMPLE_CSV).encode("utf-8")
