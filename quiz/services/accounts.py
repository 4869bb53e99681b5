"""Organizer accounts: creation, password checks with lockout."""
from __future__ import annotations

import re
from datetime import timedelta

from flask_babel import gettext as _

from .. import clock
from ..errors import ConflictError, ValidationError
from ..extensions import db
from ..models import ROLES, Organizer, Unit
from . import audit

MIN_PASSWORD_LENGTH = 8
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def create_organizer(email: str, role: str, password: str, *, unit_code: str | None = None,
                     full_name: str = "", actor: Organizer | None = None) -> Organizer:
    email = (email or "").strip().lower()
    fields: dict[str, list[str]] = {}
    if not _EMAIL.match(email):
        fields["email"] = [_("Email %(email)s không hợp lệ.", email=email or "''")]
    if role not in ROLES:
        fields["role"] = [_("Vai trò phải là một trong: %(roles)s.", roles=", ".join(ROLES))]
    if len(password or "") < MIN_PASSWORD_LENGTH:
        fields["password"] = [_("Mật khẩu cần ít nhất %(n)d ký tự.", n=MIN_PASSWORD_LENGTH)]
    unit = None
    if unit_code:
        unit = db.session.scalar(db.select(Unit).filter_by(code=unit_code.strip()))
        if unit is None:
            fields["unit"] = [_("Không có đơn vị mã %(code)s.", code=unit_code)]
    elif role == "unit":
        fields["unit"] = [_("Tài khoản đầu mối đơn vị cần mã đơn vị (--unit).")]
    if fields:
        raise ValidationError(" ".join(m for msgs in fields.values() for m in msgs), fields=fields)
    if db.session.scalar(db.select(Organizer.id).filter_by(email=email)) is not None:
        raise ConflictError(_("Đã có tài khoản với email %(email)s.", email=email))
    organizer = Organizer(email=email, role=role, unit=unit, full_name=full_name.strip())
    organizer.set_password(password)
    db.session.add(organizer)
    db.session.flush()
    audit.record(actor, "organizer.create", organizer, email=email, role=role)
    return organizer


def authenticate(email: str, password: str, *, max_failures: int, lock_minutes: int) -> Organizer | None:
    """The organizer if the password matches and the account is not locked, else None.

    After `max_failures` wrong passwords in a row the account is locked for `lock_minutes`,
    which slows a brute-force attack to a handful of guesses per quarter hour.
    """
    organizer = db.session.scalar(db.select(Organizer).filter_by(email=(email or "").strip().lower()))
    if organizer is None or not organizer.is_enabled:
        return None
    now = clock.utcnow()
    if organizer.locked_until is not None and organizer.locked_until > now:
        return None
    if not organizer.check_password(password or ""):
        organizer.failed_logins += 1
        if organizer.failed_logins >= max_failures:
            organizer.locked_until = now + timedelta(minutes=lock_minutes)
            organizer.failed_logins = 0
            audit.record(None, "organizer.locked", organizer)
        return None
    organizer.failed_logins = 0
    organizer.locked_until = None
    organizer.last_login_at = now
    return organizer


def is_locked(email: str) -> bool:
    organizer = db.session.scalar(db.select(Organizer).filter_by(email=(email or "").strip().lower()))
    return bool(organizer and organizer.locked_until and organizer.locked_until > clock.utcnow())
