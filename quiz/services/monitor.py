"""Live participation figures for the dashboard and the monitor screen (SQL aggregates only).

An attempt counts as finished once `submitted_at` is set; an attempt past its deadline but not
yet finalised still counts as in progress until finalisation (lazy or `finalize-expired`)
stamps it, so the figures never disagree with the rankings.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, distinct, func

from ..extensions import db
from ..models import Attempt, Participant, Quiz, Unit
from .rosters.entries import unit_headcounts
from .units import units_in_tree_order


@dataclass
class QuizCounts:
    started: int = 0      # distinct participants with an attempt
    finished: int = 0     # distinct participants with a finished attempt
    in_progress: int = 0  # attempts not finished yet

    def to_dict(self) -> dict:
        return {"started": self.started, "finished": self.finished, "in_progress": self.in_progress}


@dataclass
class UnitProgress:
    code: str
    name: str
    depth: int
    headcount: int | None
    participants: int
    is_group: bool = False  # a parent unit: its figures are its subtree's subtotal

    @property
    def percent(self) -> float | None:
        """Participation against headcount, capped at 100 (None without a headcount)."""
        if not self.headcount:
            return None
        return min(100.0, 100.0 * self.participants / self.headcount)

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "depth": self.depth, "headcount": self.headcount,
                "participants": self.participants, "is_group": self.is_group,
                "percent": None if self.percent is None else round(self.percent, 1)}


@dataclass
class QuizProgress:
    counts: QuizCounts
    units: list[UnitProgress] = field(default_factory=list)
    other_unit_participants: int = 0
    latest: list[dict] = field(default_factory=list)


UNIT_ORDERS = ("tree", "low", "high")


def sort_units(units: list[UnitProgress], order: str) -> list[UnitProgress]:
    """`tree`: the unit tree's order; `low`/`high`: by participation rate, lowest (the units to push)
    or highest first, ties by participants then name; units without a headcount come last."""
    if order not in ("low", "high"):
        return units
    rated = [u for u in units if u.percent is not None]
    sign = 1 if order == "low" else -1
    rated.sort(key=lambda u: (sign * u.percent, sign * u.participants, u.name))
    return rated + [u for u in units if u.percent is None]


def quiz_counts(quiz_ids: list[int]) -> dict[int, QuizCounts]:
    """Started / finished / in-progress figures of several quizzes in one GROUP BY query."""
    if not quiz_ids:
        return {}
    finished_participant = case((Attempt.submitted_at.is_not(None), Attempt.participant_id))
    rows = db.session.execute(
        db.select(Attempt.quiz_id, func.count(distinct(Attempt.participant_id)),
                  func.count(distinct(finished_participant)),
                  func.sum(case((Attempt.submitted_at.is_(None), 1), else_=0)))
        .where(Attempt.quiz_id.in_(quiz_ids)).group_by(Attempt.quiz_id)
    )
    counts = {quiz_id: QuizCounts() for quiz_id in quiz_ids}
    for quiz_id, started, finished, running in rows:
        counts[quiz_id] = QuizCounts(started=started, finished=finished, in_progress=int(running or 0))
    return counts


def _finished_by_unit(quiz: Quiz) -> dict[int | None, int]:
    rows = db.session.execute(
        db.select(Participant.unit_id, func.count(distinct(Participant.id)))
        .join(Attempt, Attempt.participant_id == Participant.id)
        .where(Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_not(None))
        .group_by(Participant.unit_id)
    )
    return {unit_id: n for unit_id, n in rows}


def _latest_finishers(quiz: Quiz, limit: int) -> list[dict]:
    rows = db.session.execute(
        db.select(Participant.full_name, Unit.name, Participant.other_unit, Attempt.score, Attempt.max_score,
                  Attempt.score_pct, Attempt.duration_ms, Attempt.submitted_at)
        .join(Participant, Attempt.participant_id == Participant.id)
        .outerjoin(Unit, Participant.unit_id == Unit.id)
        .where(Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_not(None))
        .order_by(Attempt.submitted_at.desc(), Attempt.id.desc()).limit(limit)
    )
    return [{"full_name": name, "unit": unit_name or other or "", "score": score, "max_score": max_score,
             "score_pct": score_pct, "duration_s": None if ms is None else ms / 1000, "submitted_at": at}
            for name, unit_name, other, score, max_score, score_pct, ms, at in rows]


def quiz_progress(quiz: Quiz, *, latest: int = 10) -> QuizProgress:
    """Everything the monitor shows: counts, per-unit participation, the latest finishers.

    A parent unit shows its own participants plus its children's, and its headcount (or, when
    it has none, the sum of its children's) — the same roll-up the unit ranking uses.
    """
    by_unit = _finished_by_unit(quiz)
    units = units_in_tree_order()
    parents = {u.parent_id for u in units}
    totals = {u.id: by_unit.get(u.id, 0) for u in units}
    heads = unit_headcounts(units)
    # Children come after their parents in tree order, so walking backwards rolls up bottom-first.
    for unit in reversed(units):
        if unit.parent_id is not None and unit.parent_id in totals:
            totals[unit.parent_id] += totals[unit.id]
    child_heads: dict[int, int] = {}
    for unit in reversed(units):
        own = heads[unit.id] if heads[unit.id] is not None else child_heads.get(unit.id)
        heads[unit.id] = own
        if unit.parent_id is not None and own:
            child_heads[unit.parent_id] = child_heads.get(unit.parent_id, 0) + own
    return QuizProgress(
        counts=quiz_counts([quiz.id])[quiz.id],
        units=[UnitProgress(u.code, u.name, u.depth, heads[u.id], totals[u.id], is_group=u.id in parents)
               for u in units],
        other_unit_participants=by_unit.get(None, 0),
        latest=_latest_finishers(quiz, latest),
    )
