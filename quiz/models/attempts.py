"""Participants, their attempts, the questions each attempt drew, and saved answers."""
from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from .. import clock
from ..extensions import db
from .bank import Question
from .quizzes import Contest, Quiz
from .types import UTCDateTime
from .units import Unit


class Participant(db.Model):
    """A person in one contest, identified by a normalised phone number or staff code."""

    __tablename__ = "participant"
    __table_args__ = (
        UniqueConstraint("contest_id", "identity"),
        CheckConstraint("identity_kind IN ('phone', 'staff')", name="identity_kind_known"),
        CheckConstraint("unit_id IS NOT NULL OR other_unit IS NOT NULL", name="has_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"), index=True)
    identity: Mapped[str] = mapped_column(String(40))
    identity_kind: Mapped[str] = mapped_column(String(8))
    full_name: Mapped[str] = mapped_column(String(120))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    other_unit: Mapped[str | None] = mapped_column(String(200))
    birth_year: Mapped[int | None]
    position: Mapped[str | None] = mapped_column(String(120))
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contest: Mapped[Contest] = relationship()
    unit: Mapped[Unit | None] = relationship()


def hash_token(token: str) -> str:
    """The SHA-256 (hex) an attempt is looked up by; see Attempt.token_hash."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Attempt(db.Model):
    """One participant × one quiz. `token` is the public, unguessable id; `id` never leaves.

    Lookups go through `token_hash` (SHA-256 of the token, kept in step by a validator): the
    database compares hashes, so how long a wrong guess takes says nothing about the token.

    Score fields are filled when the attempt is finalised (submitted or expired), so rankings
    aggregate stored numbers instead of re-scoring answers.
    """

    __tablename__ = "attempt"
    __table_args__ = (
        UniqueConstraint("quiz_id", "participant_id", "attempt_no"),
        CheckConstraint("attempt_no >= 1", name="attempt_no_positive"),
        CheckConstraint("deadline > started_at", name="deadline_after_start"),
        CheckConstraint(
            "finalised_by IS NULL OR finalised_by IN ('participant', 'deadline', 'organizer')",
            name="finalised_by_known",
        ),
        Index("ix_attempt_quiz_finished", "quiz_id", "submitted_at"),
        # Covers every column the rankings read, so ranking 100,000 attempts scans one index in
        # order instead of looking each row up (10× faster on SQLite).
        Index("ix_attempt_ranking", "quiz_id", "submitted_at", "score", "correct_count", "duration_ms",
              "max_score", "prediction", "participant_id"),
        # The n-th best score of a quiz in n index steps (rankings.order.Order.floor), and then the
        # rows at or above it without a lookup each: a top-100 page reads only the top scores.
        Index("ix_attempt_quiz_score", "quiz_id", "score", "submitted_at", "duration_ms", "correct_count",
              "max_score", "prediction", "participant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    attempt_no: Mapped[int] = mapped_column(default=1)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finalised_by: Mapped[str | None] = mapped_column(String(12))
    prediction: Mapped[Decimal | None] = mapped_column(Numeric(12, 5))
    correct_count: Mapped[int | None]
    score: Mapped[int | None]
    max_score: Mapped[int] = mapped_column(default=0)
    score_pct: Mapped[float | None]
    duration_ms: Mapped[int | None]
    # Set when the attempt is a phone's participation in a live session (models/live.py).
    live_session_id: Mapped[int | None] = mapped_column(ForeignKey("live_session.id"), index=True)

    quiz: Mapped[Quiz] = relationship()
    participant: Mapped[Participant] = relationship()
    questions: Mapped[list[AttemptQuestion]] = relationship(
        back_populates="attempt", order_by="AttemptQuestion.position", cascade="all, delete-orphan"
    )
    answers: Mapped[list[Answer]] = relationship(back_populates="attempt", cascade="all, delete-orphan")

    @property
    def is_finished(self) -> bool:
        return self.submitted_at is not None

    @hybrid_property
    def is_live(self) -> bool:
        """A phone's participation in a live session: reachable only through the live endpoints."""
        return self.live_session_id is not None

    @is_live.inplace.expression
    @classmethod
    def _is_live_expression(cls):
        return cls.live_session_id.is_not(None)

    @validates("token")
    def _keep_token_hash(self, _key: str, token: str) -> str:
        self.token_hash = hash_token(token)
        return token


class AttemptQuestion(db.Model):
    """A question drawn for an attempt, at its position, with the option order shown."""

    __tablename__ = "attempt_question"
    __table_args__ = (
        UniqueConstraint("attempt_id", "position"),
        UniqueConstraint("attempt_id", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    position: Mapped[int]
    option_order: Mapped[str] = mapped_column(String(80))  # option ids as shown, comma-separated
    points: Mapped[int] = mapped_column(default=1)

    attempt: Mapped[Attempt] = relationship(back_populates="questions")
    question: Mapped[Question] = relationship()

    @property
    def option_ids(self) -> list[int]:
        return parse_option_order(self.option_order)


def parse_option_order(option_order: str) -> list[int]:
    """The option ids of a drawn question as shown (`AttemptQuestion.option_order`)."""
    return [int(x) for x in option_order.split(",") if x]


class Answer(db.Model):
    """The options picked for one question of an attempt.

    `choice_mask` has bit i set when the option at position i was picked, so "multiple" scoring
    is one integer comparison and per-option statistics are `SUM(choice_mask & bit)` in SQL.
    """

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("attempt_id", "question_id"),
        CheckConstraint("choice_mask >= 0", name="choice_mask_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    choice_mask: Mapped[int] = mapped_column(default=0)
    is_correct: Mapped[bool | None]
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
    # Live sessions only: ms from the question's start to the answer, and its speed points.
    elapsed_ms: Mapped[int | None]
    live_points: Mapped[int | None]

    attempt: Mapped[Attempt] = relationship(back_populates="answers")
