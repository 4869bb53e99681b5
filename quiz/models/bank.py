"""The question bank: sets, questions and their options."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from question_bank import strip_diacritics

from .. import clock
from ..extensions import db
from .types import UTCDateTime

KINDS = ("single", "multiple", "true_false")


class QuestionSet(db.Model):
    __tablename__ = "question_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)

    questions: Mapped[list[Question]] = relationship(back_populates="question_set", order_by="Question.id")

    def __repr__(self) -> str:
        return f"<QuestionSet {self.name}>"


class Question(db.Model):
    """A question; `text_key` is the normalised text that defines a duplicate within a set."""

    __tablename__ = "question"
    __table_args__ = (
        UniqueConstraint("set_id", "text_key"),
        CheckConstraint("kind IN ('single', 'multiple', 'true_false')", name="kind_known"),
        CheckConstraint("difficulty BETWEEN 1 AND 3", name="difficulty_range"),
        CheckConstraint("points >= 1", name="points_positive"),
        CheckConstraint("image_sha256 IS NULL OR image_alt <> ''", name="image_has_alt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("question_set.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    text_key: Mapped[str] = mapped_column(String(512))
    kind: Mapped[str] = mapped_column(String(16))
    explanation: Mapped[str] = mapped_column(Text, default="")
    topic: Mapped[str] = mapped_column(String(120), default="", index=True)
    difficulty: Mapped[int] = mapped_column(default=1)
    source: Mapped[str] = mapped_column(String(200), default="")
    points: Mapped[int] = mapped_column(default=1)
    is_archived: Mapped[bool] = mapped_column(default=False)
    # An image under the question text; its alt text is required whenever there is one.
    image_sha256: Mapped[str | None] = mapped_column(ForeignKey("media.sha256"), index=True)
    image_alt: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # Text, topic and source folded to lower-case ASCII so a search typed without accents
    # ("chuyen doi so") matches with a plain LIKE on SQLite and PostgreSQL alike.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow, onupdate=clock.utcnow)

    question_set: Mapped[QuestionSet] = relationship(back_populates="questions")
    options: Mapped[list[Option]] = relationship(
        back_populates="question", order_by="Option.position", cascade="all, delete-orphan"
    )

    @property
    def correct_mask(self) -> int:
        """Bit i set when the option at position i is correct (answers store the same mask)."""
        return sum(1 << o.position for o in self.options if o.is_correct)

    def __repr__(self) -> str:
        return f"<Question {self.id} {self.kind}>"


def fold_for_search(*parts: str | None) -> str:
    return " ".join(strip_diacritics(" ".join((p or "").split())) for p in parts if p)


@event.listens_for(Question, "before_insert")
@event.listens_for(Question, "before_update")
def _fill_search_text(_mapper, _connection, question: Question) -> None:
    # Kept here so every writer (web form, import, CLI, demo, fixtures) stays searchable.
    question.search_text = fold_for_search(question.text, question.topic, question.source)


class Option(db.Model):
    __tablename__ = "option"
    __table_args__ = (
        UniqueConstraint("question_id", "position"),
        CheckConstraint("position BETWEEN 0 AND 9", name="position_range"),
        CheckConstraint("image_sha256 IS NULL OR image_alt <> ''", name="image_has_alt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    is_correct: Mapped[bool] = mapped_column(default=False)

    image_sha256: Mapped[str | None] = mapped_column(ForeignKey("media.sha256"), index=True)
    image_alt: Mapped[str] = mapped_column(String(300), default="", server_default="")

    question: Mapped[Question] = relationship(back_populates="options")
