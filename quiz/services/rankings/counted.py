"""Counted attempts: the rows a ranking ranks, as SQL subqueries (rules: `rankings.individuals`).

`counted_attempts(quiz, truth)` yields one row per participant of a quiz — their counted attempt,
picked by the quiz's `Order` — and `contest_totals(contest)` one row per participant of a contest,
the sums of those counted attempts over its quizzes. Both carry the same columns (`id`,
`participant_id`, `score`, `max_score`, `correct_count`, `prediction`, `duration_ms`,
`submitted_at`, `error_units`: the prediction error in exact units of 0.00001, NULL while the
truth is unknown and in a contest), so everything downstream ranks either one alike.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import BigInteger, Numeric, case, cast, false, func, literal, null, union_all

from ...extensions import db
from ...models import Attempt, Contest, Quiz
from ..attempts import finalize_expired
from .order import Order

PREDICTION_SCALE = 100_000  # predictions and truths have at most 5 decimals
COLUMNS = ("id", "participant_id", "score", "max_score", "correct_count", "prediction", "duration_ms",
           "submitted_at", "error_units")


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

    Every current figure of a quiz starts here, so attempts left unsubmitted past their deadline are
    finalised first (flushed; the calling view commits): no ranking ever misses them.
    """
    finalize_expired(quiz=quiz)
    return counted_rows(quiz, truth).subquery("counted")


def counted_rows(quiz, truth: Decimal | None):
    """The select behind `counted_attempts`, without finalising anything first (`quiz`: anything
    with the Quiz columns the order reads — the tallies' re-count runs it inside a flush)."""
    error = _error_units(Attempt.prediction, truth) if truth is not None else None
    columns = (Attempt.id, Attempt.participant_id, Attempt.score, Attempt.max_score, Attempt.correct_count,
               Attempt.prediction, Attempt.duration_ms, Attempt.submitted_at,
               (error if error is not None else literal(None, BigInteger)).label("error_units"))
    finished = (Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_not(None))
    if quiz.max_attempts == 1:
        # One attempt per person: nothing to pick, and skipping the window halves the cost.
        return db.select(*columns).where(*finished)
    order = Order.of(quiz, has_truth=truth is not None).pick(Attempt, error)
    numbered = (
        db.select(*columns, func.row_number().over(partition_by=Attempt.participant_id, order_by=order).label("pick"))
        .where(*finished)
        .subquery("numbered")
    )
    return db.select(*[numbered.c[name] for name in COLUMNS]).where(numbered.c.pick == 1)


def contest_totals(contest: Contest):
    """A subquery: per participant, the sums over the contest's quizzes of their counted attempts,
    each picked by its own quiz's rule — the very attempt that quiz's ranking counts."""
    counted = [counted_attempts(quiz, prediction_truth(quiz)) for quiz in contest.quizzes]
    picked = union_all(*[db.select(*[c.c[name] for name in COLUMNS]) for c in counted]) if counted \
        else db.select(*[getattr(Attempt, name) for name in COLUMNS[:-1]], literal(None, BigInteger)).where(false())
    picked = picked.subquery("picked")
    return (
        db.select(
            func.max(picked.c.id).label("id"),
            picked.c.participant_id,
            func.sum(picked.c.score).label("score"),
            func.sum(picked.c.max_score).label("max_score"),
            func.sum(picked.c.correct_count).label("correct_count"),
            cast(null(), Numeric).label("prediction"),  # a per-quiz tie-break: a contest has none
            func.sum(picked.c.duration_ms).label("duration_ms"),
            func.max(picked.c.submitted_at).label("submitted_at"),
            literal(None, BigInteger).label("error_units"),
        )
        .group_by(picked.c.participant_id)
        .subquery("totals")
    )


def is_provisional(quiz: Quiz) -> bool:
    """Open or upcoming quizzes (and closed ones whose truth is unknown) rank provisionally."""
    if quiz.state != "closed":
        return True
    return bool(quiz.prediction) and prediction_truth(quiz) is None


def prediction_truth(quiz: Quiz) -> Decimal | None:
    """The true value participants predicted; None until the quiz is closed (or if none asked)."""
    if not quiz.prediction or quiz.state != "closed":
        return None
    counted = counted_attempts(quiz, truth=None)
    total, perfect = db.session.execute(
        db.select(func.count(), func.coalesce(func.sum(
            case((counted.c.correct_count == quiz.question_count, 1), else_=0)), 0))
    ).one()
    if quiz.prediction == "count":
        return Decimal(int(perfect))
    if not total:
        return Decimal("0.00000")
    return (Decimal(int(perfect)) * 100 / Decimal(int(total))).quantize(Decimal("0.00001"), ROUND_HALF_UP)
