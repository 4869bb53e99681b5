"""Counted attempts: the rows a ranking ranks, as SQL subqueries (rules: `rankings.individuals`).

`counted_attempts(quiz, truth)` yields one row per participant of a quiz — their counted attempt,
picked by the quiz's `Order` — and `contest_totals(contest)` one row per participant of a contest,
the sums of those counted attempts over its quizzes. Both carry the same columns (`id`,
`participant_id`, `score`, `max_score`, `correct_count`, `prediction`, `duration_ms`,
`submitted_at`, `error_units`: the prediction error in exact units of 0.00001, NULL while the
truth is unknown and in a contest), so everything downstream ranks either one alike.

The prediction truth of a closed quiz (`prediction_truth`) is read from counts the unit tallies
keep (`truth_counts`), never from a scan of the attempts.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import BigInteger, Numeric, bindparam, case, cast, false, func, literal, null, union_all

from ...extensions import db
from ...models import Attempt, Contest, DrawRule, OtherUnitTally, Quiz, UnitTally
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


def counted_rows(quiz, truth: Decimal | None, *, participants=None):
    """The select behind `counted_attempts`, without finalising anything first (`quiz`: anything
    with the Quiz columns the order reads — the tallies' re-count runs it inside a flush).
    `participants`: a select of participant ids to keep to (each one's pick is unchanged)."""
    error = _error_units(Attempt.prediction, truth) if truth is not None else None
    columns = (Attempt.id, Attempt.participant_id, Attempt.score, Attempt.max_score, Attempt.correct_count,
               Attempt.prediction, Attempt.duration_ms, Attempt.submitted_at,
               (error if error is not None else literal(None, BigInteger)).label("error_units"))
    finished = (Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_not(None))
    if participants is not None:
        finished += (Attempt.participant_id.in_(participants),)
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
    """Open or upcoming quizzes rank provisionally; a closed one's truth is known (`prediction_truth`)."""
    return quiz.state != "closed"


# --- The prediction truth ------------------------------------------------------------------------

def perfect_sql(correct_count, quiz_id):
    """1 when an attempt answered every question of the quiz right (`correct_count` equals the
    sum of its draw rules' counts, `Quiz.question_count`), else 0: what the truth counts, in SQL."""
    question_count = (db.select(func.coalesce(func.sum(DrawRule.count), 0))
                      .where(DrawRule.quiz_id == quiz_id).scalar_subquery())
    return case((correct_count == question_count, 1), else_=0)


def truth_counts(quiz: Quiz) -> tuple[int, int]:
    """(participants with a counted attempt, how many of those attempts are perfect): every
    participant, with a unit (`UnitTally`) or an "other" one (`OtherUnitTally`). The counts are
    kept by `tallies` in the transactions that finish, re-score, delete or move attempts, so this
    is a read of at most a few hundred rows, exact after every commit."""
    total, perfect = db.session.execute(_KEPT, {"quiz_id": quiz.id}).one()
    return int(total), int(perfect)


def _kept():
    """`truth_counts`' statement, built once (every submit reads it, for its standing)."""
    kept = union_all(
        db.select(UnitTally.participants, UnitTally.perfect).where(UnitTally.quiz_id == bindparam("quiz_id")),
        db.select(OtherUnitTally.participants, OtherUnitTally.perfect)
        .where(OtherUnitTally.quiz_id == bindparam("quiz_id")),
    ).subquery("kept")
    return db.select(func.coalesce(func.sum(kept.c.participants), 0), func.coalesce(func.sum(kept.c.perfect), 0))


_KEPT = _kept()


def prediction_truth(quiz: Quiz) -> Decimal | None:
    """The true value participants predicted; None until the quiz is closed (or if none asked):
    how many participants' counted attempts (picked without the prediction key) answered every
    question right — or that many per hundred participants, to 5 decimals."""
    if not quiz.prediction or quiz.state != "closed":
        return None
    finalize_expired(quiz=quiz)  # attempts past their deadline count (flushed: the tallies follow)
    total, perfect = truth_counts(quiz)
    if quiz.prediction == "count":
        return Decimal(perfect)
    if not total:
        return Decimal("0.00000")
    return (Decimal(perfect) * 100 / Decimal(total)).quantize(Decimal("0.00001"), ROUND_HALF_UP)
