"""Contests (cuộc thi), their quizzes (đợt thi) and each quiz's draw rules."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, CheckConstraint, ForeignKey, String, Table, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..extensions import db
from .accounts import Organizer
from .bank import QuestionSet
from .types import UTCDateTime

# The individual ranking's tie-break keys, in the Vietnamese contest convention's order.
DEFAULT_RANKING_ORDER = "score,prediction,duration,submitted_at"
RANKING_KEYS = ("score", "correct", "prediction", "duration", "submitted_at")
PREDICTION_KINDS = ("count", "percent")
COUNTED_ATTEMPTS = ("best", "first", "last")

contest_organizer = Table(
    "contest_organizer",
    db.metadata,
    Column("contest_id", ForeignKey("contest.id", ondelete="CASCADE"), primary_key=True),
    Column("organizer_id", ForeignKey("organizer.id", ondelete="CASCADE"), primary_key=True),
)


class Contest(db.Model):
    """A contest groups quizzes (weekly rounds) and holds the unit ranking weights."""

    __tablename__ = "contest"
    __table_args__ = (
        CheckConstraint("w_rate >= 0 AND w_score >= 0 AND w_rate + w_score > 0", name="weights_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    w_rate: Mapped[float] = mapped_column(default=0.5)
    w_score: Mapped[float] = mapped_column(default=0.5)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("organizer.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
    # Awards and certificates (quiz/services/awards): a person keeps only their highest prize
    # of the contest; what a certificate prints under the text; completion certificates for
    # every finisher at or above `completion_min_pct` (none when NULL).
    one_prize_per_person: Mapped[bool] = mapped_column(default=True, server_default=true())
    certificate_issuer: Mapped[str] = mapped_column(String(200), default="", server_default="")
    certificate_place: Mapped[str] = mapped_column(String(80), default="", server_default="")
    certificate_signer_title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    certificate_signer_name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    completion_min_pct: Mapped[float | None]

    created_by: Mapped[Organizer | None] = relationship()
    organizers: Mapped[list[Organizer]] = relationship(secondary=contest_organizer)
    quizzes: Mapped[list[Quiz]] = relationship(back_populates="contest", order_by="Quiz.opens_at")

    def __repr__(self) -> str:
        return f"<Contest {self.code}>"


class Quiz(db.Model):
    """A timed quiz; its state (upcoming/open/closed) is derived from the clock, never stored."""

    __tablename__ = "quiz"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="window_ordered"),
        CheckConstraint("duration_s > 0", name="duration_positive"),
        CheckConstraint("max_attempts >= 1", name="max_attempts_positive"),
        CheckConstraint("prediction IS NULL OR prediction IN ('count', 'percent')", name="prediction_kind"),
        CheckConstraint("counted_attempt IN ('best', 'first', 'last')", name="counted_attempt_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_s: Mapped[int]
    shuffle_questions: Mapped[bool] = mapped_column(default=True)
    shuffle_options: Mapped[bool] = mapped_column(default=True)
    max_attempts: Mapped[int] = mapped_column(default=1)
    counted_attempt: Mapped[str] = mapped_column(String(8), default="best")
    prediction: Mapped[str | None] = mapped_column(String(8))
    show_review: Mapped[bool] = mapped_column(default=True)
    allow_other_unit: Mapped[bool] = mapped_column(default=False)
    ranking_order: Mapped[str] = mapped_column(String(120), default=DEFAULT_RANKING_ORDER)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("organizer.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow, onupdate=clock.utcnow)

    contest: Mapped[Contest] = relationship(back_populates="quizzes")
    draw_rules: Mapped[list[DrawRule]] = relationship(
        back_populates="quiz", order_by="DrawRule.position", cascade="all, delete-orphan"
    )

    def state_at(self, now: datetime) -> str:
        if now < self.opens_at:
            return "upcoming"
        if now < self.closes_at:
            return "open"
        return "closed"

    @property
    def state(self) -> str:
        return self.state_at(clock.utcnow())

    @property
    def is_open(self) -> bool:
        return self.state == "open"

    @property
    def question_count(self) -> int:
        return sum(rule.count for rule in self.draw_rules)

    @property
    def ranking_keys(self) -> list[str]:
        return [k for k in self.ranking_order.split(",") if k]

    def __repr__(self) -> str:
        return f"<Quiz {self.code}>"


class DrawRule(db.Model):
    """Draw `count` questions matching every given filter (set, topic, difficulty)."""

    __tablename__ = "draw_rule"
    __table_args__ = (
        UniqueConstraint("quiz_id", "position"),
        CheckConstraint("count >= 1", name="count_positive"),
        CheckConstraint("difficulty IS NULL OR difficulty BETWEEN 1 AND 3", name="difficulty_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    set_id: Mapped[int | None] = mapped_column(ForeignKey("question_set.id"))
    topic: Mapped[str | None] = mapped_column(String(120))
    difficulty: Mapped[int | None]
    count: Mapped[int]

    quiz: Mapped[Quiz] = relationship(back_populates="draw_rules")
    question_set: Mapped[QuestionSet | None] = relationship()
