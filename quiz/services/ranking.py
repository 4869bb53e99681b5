"""Rankings: the one pipeline that pages, the API, the board and every export read.

Everything is aggregated in SQL (window functions, GROUP BY); Python only orders a few hundred
unit rows. Only finished attempts (``submitted_at`` set) count.

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

Unit ranking: ``participants`` = distinct participants of the unit (and its whole subtree: a
parent rolls up its descendants) with a finished attempt; ``headcount`` = the unit's own, else
the sum of its children's (recursively); ``participation_rate`` = participants / headcount, capped
at 1; ``mean_score_pct`` = mean of the participants' counted score percent (0–100);
``emulation_score`` = w_rate × rate × 100 + w_score × mean_score_pct (contest weights).
Order: emulation score desc → participants desc → unit name. Units without a headcount (or 0)
are listed after the ranked ones, flagged, with no rank, rate or emulation score.
Which units compete: the children of ``parent_code``; without it, the children of the single
root unit (a Sở with its hospitals), or the roots when the tree has several.

Contest rankings: each participant once per contest; per quiz their counted attempt, picked by
that quiz's own rule exactly as its ranking picks it (``counted_attempt`` and ``ranking_keys``,
prediction included once the quiz's truth is known); contest score = sum of counted scores,
score percent = sum scores / sum max scores. Contest individual order: score desc → correct desc
→ total duration asc → last submission earlier → participant id. Contest rows carry no
prediction (it is a per-quiz tie-break). Every order above is compiled in `rankings.order`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Float, case, cast, false, func, null, union_all

from ..extensions import db
from ..models import Attempt, Contest, Participant, Quiz, Unit
from .counted_attempts import counted_attempts as _counted_attempts
from .rankings.order import CONTEST, Order
from .unit_rollup import UnitRow, UnitTable



@dataclass
class IndividualRow:
    rank: int
    attempt_id: int
    participant_id: int
    full_name: str
    identity: str  # FULL: pages and public exports mask it
    unit_code: str | None
    unit_name: str
    correct_count: int
    score: int
    max_score: int
    score_pct: float
    prediction: Decimal | None
    prediction_error: Decimal | None
    duration_ms: int
    submitted_at: datetime

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Standing:
    rank: int | None
    total: int
    is_provisional: bool
    unit_rank: int | None
    unit_total: int
    unit_row: UnitRow | None


# --- Prediction truth and provisional state --------------------------------------------------

def is_provisional(quiz: Quiz) -> bool:
    """Open or upcoming quizzes (and closed ones whose truth is unknown) rank provisionally."""
    if quiz.state != "closed":
        return True
    return bool(quiz.prediction) and prediction_truth(quiz) is None


def prediction_truth(quiz: Quiz) -> Decimal | None:
    """The true value participants predicted; None until the quiz is closed (or if none asked)."""
    if not quiz.prediction or quiz.state != "closed":
        return None
    counted = _counted_attempts(quiz, truth=None)
    total, perfect = db.session.execute(
        db.select(func.count(), func.coalesce(func.sum(
            case((counted.c.correct_count == quiz.question_count, 1), else_=0)), 0))
    ).one()
    if quiz.prediction == "count":
        return Decimal(int(perfect))
    if not total:
        return Decimal("0.00000")
    return (Decimal(int(perfect)) * 100 / Decimal(int(total))).quantize(Decimal("0.00001"), ROUND_HALF_UP)


def _named(counted):
    """Counted rows joined to the participant's name and unit."""
    return (
        db.select(counted, Participant.full_name, Participant.identity, Participant.other_unit,
                  Unit.code.label("unit_code"), Unit.name.label("unit_name"))
        .join(Participant, Participant.id == counted.c.participant_id)
        .outerjoin(Unit, Unit.id == Participant.unit_id)
    )


def _score_pct(score, max_score):
    return case((max_score > 0, 100.0 * cast(score, Float) / max_score), else_=0.0)


def _individual_query(quiz: Quiz, truth: Decimal | None, *, unit_ids: set[int] | None,
                      limit: int | None = None, offset: int = 0):
    """Rows in ranking order, paged. Ranks are positions (the id settles every tie), so a plain
    ORDER BY does it; only a unit-filtered list needs ROW_NUMBER() to keep the overall ranks.
    The page is cut before names are joined: joining 100,000 rows to show 100 costs seconds."""
    counted = _counted_attempts(quiz, truth)
    order = Order.of(quiz, has_truth=truth is not None)
    if unit_ids is None:
        if limit is None and not offset:
            return _named(counted).order_by(*order.order_by(counted.c)), False
        page = _page(db.select(counted).order_by(*order.order_by(counted.c)), limit, offset).subquery("page")
        return _named(page).order_by(*order.order_by(page.c)), False
    ranked = db.select(counted, func.row_number().over(order_by=order.order_by(counted.c)).label("rank")
                       ).subquery("ranked")
    query = _named(ranked).where(Participant.unit_id.in_(unit_ids or {-1})).order_by(ranked.c.rank)
    return _page(query, limit, offset), True


def _page(query, limit: int | None, offset: int):
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return query


def individual_ranking(quiz: Quiz, *, unit_ids: set[int] | None = None, limit: int | None = None,
                       offset: int = 0) -> list[IndividualRow]:
    """The quiz's individual ranking (see the module docstring), best first.

    `unit_ids` keeps only participants of those units; ranks stay the overall ones.
    """
    truth = prediction_truth(quiz)
    query, has_rank = _individual_query(quiz, truth, unit_ids=unit_ids, limit=limit, offset=offset)
    rows = db.session.execute(query)
    return [_individual_row(r, truth, r.rank if has_rank else offset + i) for i, r in enumerate(rows, start=1)]


def iter_individual_ranking(quiz: Quiz, *, unit_ids: set[int] | None = None, batch: int = 2000):
    """Like `individual_ranking`, but streamed from one query (exports of 100,000 rows)."""
    truth = prediction_truth(quiz)
    query, has_rank = _individual_query(quiz, truth, unit_ids=unit_ids)
    for i, r in enumerate(db.session.execute(query.execution_options(yield_per=batch)), start=1):
        yield _individual_row(r, truth, r.rank if has_rank else i)


def participant_rank(quiz: Quiz, participant_id: int) -> IndividualRow | None:
    """One participant's row with their overall rank: 1 + how many counted rows sort before it
    (a COUNT, no sort of the whole ranking: this runs after every submission)."""
    truth = prediction_truth(quiz)
    counted = _counted_attempts(quiz, truth)
    order = Order.of(quiz, has_truth=truth is not None)
    exprs = order.exprs(counted.c)
    mine = db.session.execute(
        _named(counted).add_columns(*[e.label(f"k{i}") for i, e in enumerate(exprs)])
        .where(counted.c.participant_id == participant_id)).first()
    if mine is None:
        return None
    values = [getattr(mine, f"k{i}") for i in range(len(exprs))]
    ahead = db.session.scalar(db.select(func.count()).select_from(counted).where(order.beats(counted.c, values)))
    return _individual_row(mine, truth, ahead + 1)


def _individual_row(r, truth: Decimal | None, rank: int) -> IndividualRow:
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


# --- Contest individual ranking --------------------------------------------------------------

def _contest_totals(contest: Contest):
    """A subquery: per participant, the sums over the contest's quizzes of their counted attempts,
    each picked by its quiz's own rule (the same pick as the quiz's ranking)."""
    counted = [_counted_attempts(quiz, prediction_truth(quiz)) for quiz in contest.quizzes]
    columns = ("id", "participant_id", "score", "max_score", "correct_count", "duration_ms", "submitted_at")
    picked = union_all(*[db.select(*[c.c[name] for name in columns]) for c in counted]) if counted \
        else db.select(*[getattr(Attempt, name) for name in columns]).where(false())
    picked = picked.subquery("picked")
    return (
        db.select(
            picked.c.participant_id,
            func.max(picked.c.id).label("id"),
            func.sum(picked.c.score).label("score"),
            func.sum(picked.c.max_score).label("max_score"),
            func.sum(picked.c.correct_count).label("correct_count"),
            func.sum(picked.c.duration_ms).label("duration_ms"),
            func.max(picked.c.submitted_at).label("submitted_at"),
        )
        .group_by(picked.c.participant_id)
        .subquery("totals")
    )


def _contest_query(contest: Contest, unit_ids: set[int] | None):
    totals = _contest_totals(contest)
    order = CONTEST.order_by(totals.c)
    if unit_ids is None:
        return _named(totals).add_columns(null().label("prediction")).order_by(*order), False
    ranked = db.select(totals, func.row_number().over(order_by=order).label("rank")).subquery("ranked")
    query = (_named(ranked).add_columns(null().label("prediction"))
             .where(Participant.unit_id.in_(unit_ids or {-1})).order_by(ranked.c.rank))
    return query, True


def contest_individual_ranking(contest: Contest, *, unit_ids: set[int] | None = None,
                               limit: int | None = None, offset: int = 0) -> list[IndividualRow]:
    """The contest's individual ranking: every quiz's counted score summed per participant."""
    query, has_rank = _contest_query(contest, unit_ids)
    rows = db.session.execute(_page(query, limit, offset))
    return [_individual_row(r, None, r.rank if has_rank else offset + i) for i, r in enumerate(rows, start=1)]


def iter_contest_individual_ranking(contest: Contest, *, unit_ids: set[int] | None = None, batch: int = 2000):
    query, has_rank = _contest_query(contest, unit_ids)
    for i, r in enumerate(db.session.execute(query.execution_options(yield_per=batch)), start=1):
        yield _individual_row(r, None, r.rank if has_rank else i)


def is_contest_provisional(contest: Contest) -> bool:
    return not contest.quizzes or any(is_provisional(q) for q in contest.quizzes)


# --- Unit rankings ---------------------------------------------------------------------------

def _quiz_people(quiz: Quiz):
    counted = _counted_attempts(quiz, truth=None)
    return (
        db.select(Participant.unit_id.label("unit_id"),
                  _score_pct(counted.c.score, counted.c.max_score).label("score_pct"))
        .join(Participant, Participant.id == counted.c.participant_id)
        .where(Participant.unit_id.is_not(None))
        .subquery("people")
    )


def _contest_people(contest: Contest):
    totals = _contest_totals(contest)
    return (
        db.select(Participant.unit_id.label("unit_id"),
                  _score_pct(totals.c.score, totals.c.max_score).label("score_pct"))
        .join(Participant, Participant.id == totals.c.participant_id)
        .where(Participant.unit_id.is_not(None))
        .subquery("people")
    )


def unit_ranking(quiz: Quiz, *, parent_code: str | None = None) -> list[UnitRow]:
    """The unit (emulation) ranking of a quiz among the children of `parent_code`."""
    return UnitTable(_quiz_people(quiz), quiz.contest).ranking(parent_code)


def contest_unit_ranking(contest: Contest, *, parent_code: str | None = None) -> list[UnitRow]:
    """The unit ranking of a whole contest: each participant once, with their contest percent."""
    return UnitTable(_contest_people(contest), contest).ranking(parent_code)


def unit_ranking_levels(quiz: Quiz | None = None, contest: Contest | None = None) -> dict[str, list[UnitRow]]:
    """Every level of the unit ranking at once, keyed by parent code ("" for the default level).

    One aggregation query serves them all; a published snapshot stores this so the public
    page's parent filter works on frozen figures too.
    """
    table = UnitTable(_quiz_people(quiz), quiz.contest) if quiz is not None \
        else UnitTable(_contest_people(contest), contest)
    levels = {"": table.ranking(None)}
    parents = {u.parent_id for u in table.by_id.values() if u.parent_id is not None}
    for parent_id in parents:
        levels[table.by_id[parent_id].code] = table.ranking(table.by_id[parent_id].code)
    return levels


# --- One participant's standing (shown after submitting) -------------------------------------

def attempt_standing(attempt: Attempt, *, units=None) -> Standing:
    """Where the attempt's participant stands in the quiz, and where their unit stands.

    The rank is the participant's (their counted attempt's); the unit is ranked among its
    siblings, as on the public page. `units(quiz, parent_code=…)` gives the unit rows
    (default: the full computation; after a submit, `live_ranking.unit_ranking`).
    """
    units = units or unit_ranking
    quiz = attempt.quiz
    provisional = is_provisional(quiz)
    total = db.session.scalar(
        db.select(func.count(func.distinct(Attempt.participant_id)))
        .where(Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_not(None))) or 0
    mine = participant_rank(quiz, attempt.participant_id)
    rank = mine.rank if mine else None
    unit_row, unit_rank, unit_total = None, None, 0
    unit = attempt.participant.unit
    if unit is not None:
        rows = units(quiz, parent_code=unit.parent.code if unit.parent else None)
        if not any(r.unit_id == unit.id for r in rows):  # a root unit among several roots
            rows = []
        unit_total = sum(1 for r in rows if r.rank is not None)
        unit_row = next((r for r in rows if r.unit_id == unit.id), None)
        unit_rank = unit_row.rank if unit_row else None
    return Standing(rank=rank, total=total, is_provisional=provisional, unit_rank=unit_rank,
                    unit_total=unit_total, unit_row=unit_row)
