"""Rosters (danh sách cán bộ): each unit's staff list, and the unit contact's reviews of
participants who are on no list."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..extensions import db
from .accounts import Organizer
from .attempts import Participant
from .types import UTCDateTime
from .units import Unit


class RosterEntry(db.Model):
    """One staff member on a unit's roster.

    `phone` and `staff_code` are stored as `identity.normalise_identity()` returns them, so a
    participant is matched by plain equality with their (equally normalised) identity. Nothing
    links an entry to a participant: the match is made when a page is read, so re-importing a
    roster (which replaces its entries) can never leave a stale link behind.
    """

    __tablename__ = "roster_entry"
    __table_args__ = (
        UniqueConstraint("unit_id", "phone"),
        UniqueConstraint("unit_id", "staff_code"),
        CheckConstraint("phone IS NOT NULL OR staff_code IS NOT NULL", name="has_identity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(120))
    staff_code: Mapped[str | None] = mapped_column(String(40), index=True)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    position: Mapped[str] = mapped_column(String(120), default="")
    sub_unit: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)

    unit: Mapped[Unit] = relationship()

    def __repr__(self) -> str:
        return f"<RosterEntry {self.unit_id} {self.full_name}>"


class RosterReview(db.Model):
    """A unit contact confirmed that a participant on no roster does belong to `unit_id` (the
    unit they chose). Moving the participant elsewhere makes the review stale: it counts only
    while the participant's unit is still `unit_id`."""

    __tablename__ = "roster_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("organizer.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)

    participant: Mapped[Participant] = relationship()
    reviewed_by: Mapped[Organizer | None] = relationship()
