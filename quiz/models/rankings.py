"""Published ranking snapshots and the audit log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..extensions import db
from .accounts import Organizer
from .quizzes import Contest, Quiz
from .types import UTCDateTime


class RankingSnapshot(db.Model):
    """A frozen, published ranking of a quiz or of a whole contest.

    `payload` holds the rows exactly as announced; republishing adds a new version and the
    older versions stay readable.
    """

    __tablename__ = "ranking_snapshot"
    __table_args__ = (
        UniqueConstraint("quiz_id", "contest_id", "version"),
        CheckConstraint("(quiz_id IS NULL) <> (contest_id IS NULL)", name="one_scope"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int | None] = mapped_column(ForeignKey("quiz.id"), index=True)
    contest_id: Mapped[int | None] = mapped_column(ForeignKey("contest.id"), index=True)
    version: Mapped[int]
    is_provisional: Mapped[bool] = mapped_column(default=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("organizer.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    payload: Mapped[dict] = mapped_column(JSON)

    quiz: Mapped[Quiz | None] = relationship()
    contest: Mapped[Contest | None] = relationship()
    published_by: Mapped[Organizer | None] = relationship()


class AuditEntry(db.Model):
    """Who changed what, and when (organizer actions and CLI commands)."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("organizer.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str] = mapped_column(String(40), default="")
    target_id: Mapped[str] = mapped_column(String(60), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[Organizer | None] = relationship()
