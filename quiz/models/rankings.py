"""Published ranking snapshots and the audit log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
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
        UniqueConstraint("quiz_id", "contest_id", "version"),  # (never fires: one side is always NULL)
        # What makes a version number one publication: unique per quiz, and per contest (0013).
        Index("uq_ranking_snapshot_quiz_version", "quiz_id", "version", unique=True,
              sqlite_where=text("quiz_id IS NOT NULL"), postgresql_where=text("quiz_id IS NOT NULL")),
        Index("uq_ranking_snapshot_contest_version", "contest_id", "version", unique=True,
              sqlite_where=text("contest_id IS NOT NULL"), postgresql_where=text("contest_id IS NOT NULL")),
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


class UnitTally(db.Model):
    """One unit's own figures in one quiz's unit ranking, kept exact by `rankings.tallies` in the
    transaction that finalises or re-counts an attempt: how many of the unit's participants have
    a counted (finished) attempt, the sum of those attempts' score percents in exact units
    of 0.000001 % (`tallies.pct_units`), and how many of those attempts are perfect (every
    question right: what the prediction truth counts, `counted.truth_counts`). The unit ranking
    reads these rows and rolls them up."""

    __tablename__ = "unit_tally"
    __table_args__ = (
        CheckConstraint("participants >= 0", name="participants_not_negative"),
    )

    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True, index=True)
    participants: Mapped[int] = mapped_column(default=0)
    pct_units: Mapped[int] = mapped_column(BigInteger, default=0)
    # A server default, not a Python one: migration 0008 re-counts with today's model, before 0012
    # added this column, and an INSERT … SELECT would name a column with a Python default. No
    # CHECK on it: the upsert's proposed row is a delta, -1 when a counted attempt stops being
    # perfect, and both databases check the proposed row before resolving the conflict.
    perfect: Mapped[int] = mapped_column(server_default=text("0"))


class OtherUnitTally(db.Model):
    """The same counts for a quiz's participants who named a unit outside the tree (`other_unit`):
    no unit ranking shows them, but the prediction truth counts every participant. Kept by the
    same flushes as `UnitTally`; a row of its own so their submits lock no unit's row."""

    __tablename__ = "other_unit_tally"

    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"), primary_key=True)
    participants: Mapped[int] = mapped_column(default=0)
    perfect: Mapped[int] = mapped_column(default=0)


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
