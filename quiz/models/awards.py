"""The end of a campaign: prize tables (cơ cấu giải thưởng), winner checks, published award
lists and certificates (giấy chứng nhận)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..extensions import db
from .accounts import Organizer
from .attempts import Participant
from .quizzes import Contest, Quiz
from .types import UTCDateTime

CHECK_STATUSES = ("verified", "disqualified")
CERTIFICATE_KINDS = ("award", "completion")


class PrizeTable(db.Model):
    """The prizes of one round (`quiz_id` set) or of the whole contest (`quiz_id` NULL).

    `scope_key` is the quiz id as text, or "contest": one table per scope, enforced by the
    database (a NULL quiz id would not be, as NULLs never collide in a unique index).
    """

    __tablename__ = "prize_table"
    __table_args__ = (
        UniqueConstraint("contest_id", "scope_key"),
        CheckConstraint("min_score_pct IS NULL OR (min_score_pct >= 0 AND min_score_pct <= 100)",
                        name="min_score_range"),
        CheckConstraint("cap_pct IS NULL OR (cap_pct > 0 AND cap_pct <= 100)", name="cap_range"),
        CheckConstraint("unit_top_n IS NULL OR unit_top_n >= 1", name="unit_top_positive"),
        CheckConstraint("unit_min_rate_pct IS NULL OR (unit_min_rate_pct > 0 AND unit_min_rate_pct <= 100)",
                        name="unit_rate_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    quiz_id: Mapped[int | None] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"), index=True)
    scope_key: Mapped[str] = mapped_column(String(16))
    min_score_pct: Mapped[float | None]
    cap_pct: Mapped[float | None]
    unit_top_n: Mapped[int | None]
    unit_top_name: Mapped[str] = mapped_column(String(80), default="")
    unit_min_rate_pct: Mapped[float | None]
    unit_rate_name: Mapped[str] = mapped_column(String(80), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow, onupdate=clock.utcnow)

    contest: Mapped[Contest] = relationship()
    quiz: Mapped[Quiz | None] = relationship()
    levels: Mapped[list[PrizeLevel]] = relationship(
        back_populates="table", order_by="PrizeLevel.position", cascade="all, delete-orphan")


class PrizeLevel(db.Model):
    """One individual prize of a table: its name (Nhất, Nhì, Ba, Khuyến khích…) and how many."""

    __tablename__ = "prize_level"
    __table_args__ = (
        UniqueConstraint("table_id", "position"),
        CheckConstraint("count >= 1", name="count_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("prize_table.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]  # 0 is the highest prize
    name: Mapped[str] = mapped_column(String(80))
    count: Mapped[int]

    table: Mapped[PrizeTable] = relationship(back_populates="levels")


class WinnerCheck(db.Model):
    """An organizer's check of a proposed winner in one table: verified (with how) or
    disqualified (with why). A disqualified participant is skipped when the list is computed."""

    __tablename__ = "winner_check"
    __table_args__ = (
        UniqueConstraint("table_id", "participant_id"),
        CheckConstraint("status IN ('verified', 'disqualified')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("prize_table.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(500), default="")
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("organizer.id"))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)

    participant: Mapped[Participant] = relationship()
    checked_by: Mapped[Organizer | None] = relationship()


class AwardList(db.Model):
    """A published, numbered version of a contest's award list; `payload` holds it as announced
    (identities masked, like ranking snapshots)."""

    __tablename__ = "award_list"
    __table_args__ = (
        UniqueConstraint("contest_id", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("organizer.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    payload: Mapped[dict] = mapped_column(JSON)

    contest: Mapped[Contest] = relationship()
    published_by: Mapped[Organizer | None] = relationship()


class Certificate(db.Model):
    """A certificate as issued: what it says is frozen here, so a later rename changes nothing on
    paper or on the verification page. `code` is the unguessable public key (`/c/<code>`).

    A person holds at most one valid (not revoked) certificate per scope and kind; a changed
    prize revokes the old one and issues a new code, so the old paper says "revoked" when checked
    (services.awards.certificates, under the contest lock)."""

    __tablename__ = "certificate"
    __table_args__ = (
        CheckConstraint("kind IN ('award', 'completion')", name="kind_known"),
        Index("ix_certificate_participant", "participant_id", "scope_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    quiz_id: Mapped[int | None] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"))
    scope_key: Mapped[str] = mapped_column(String(16))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    full_name: Mapped[str] = mapped_column(String(120))
    unit_name: Mapped[str] = mapped_column(String(200))
    prize_name: Mapped[str] = mapped_column(String(80))
    scope_title: Mapped[str] = mapped_column(String(200))
    award_version: Mapped[int]
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str] = mapped_column(String(500), default="")
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("organizer.id"))

    contest: Mapped[Contest] = relationship()
    quiz: Mapped[Quiz | None] = relationship()
    participant: Mapped[Participant] = relationship()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
