"""Unit (emulation) rankings of a quiz or a contest, and one participant's standing.

Unit ranking: ``participants`` = distinct participants of the unit (and its whole subtree: a
parent rolls up its descendants) with a finished attempt; ``headcount`` = the unit's own (its
roster's size where it has a roster, else the typed one), else the sum of its children's
(recursively); ``participation_rate`` = participants / headcount, capped at 1; ``mean_score_pct`` = mean of the participants' counted score percent (0–100; in a contest,
their contest percent: each participant once); ``emulation_score`` = w_rate × rate × 100 +
w_score × mean_score_pct (contest weights). Order: emulation score desc → participants desc →
unit name. Units without a headcount (or 0) are listed after the ranked ones, flagged, with no
rank, rate or emulation score. Which units compete: the children of ``parent_code``; without
it, the children of the single root unit (a Sở with its hospitals), or the roots when the tree
has several. (Individual rankings and counted attempts: `rankings.individuals`.)
"""
from __future__ import annotations

from dataclasses import dataclass

from ...models import Attempt, Contest, Quiz
from .counted import truth_counts
from .individuals import participant_rank
from .rows import UnitRow
from .scope import Scope
from .unit_rollup import UnitTable


@dataclass
class Standing:
    rank: int | None
    total: int
    is_provisional: bool
    unit_rank: int | None
    unit_total: int
    unit_row: UnitRow | None


def ranking(scope: Scope, parent_code: str | None = None) -> list[UnitRow]:
    """The unit ranking of the scope among the children of `parent_code`."""
    return UnitTable(scope.unit_counts(), scope.contest).ranking(parent_code)


def levels(scope: Scope) -> dict[str, list[UnitRow]]:
    """Every level of the unit ranking at once, keyed by parent code ("" for the default level).

    One aggregation query serves them all; a published snapshot stores this so the public
    page's parent filter works on frozen figures too.
    """
    table = UnitTable(scope.unit_counts(), scope.contest)
    found = {"": table.ranking(None)}
    parents = {u.parent_id for u in table.by_id.values() if u.parent_id is not None}
    for parent_id in parents:
        found[table.by_id[parent_id].code] = table.ranking(table.by_id[parent_id].code)
    return found


def unit_ranking(quiz: Quiz, *, parent_code: str | None = None) -> list[UnitRow]:
    return ranking(Scope(quiz=quiz), parent_code)


def contest_unit_ranking(contest: Contest, *, parent_code: str | None = None) -> list[UnitRow]:
    return ranking(Scope(contest=contest), parent_code)


def unit_ranking_levels(quiz: Quiz | None = None, contest: Contest | None = None) -> dict[str, list[UnitRow]]:
    return levels(Scope(quiz=quiz, contest=contest))


def attempt_standing(attempt: Attempt) -> Standing:
    """Where the attempt's participant stands in the quiz, and where their unit stands.

    The rank is the participant's (their counted attempt's); the unit is ranked among its
    siblings, as on the public page, from the quiz's unit table (a read of its tallies), which
    also gives the parent's code.
    """
    quiz = attempt.quiz
    scope = Scope(quiz=quiz)
    provisional = scope.is_provisional()
    mine = participant_rank(quiz, attempt.participant_id)  # (attempts past their deadline finalised first)
    # Everyone with a finished attempt, from the tallies (a participant counts once, with a unit or
    # not): a read of the quiz's unit rows, where a COUNT(DISTINCT) of its attempts cost 12 ms at
    # 10,000 attempts in every submit.
    total, _perfect = truth_counts(quiz)
    rank = mine.rank if mine else None
    unit_row, unit_rank, unit_total = None, None, 0
    unit = attempt.participant.unit
    if unit is not None:
        table = UnitTable(scope.unit_counts(), scope.contest)
        parent = table.by_id.get(unit.parent_id)
        rows = table.ranking(parent.code if parent is not None else None)
        if not any(r.unit_id == unit.id for r in rows):  # a root unit among several roots
            rows = []
        unit_total = sum(1 for r in rows if r.rank is not None)
        unit_row = next((r for r in rows if r.unit_id == unit.id), None)
        unit_rank = unit_row.rank if unit_row else None
    return Standing(rank=rank, total=total, is_provisional=provisional, unit_rank=unit_rank,
                    unit_total=unit_total, unit_row=unit_row)
