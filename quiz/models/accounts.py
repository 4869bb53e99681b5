"""Organizer accounts: admins, organizers and unit contacts."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .. import clock
from ..extensions import db
from .types import UTCDateTime
from .units import Unit

ROLES = ("admin", "organizer", "unit")
# werkzeug's default (scrypt) is deliberately slow; the test suite swaps in a cheap method.
PASSWORD_HASH_METHOD = "scrypt"


class Organizer(UserMixin, db.Model):
    __tablename__ = "organizer"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'organizer', 'unit')", name="role_known"),
        CheckConstraint("role <> 'unit' OR unit_id IS NOT NULL", name="unit_contact_has_unit"),
        CheckConstraint("failed_logins >= 0", name="failed_logins_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every session's and "remember me" cookie's user id (see get_id): raising it ends
    # every session of the account at once — logout, a new password, disabling.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)

    unit: Mapped[Unit | None] = relationship()

    def set_password(self, password: str) -> None:
        """A new password; every session opened with the old one ends."""
        self.password_hash = generate_password_hash(password, method=PASSWORD_HASH_METHOD)
        self.end_sessions()

    def end_sessions(self) -> None:
        """Every session and "remember me" cookie of this account stops being accepted."""
        self.session_version = (self.session_version or 0) + 1

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember cookie (both signed): the id
        and the session version, so that a cookie outlives neither a logout nor a password reset."""
        return f"{self.id}:{self.session_version}"

    def is_session_current(self, version: int) -> bool:
        return self.is_enabled and version == self.session_version

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sessions of disabled accounts
        return self.is_enabled

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def __repr__(self) -> str:
        return f"<Organizer {self.email} {self.role}>"
