"""Individual rankings of a quiz or a contest: the one pipeline that pages, the API, the board
and every export read (through `rankings.read`).

Everything is aggregated in SQL (window functions, GROUP BY); Python only orders a few hundred
unit rows (`rankings.units`). Only finished attempts (``submitted_at`` set) count. Every order
below is compiled once, in `rankings.order`.

Counted attempt (per quiz, per participant; ``quiz.counted_attempt``):
  * ``best``  — highest score, then the rest of the quiz's ranking order, then attempt id;
  * ``first`` — the earliest finished attempt (attempt number, then id);
  * ``last``  — the latest finished attempt.

Individual ranking of a quiz, one row per participant (their counted attempt), ordered by the
quiz's ``ranking_keys`` (default ``score,prediction,duration,submitted_at``), then attempt id:
  * ``score``        — score, higher first;
  * ``correct``      — correct answers, more first;
  * ``prediction``   — prediction error |prediction − truth|, smaller first, no prediction last.
                       The truth is known only once the quiz has closed; before that the key is
                       skipped and the ranking is provisional;
  * ``duration``     — time taken, shorter first;
  * ``submitted_at`` — submitted earlier first.
Ranks are 1, 2, 3… without gaps or shared places: the attempt id settles any remaining tie, so
a rank is a position in that ORDER BY (no window function needed for the full list; a unit-
filtered list uses ROW_NUMBER() to keep overall ranks, and one participant's rank is 1 + the
number of counted rows that sort before theirs).

Prediction truth (``quiz.prediction``): ``count`` = participants whose counted attempt has every
drawn question correct; ``percent`` = that / participants × 100, rounded to 5 decimals.
(Counted attempts for the truth are chosen without the prediction key, which needs the truth.)
Errors are compared in exact units of 0.00001 so equal errors tie on every database.

Contest rankings: each participant once per contest; per quiz their counted attempt, picked by
that quiz's own rule exactly as its ranking picks it (``counted_attempt`` and ``ranking_keys``,
prediction included once the quiz's truth is known); contest score = sum of counted scores,
score percent = sum scores / sum max scores. Contest individual order: score desc → correct desc
→ total duration asc → last submission earlier → participant id. Contest rows carry no
prediction (it is a per-quiz tie-break).

Unit rankings (participation, mean score, emulation score, roll-up): `rankings.units`.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func

from ...extensions import db
from ...models import Contest, Participant, Quiz, Unit
from .rows import IndividualRow
from .scope import Scope


def _named(counted):
    """Counted rows joined to the participant's name and unit."""
    return (
        db.select(counted, Participant.full_name, Participant.identity, Participant.other_unit,
                  Unit.code.label("unit_code"), Unit.name.label("unit_name"))
        .join(Participant, Participant.id == counted.c.participant_id)
        .outerjoin(Unit, Unit.id == Participant.unit_id)
    )


def _query(scope: Scope, truth: Decimal | None, *, unit_ids: set[int] | None,
           limit: int | None = None, offset: int = 0):
    """Rows in ranking order, paged. Ranks are positions (the tie column settles every tie), so a
    plain ORDER BY does it; only a unit-filtered list needs ROW_NUMBER() to keep the overall ranks.
    The page is cut before names are joined: joining 100,000 rows to show 100 costs seconds."""
    counted = scope.counted(truth)
    order = scope.order(truth)
    if unit_ids is None:
        if limit is None and not offset:
            return _named(counted).order_by(*order.order_by(counted.c)), False
        page = _page(_above_floor(counted, order, offset + (limit or 0)).order_by(*order.order_by(counted.c)),
                     limit, offset).subquery("page")
        return _named(page).order_by(*order.order_by(page.c)), False
    ranked = db.select(counted, func.row_number().over(order_by=order.order_by(counted.c)).label("rank")
                       ).subquery("ranked")
    query = _named(ranked).where(Participant.unit_id.in_(unit_ids or {-1})).order_by(ranked.c.rank)
    return _page(query, limit, offset), True


def _above_floor(counted, order, n: int):
    """The counted rows that may be among the first `n` (`Order.floor`): on the event's top-100
    this sorts the few rows at the top scores instead of all 100,000."""
    query = db.select(counted)
    column, floor = order.floor(counted.c, n) if n > 0 else (None, None)
    if floor is not None:
        value = db.session.scalar(floor)
        if value is not None and value > 0:
            query = query.where(column >= value)
    return query


def _page(query, limit: int | None, offset: int):
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return query


def ranking(scope: Scope, *, unit_ids: set[int] | None = None, limit: int | None = None,
            offset: int = 0) -> list[IndividualRow]:
    """The scope's individual ranking (see the module docstring), best first.

    `unit_ids` keeps only participants of those units; ranks stay the overall ones.
    """
    truth = scope.truth()
    query, has_rank = _query(scope, truth, unit_ids=unit_ids, limit=limit, offset=offset)
    rows = db.session.execute(query)
    return [_row(r, truth, r.rank if has_rank else offset + i) for i, r in enumerate(rows, start=1)]


def iter_ranking(scope: Scope, *, unit_ids: set[int] | None = None, batch: int = 2000):
    """Like `ranking`, but streamed from one query (exports of 100,000 rows)."""
    truth = scope.truth()
    query, has_rank = _query(scope, truth, unit_ids=unit_ids)
    for i, r in enumerate(db.session.execute(query.execution_options(yield_per=batch)), start=1):
        yield _row(r, truth, r.rank if has_rank else i)


def individual_ranking(quiz: Quiz, **kwargs) -> list[IndividualRow]:
    return ranking(Scope(quiz=quiz), **kwargs)


def contest_individual_ranking(contest: Contest, **kwargs) -> list[IndividualRow]:
    return ranking(Scope(contest=contest), **kwargs)


def iter_individual_ranking(quiz: Quiz, **kwargs):
    return iter_ranking(Scope(quiz=quiz), **kwargs)


def participant_rank(quiz: Quiz, participant_id: int) -> IndividualRow | None:
    """One participant's row with their overall rank: 1 + how many counted rows sort before it
    (a COUNT, no sort of the whole ranking: this runs after every submission)."""
    scope = Scope(quiz=quiz)
    truth = scope.truth()
    counted = scope.counted(truth)
    order = scope.order(truth)
    exprs = order.exprs(counted.c)
    mine = db.session.execute(
        _named(counted).add_columns(*[e.label(f"k{i}") for i, e in enumerate(exprs)])
        .where(counted.c.participant_id == participant_id)).first()
    if mine is None:
        return None
    values = [getattr(mine, f"k{i}") for i in range(len(exprs))]
    ahead = db.session.scalar(db.select(func.count()).select_from(counted).where(order.beats(counted.c, values)))
    return _row(mine, truth, ahead + 1)


def _row(r, truth: Decimal | None, rank: int) -> IndividualRow:
    prediction = None if r.prediction is None else Decimal(str(r.prediction)).quantize(Decimal("0.00001"))
    error = None
    if truth is not None and prediction is not None:
        error = abs(prediction - truth)
    score, max_score = r.score or 0, r.max_score or 0
    return IndividualRow(
        rank=int(rank), attempt_id=r.id, participant_id=r.participant_id, full_name=r.full_name,
        identity=r.identity, unit_code=r.unit_code, unit_name=r.unit_name or r.other_unit or "",
        correct_count=r.correct_count or 0, score=score, max_score=max_score,
        score_pct=round(100.0 * score / max_score, 2) if max_score else 0.0,
        prediction=prediction, prediction_error=error, duration_ms=r.duration_ms or 0,
        submitted_at=r.submitted_at,
    )


def is_contest_provisional(contest: Contest) -> bool:
    return Scope(contest=contest).is_provisional()
