"""Roster entries: one rule for a clean entry (import and console alike), single-entry edits,
and the roster's size as the unit's headcount."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from ... import clock
from ...errors import ForbiddenError, ValidationError
from ...extensions import db
from ...models import Organizer, RosterEntry, Unit
from .. import audit
from ..identity import name_key, normalise_identity
from ..locks import hold_write_lock
from ..quizzes import any_quiz_open

MAX_TEXT = 120
# Excel stores a phone typed as a number and drops its leading 0: 912345678 is 0912345678.
_ZERO_DROPPED = re.compile(r"[1-9][0-9]{8}")


@dataclass
class CleanEntry:
    full_name: str
    staff_code: str | None
    phone: str | None
    position: str
    sub_unit: str


def clean_entry(full_name: str, staff_code: str, phone: str, position: str, sub_unit: str
                ) -> tuple[CleanEntry | None, dict[str, str]]:
    """The entry as stored (identities normalised as participants' are), or the problems by field.

    A staff code must contain a letter: a participant who types digits only is taken for a phone
    number, so an all-digit code could never be matched.
    """
    problems: dict[str, str] = {}
    full_name, position, sub_unit = (" ".join(unicodedata.normalize("NFC", v or "").split())
                                     for v in (full_name, position, sub_unit))
    staff_code, phone = (staff_code or "").strip(), (phone or "").strip()
    if not full_name:
        problems["full_name"] = _("thiếu họ tên.")
    elif len(full_name) > MAX_TEXT:
        problems["full_name"] = _("họ tên dài quá %(n)d ký tự.", n=MAX_TEXT)
    for name, value in (("position", position), ("sub_unit", sub_unit)):
        if len(value) > MAX_TEXT:
            problems[name] = _("“%(value)s…” dài quá %(n)d ký tự.", value=value[:20], n=MAX_TEXT)
    if not staff_code and not phone:
        problems["identity"] = _("cần số điện thoại hoặc mã cán bộ (hoặc cả hai).")
    normal_phone = normal_code = None
    if phone:
        typed = "0" + phone if _ZERO_DROPPED.fullmatch(phone) else phone
        try:
            kind, normal_phone = normalise_identity(typed)
            if kind != "phone":
                raise ValidationError("")
        except ValidationError:
            normal_phone = None
            problems["phone"] = _("số điện thoại '%(value)s' không hợp lệ (cần 10 chữ số, bắt đầu bằng 0).",
                                  value=phone[:40])
    if staff_code:
        try:
            kind, normal_code = normalise_identity(staff_code)
            if kind != "staff":
                raise ValidationError("")
        except ValidationError:
            normal_code = None
            problems["staff_code"] = _("mã cán bộ '%(value)s' không hợp lệ: 3–30 ký tự, có ít nhất một chữ cái "
                                       "(chữ không dấu, số, '-', '_', '/', '.').", value=staff_code[:40])
    if problems:
        return None, problems
    return CleanEntry(full_name, normal_code, normal_phone, position, sub_unit), {}


def can_read_roster(user: Organizer, unit: Unit) -> bool:
    """Admins and organizers read every unit's roster; a unit contact those of their subtree."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role in ("admin", "organizer"):
        return True
    return user.role == "unit" and user.unit is not None and unit.path.startswith(user.unit.path)


def can_manage_roster(user: Organizer, unit: Unit) -> bool:
    """Admins change every unit's roster; a unit contact those of their subtree. An organizer's
    role is scoped to contests, and a roster's size is its unit's headcount in every contest's
    rates and prizes (docs/SECURITY.md §13): they only read."""
    return user.role != "organizer" and can_read_roster(user, unit)


def may_edit_rosters(user: Organizer) -> bool:
    """Whether `user` may change some roster (the console shows its buttons)."""
    return user.role in ("admin", "unit")


def check_roster_access(user: Organizer | None, unit: Unit) -> None:
    """A 403 unless `user` (None: the command line) may change `unit`'s roster."""
    if user is None or can_manage_roster(user, unit):
        return
    if user.role == "organizer":
        raise ForbiddenError(str(ORGANIZER_READ_ONLY))
    raise ForbiddenError(_("Bạn chỉ được sửa danh sách cán bộ của đơn vị mình và các đơn vị trực thuộc."))


ORGANIZER_READ_ONLY = _l("Chỉ quản trị viên và người phụ trách đơn vị được sửa danh sách cán bộ; Ban tổ chức "
                         "cuộc thi chỉ xem. Hãy gửi thay đổi cho quản trị viên.")
OPEN_QUIZ_NO_REMOVAL = _l("Đang có đợt thi mở: chỉ quản trị viên được bớt người khỏi danh sách. "
                          "Hãy gửi danh sách cho Ban tổ chức.")


def may_remove_entries(user: Organizer | None) -> bool:
    """Whether `user` may take people off a roster now. A roster's size is the headcount of
    its unit's participation rate: while a quiz is open, a unit contact who removed those who
    have not taken part would raise their own rate, so only admins (and the command line) may."""
    if user is None or user.role == "admin":
        return True
    return not any_quiz_open(clock.utcnow())


def check_removal(user: Organizer | None) -> None:
    if not may_remove_entries(user):
        raise ForbiddenError(str(OPEN_QUIZ_NO_REMOVAL))


def _raise(problems: dict[str, str]) -> None:
    if problems:
        fields = {("staff_code" if k == "identity" else k): [v] for k, v in problems.items()}
        raise ValidationError(_("Chưa lưu: %(problems)s", problems=" ".join(problems.values())), fields=fields)


def _duplicate(unit: Unit, entry: CleanEntry, exclude: RosterEntry | None) -> dict[str, str]:
    problems = {}
    for column, value in (("phone", entry.phone), ("staff_code", entry.staff_code)):
        if value is None:
            continue
        other = db.session.scalar(db.select(RosterEntry).where(
            RosterEntry.unit_id == unit.id, getattr(RosterEntry, column) == value))
        if other is not None and other is not exclude:
            problems[column] = _("%(name)s trong danh sách đã có số/mã này.", name=other.full_name)
    return problems


def lock_units(unit_ids: Iterable[int]) -> None:
    """Lock the units' rows (by id; SQLite: the write lock) before changing their rosters, so two
    changes of one roster at once run one after the other: the duplicate check, or an import's
    delete and re-insert, then sees the other's result instead of colliding on the unique keys."""
    hold_write_lock()
    db.session.execute(db.select(Unit.id).where(Unit.id.in_(sorted(unit_ids))).order_by(Unit.id).with_for_update())


def save_entry(unit: Unit, values: dict[str, str], *, entry: RosterEntry | None = None,
               actor: Organizer | None = None) -> RosterEntry:
    """Add an entry to `unit`'s roster, or change `entry`; the same rules as an import row."""
    check_roster_access(actor, unit)
    clean, problems = clean_entry(values.get("full_name", ""), values.get("staff_code", ""),
                                  values.get("phone", ""), values.get("position", ""), values.get("sub_unit", ""))
    _raise(problems)
    lock_units([unit.id])
    _raise(_duplicate(unit, clean, entry))
    created = entry is None
    if created:
        entry = RosterEntry(unit_id=unit.id)
        db.session.add(entry)
    for name, value in vars(clean).items():
        setattr(entry, name, value)
    db.session.flush()
    # The audit log is read by every admin: it names the entry, never its phone number.
    audit.record(actor, "roster.add" if created else "roster.update", entry, unit=unit.code)
    return entry


def delete_entry(entry: RosterEntry, actor: Organizer | None = None) -> None:
    check_roster_access(actor, entry.unit)
    check_removal(actor)
    audit.record(actor, "roster.delete", entry, unit=entry.unit.code)
    db.session.delete(entry)
    db.session.flush()


def roster_sizes(unit_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Entries per unit, for the units that have a roster (one GROUP BY)."""
    query = db.select(RosterEntry.unit_id, func.count()).group_by(RosterEntry.unit_id)
    if unit_ids is not None:
        query = query.where(RosterEntry.unit_id.in_(list(unit_ids)))
    return {unit_id: int(n) for unit_id, n in db.session.execute(query)}


def unit_headcounts(units: Iterable[Unit]) -> dict[int, int | None]:
    """Each unit's own headcount: its roster's size where it has a roster, else the typed one.

    The one place the rankings and the monitor take a unit's headcount from (they roll
    children up into parents themselves).
    """
    sizes = roster_sizes()
    return {unit.id: sizes.get(unit.id, unit.headcount) for unit in units}


def unit_roster(unit: Unit) -> list[RosterEntry]:
    """The unit's roster by department, then given name (the last word), as Vietnamese lists are."""
    entries = db.session.scalars(db.select(RosterEntry).where(RosterEntry.unit_id == unit.id))
    return sorted(entries, key=lambda e: (name_key(e.sub_unit), *given_name_first(e.full_name), e.id))


def given_name_first(full_name: str) -> tuple[str, str]:
    """Vietnamese lists sort by the given name (the last word), then the whole name."""
    key = name_key(full_name)
    return key.rsplit(" ", 1)[-1], key
