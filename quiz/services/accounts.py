"""Organizer accounts: creation, password checks with lockout."""
from __future__ import annotations

import functools
import re
import secrets
from datetime import timedelta

from werkzeug.security import check_password_hash, generate_password_hash

from flask_babel import gettext as _

from .. import clock
from ..errors import ConflictError, ValidationError
from ..extensions import db
from ..models import ROLES, Contest, Organizer, Unit, contest_organizer
from ..models import accounts as models_accounts
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

    A failure says nothing about the account: the caller shows one message for every failure,
    and an unknown email, a disabled or a locked account pay for one password hash as a wrong
    password does, so response times do not tell which emails have accounts, or which are locked.
    """
    organizer = db.session.scalar(db.select(Organizer).filter_by(email=(email or "").strip().lower()))
    now = clock.utcnow()
    if (organizer is None or not organizer.is_enabled
            or (organizer.locked_until is not None and organizer.locked_until > now)):
        check_password_hash(_dummy_hash(), password or "")
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


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16), method=models_accounts.PASSWORD_HASH_METHOD)


def organizer_for_session(session_id: str) -> Organizer | None:
    """The account a session or "remember me" cookie belongs to, while that session is current.

    `session_id` is what Organizer.get_id() gave at login (`"<id>:<session version>"`); the
    cookies carrying it are signed, so only its age is in question: a logout, a new password or
    disabling the account raised the version since, and the session is over.
    """
    organizer_id, _sep, version = (session_id or "").partition(":")
    if not (organizer_id.isascii() and organizer_id.isdigit() and version.isascii() and version.isdigit()
            and len(organizer_id) <= 9 and len(version) <= 9):
        return None
    organizer = db.session.get(Organizer, int(organizer_id))
    return organizer if organizer is not None and organizer.is_session_current(int(version)) else None


def end_sessions(organizer: Organizer) -> None:
    """Log the account out everywhere: every browser's session and "remember me" cookie."""
    organizer.end_sessions()


# --- The admin's accounts screen ----------------------------------------------------------

def list_organizers() -> list[Organizer]:
    return list(db.session.scalars(db.select(Organizer).order_by(Organizer.role, Organizer.email)))


def granted_contest_ids(organizer: Organizer) -> list[int]:
    return list(db.session.scalars(db.select(contest_organizer.c.contest_id)
                                   .where(contest_organizer.c.organizer_id == organizer.id)))


def update_organizer(organizer: Organizer, *, full_name: str, role: str, unit: Unit | None,
                     contest_ids: list[int], actor: Organizer) -> Organizer:
    """Change name, role, unit and granted contests; an admin cannot demote themselves."""
    fields: dict[str, list[str]] = {}
    if role not in ROLES:
        fields["role"] = [_("Vai trò phải là một trong: %(roles)s.", roles=", ".join(ROLES))]
    elif organizer.id == actor.id and role != "admin":
        fields["role"] = [_("Bạn không thể tự hạ quyền quản trị của chính mình.")]
    if role == "unit" and unit is None:
        fields["unit"] = [_("Tài khoản đầu mối đơn vị cần chọn đơn vị.")]
    if fields:
        raise ValidationError(" ".join(m for msgs in fields.values() for m in msgs), fields=fields)
    before = {"full_name": organizer.full_name, "role": organizer.role,
              "unit": organizer.unit.code if organizer.unit else None,
              "contests": sorted(granted_contest_ids(organizer))}
    organizer.full_name = (full_name or "").strip()
    organizer.role = role
    organizer.unit = unit if role == "unit" else None
    contests = list(db.session.scalars(db.select(Contest).where(Contest.id.in_(contest_ids)))) \
        if role == "organizer" and contest_ids else []
    _set_granted_contests(organizer, contests)
    db.session.flush()
    after = {"full_name": organizer.full_name, "role": role, "unit": organizer.unit.code if organizer.unit else None,
             "contests": sorted(c.id for c in contests)}
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    audit.record(actor, "organizer.update", organizer, email=organizer.email, **changes)
    return organizer


def _set_granted_contests(organizer: Organizer, contests: list[Contest]) -> None:
    db.session.execute(contest_organizer.delete().where(contest_organizer.c.organizer_id == organizer.id))
    if contests:
        db.session.execute(contest_organizer.insert(),
                           [{"contest_id": c.id, "organizer_id": organizer.id} for c in contests])
    # The Contest.organizers collections already loaded in this session are now stale.
    for contest in contests:
        db.session.expire(contest, ["organizers"])


def set_enabled(organizer: Organizer, is_enabled: bool, *, actor: Organizer) -> Organizer:
    if organizer.id == actor.id and not is_enabled:
        raise ConflictError(_("Bạn không thể tự khóa tài khoản của chính mình."))
    organizer.is_enabled = is_enabled
    if is_enabled:
        organizer.failed_logins, organizer.locked_until = 0, None
    else:
        organizer.end_sessions()  # its sessions stay dead if it is enabled again
    audit.record(actor, "organizer.enable" if is_enabled else "organizer.disable", organizer,
                 email=organizer.email)
    return organizer


def reset_password(organizer: Organizer, password: str, *, actor: Organizer) -> Organizer:
    """A new password set by an admin; every session of the account ends (Organizer.set_password)."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(_("Mật khẩu cần ít nhất %(n)d ký tự.", n=MIN_PASSWORD_LENGTH),
                              fields={"password": [_("Mật khẩu cần ít nhất %(n)d ký tự.", n=MIN_PASSWORD_LENGTH)]})
    organizer.set_password(password)
    organizer.failed_logins, organizer.locked_until = 0, None
    audit.record(actor, "organizer.password_reset", organizer, email=organizer.email)
    return organizer
