"""Scoring and finalising attempts: the one scoring rule.

An answer is correct iff its `choice_mask` equals the question's `correct_mask` (for `multiple`
the chosen set must equal the correct set; an empty answer is never stored, so never correct).
A question voided in the attempt's quiz (`QuestionCorrection`, kind "void") scores by its mode:
`credit` — its points to everyone who drew it, answered or not; `drop` — out of the score and of
the maximum. `Answer.is_correct` always says whether the choice matched the key (a void does not
change it: item analysis and the review still show what was chosen against the key).

Finalising writes the stored figures rankings read: correct_count, score, max_score, score_pct,
duration_ms, submitted_at, finalised_by. Finalising a finished attempt changes nothing; a
correction re-scores one with `score_attempt` (corrections.py), under the same rule.

The key is read from the database at scoring time, never from option rows a request loaded
earlier: a submit that waited on its attempt's lock while a key correction committed is scored
with the corrected key. One attempt (a submit, a finalisation at the deadline) reads its drawn
questions, its answers, their key and their voids in ONE query (`ScoringKey.load_attempt`):
on SQLite everything between the attempt's lock and the commit holds every other writer. Many
attempts at once (the CLI, a regrade) read the key for all of them (`ScoringKey.load`).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Integer, and_, func, literal
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..models import Answer, Attempt, AttemptQuestion, Option, QuestionCorrection


def is_answer_correct(choice_mask: int, correct_mask: int) -> bool:
    return choice_mask != 0 and choice_mask == correct_mask


@dataclass
class ScoringKey:
    """The current correct masks of some questions and the voids of some quizzes, read fresh."""

    masks: dict[int, int] = field(default_factory=dict)  # question id → correct mask
    voids: dict[tuple[int, int], str] = field(default_factory=dict)  # (quiz id, question id) → mode

    @classmethod
    def load(cls, attempts: Iterable[Attempt]) -> ScoringKey:
        """The key of every question the `attempts` drew, and their quizzes' voids: two queries
        of plain columns (the identity map never answers them, so nothing stale is read)."""
        attempts = list(attempts)
        question_ids = {d.question_id for a in attempts for d in a.questions}
        quiz_ids = {a.quiz_id for a in attempts}
        key = cls(masks=dict.fromkeys(question_ids, 0))
        if question_ids:
            for question_id, position in db.session.execute(
                    db.select(Option.question_id, Option.position)
                    .where(Option.question_id.in_(question_ids), Option.is_correct.is_(True))):
                key.masks[question_id] |= 1 << position
        if quiz_ids:
            key.voids = {(quiz_id, question_id): mode for quiz_id, question_id, mode in db.session.execute(
                db.select(QuestionCorrection.quiz_id, QuestionCorrection.question_id, QuestionCorrection.void_mode)
                .where(QuestionCorrection.quiz_id.in_(quiz_ids), QuestionCorrection.kind == "void")
                .order_by(QuestionCorrection.id))}  # the latest void wins, as in `load_attempt`
        return key

    @classmethod
    def load_attempt(cls, attempt: Attempt) -> ScoringKey:
        """The key and voids of what `attempt` drew, read with its drawn questions and its answers
        in one query; the attempt's `questions` and `answers` are set to the rows read (answers
        re-read: what another transaction saved before this one took the attempt's lock counts)."""
        correct_mask = (
            db.select(func.coalesce(func.sum(literal(1).op("<<", return_type=Integer)(Option.position)), 0))
            .where(Option.question_id == AttemptQuestion.question_id, Option.is_correct.is_(True))
            .scalar_subquery())
        void = (
            db.select(QuestionCorrection.void_mode)
            .where(QuestionCorrection.quiz_id == attempt.quiz_id,
                   QuestionCorrection.question_id == AttemptQuestion.question_id, QuestionCorrection.kind == "void")
            .order_by(QuestionCorrection.id.desc()).limit(1).scalar_subquery())
        rows = db.session.execute(
            db.select(AttemptQuestion, Answer, correct_mask.label("mask"), void.label("void"))
            .outerjoin(Answer, and_(Answer.attempt_id == AttemptQuestion.attempt_id,
                                    Answer.question_id == AttemptQuestion.question_id))
            .where(AttemptQuestion.attempt_id == attempt.id).order_by(AttemptQuestion.position)
            .execution_options(populate_existing=True)).all()
        set_committed_value(attempt, "questions", [row.AttemptQuestion for row in rows])
        set_committed_value(attempt, "answers", [row.Answer for row in rows if row.Answer is not None])
        return cls(masks={row.AttemptQuestion.question_id: row.mask for row in rows},
                   voids={(attempt.quiz_id, row.AttemptQuestion.question_id): row.void
                          for row in rows if row.void is not None})


def score_attempt(attempt: Attempt, key: ScoringKey) -> None:
    """Write the attempt's answers' correctness and its correct_count, score, max_score and
    score_pct under `key` (the rule in the module docstring)."""
    answers = {a.question_id: a for a in attempt.answers}
    correct_count = score = max_score = 0
    for drawn in attempt.questions:
        answer = answers.get(drawn.question_id)
        if answer is not None:
            answer.is_correct = is_answer_correct(answer.choice_mask, key.masks.get(drawn.question_id, 0))
        void = key.voids.get((attempt.quiz_id, drawn.question_id))
        if void == "drop":
            continue
        max_score += drawn.points
        if void == "credit" or (answer is not None and answer.is_correct):
            correct_count += 1
            score += drawn.points
    attempt.correct_count = correct_count
    attempt.score = score
    attempt.max_score = max_score
    attempt.score_pct = (score / max_score * 100.0) if max_score else 0.0


def finalise_attempt(attempt: Attempt, at: datetime, by: str, key: ScoringKey | None = None) -> bool:
    """Score `attempt` as submitted at `at` by `by` ("participant" | "deadline" | "organizer").

    Returns False (and changes nothing) when it was already finalised. The duration counts up to
    the deadline at most: a submit inside the grace period does not cost extra time. `key` is
    read with the attempt's questions and answers when not given (`ScoringKey.load_attempt`; pass
    one to finalise many attempts at once).
    """
    if attempt.submitted_at is not None:
        return False
    score_attempt(attempt, key if key is not None else ScoringKey.load_attempt(attempt))
    attempt.submitted_at = at
    attempt.finalised_by = by
    attempt.duration_ms = int((min(at, attempt.deadline) - attempt.started_at).total_seconds() * 1000)
    return True
