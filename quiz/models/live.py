"""Live sessions: a host-paced quiz on a projector, answered on phones (issue #8).

The session row holds the whole shared state (what question, until when, paused or not) and a
`version` bumped by every host action; phones poll it with the version as their ETag. Each phone
plays a normal Attempt of the quiz (`Attempt.live_session_id`), so rankings and exports see it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..extensions import db
from .accounts import Organizer
from .bank import Question
from .quizzes import Quiz
from .types import UTCDateTime

LIVE_STATES = ("lobby", "question", "reveal", "paused", "ended")
LIVE_SCORING = ("correct_time", "speed")
LIVE_UNIT_SCORE = ("mean", "sum")
QUESTION_TIME_RANGE = (5, 120)


class LiveSession(db.Model):
    __tablename__ = "live_session"
    __table_args__ = (
        CheckConstraint("state IN ('lobby', 'question', 'reveal', 'paused', 'ended')", name="state_known"),
        CheckConstraint("scoring IN ('correct_time', 'speed')", name="scoring_known"),
        CheckConstraint("unit_score IN ('mean', 'sum')", name="unit_score_known"),
        CheckConstraint("question_time_s BETWEEN 5 AND 120", name="question_time_range"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"), index=True)
    state: Mapped[str] = mapped_column(String(10), default="lobby")
    # The state to go back to when a paused session resumes ("question" or "reveal").
    paused_state: Mapped[str | None] = mapped_column(String(10))
    current_index: Mapped[int] = mapped_column(default=-1)  # -1 in the lobby
    question_time_s: Mapped[int] = mapped_column(default=20)
    scoring: Mapped[str] = mapped_column(String(16), default="correct_time")
    unit_score: Mapped[str] = mapped_column(String(8), default="mean")
    remaining_ms: Mapped[int | None]  # left on the clock while paused in a question
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("organizer.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    quiz: Mapped[Quiz] = relationship()
    created_by: Mapped[Organizer | None] = relationship()
    questions: Mapped[list[LiveQuestion]] = relationship(
        back_populates="session", order_by="LiveQuestion.position", cascade="all, delete-orphan")

    @property
    def is_running(self) -> bool:
        return self.state != "ended"

    @property
    def current(self) -> LiveQuestion | None:
        if 0 <= self.current_index < len(self.questions):
            return self.questions[self.current_index]
        return None


class LiveQuestion(db.Model):
    """A question of the session, in the order everyone sees; options are never shuffled in live
    mode, because the projector names them A, B, C, D for the whole hall."""

    __tablename__ = "live_question"
    __table_args__ = (
        UniqueConstraint("session_id", "position"),
        UniqueConstraint("session_id", "question_id"),
        CheckConstraint("deadline IS NULL OR deadline > started_at", name="deadline_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    position: Mapped[int]
    option_order: Mapped[str] = mapped_column(String(80))  # option ids as shown (A, B, C…)
    points: Mapped[int] = mapped_column(default=1)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_skipped: Mapped[bool] = mapped_column(default=False)

    session: Mapped[LiveSession] = relationship(back_populates="questions")
    question: Mapped[Question] = relationship()

    @property
    def option_ids(self) -> list[int]:
        return [int(x) for x in self.option_order.split(",") if x]

    @property
    def is_played(self) -> bool:
        return self.started_at is not None and not self.is_skipped


Index("ix_live_session_quiz_state", LiveSession.quiz_id, LiveSession.state)
