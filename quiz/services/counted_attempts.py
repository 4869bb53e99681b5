"""Each participant's counted attempt of a quiz, as a SQL subquery (rules: `services.ranking`).

`counted_attempts(quiz, truth)` yields one row per participant with the attempt's figures and
`error_units`, the prediction error in exact units of 0.00001 (NULL while the truth is unknown).
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import BigInteger, cast, func, literal

from ..extensions import db
from ..models import Attempt, Quiz
from .attempts import finalize_expired
from .rankings.order import Order

PREDICTION_SCALE = 100_000  # predictions and truths have at most 5 decimals


def _truth_units(truth: Decimal) -> int:
    return int((truth * PREDICTION_SCALE).to_integral_value(ROUND_HALF_UP))


def _error_units(prediction_col, truth: Decimal | None):
    """|prediction − truth| in units of 0.00001, as an integer (exact on SQLite's floats too)."""
    if truth is None:
        return literal(None, BigInteger)
    scaled = cast(func.round(prediction_col * PREDICTION_SCALE), BigInteger)
    return func.abs(scaled - _truth_units(truth))


def counted_attempts(quiz: Quiz, truth: Decimal | None):
    """A subquery: each participant's counted finished attempt of `quiz`, with `error_units`.

    Every live figure of a quiz starts here, so attempts left unsubmitted past their deadline are
    finalised first (flushed; the calling view commits): no ranking ever misses them.
    """
    finalize_expired(quiz=quiz)
    error = _error_units(Attempt.prediction, truth) if truth is not None else None
    if quiz.max_attempts == 1:
        # One attempt per person: nothing to pick, and skipping the window halves the cost.
        return (
            db.select(
                Attempt.id, Attempt.participant_id, Attempt.score, Attempt.max_score, Attempt.correct_count,
                Attempt.prediction, Attempt.duration_ms, Attempt.submitted_at,
                (error if error is not None else literal(None, BigInteger)).label("error_units"),
            )
            .where(Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_not(None))
            .subquery("counted")
        )
    order = Order.of(quiz, has_truth=truth is not None).pick(Attempt, error)
    numbered = (
        db.select(
            Attempt.id, Attempt.participant_id, Attempt.score, Attempt.max_score, Attempt.correct_count,
            Attempt.prediction, Attempt.duration_ms, Attempt.submitted_at,
            (error if error is not None else literal(None, BigInteger)).label("error_units"),
            func.row_number().over(partition_by=Attempt.participant_id, order_by=order).label("pick"),
        )
        .where(Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_not(None))
        .subquery("numbered")
    )
    return db.select(numbered).where(numbered.c.pick == 1).subquery("counted")
