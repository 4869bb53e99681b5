"""Corrections of a question after a quiz has attempts: a corrected key, or a voided question.

A key correction changes the bank question itself (the key lives in one place: scoring, the
review and the statistics all read it) and is recorded against the quiz it was made from; a void
belongs to one quiz only (another round may keep the question). `VOID_MODES`:
`credit` — everyone who drew it gets its points; `drop` — it leaves the maximum.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..extensions import db
from .accounts import Organizer
from .bank import Question
from .quizzes import Quiz
from .types import UTCDateTime

CORRECTION_KINDS = ("key", "void")
VOID_MODES = ("credit", "drop")


class QuestionCorrection(db.Model):
    """One correction as applied: who, what, why, and how many attempts it re-scored."""

    __tablename__ = "question_correction"
    __table_args__ = (
        CheckConstraint("kind IN ('key', 'void')", name="kind_known"),
        CheckConstraint("(kind = 'void') = (void_mode IS NOT NULL)", name="void_has_mode"),
        CheckConstraint("void_mode IS NULL OR void_mode IN ('credit', 'drop')", name="void_mode_known"),
        CheckConstraint("reason <> ''", name="reason_given"),
        Index("ix_question_correction_quiz_question", "quiz_id", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    void_mode: Mapped[str | None] = mapped_column(String(8))
    old_key: Mapped[str] = mapped_column(String(10), default="")  # correct letters before (bank order)
    new_key: Mapped[str] = mapped_column(String(10), default="")  # after (a void keeps the key)
    reason: Mapped[str] = mapped_column(Text)
    attempts_rescored: Mapped[int] = mapped_column(default=0)
    scores_changed: Mapped[int] = mapped_column(default=0)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("organizer.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)

    quiz: Mapped[Quiz] = relationship()
    question: Mapped[Question] = relationship()
    actor: Mapped[Organizer | None] = relationship()
