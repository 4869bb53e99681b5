"""The unit side of the rankings: rolled-up figures of every unit and their order per level.

The rules are written in `rankings.units`'s docstring; this module only holds the parts
that work on the (few hundred) unit rows after one SQL aggregation.
"""
from __future__ import annotations

from ...extensions import db
from ...models import Contest, Unit
from ...models.units import depth_of
from ..rosters.entries import unit_headcounts
from .rows import UnitRow
from .tallies import PCT_SCALE


def _rolled_headcounts(units: dict) -> dict[int, int | None]:
    """Own headcount if set (a roster's size where the unit has one: `rosters.entries.unit_headcounts`),
    else the sum of the children's (recursively); None if nobody's set.

    Units are a few hundred rows, so this walks them in Python; summing every descendant in SQL
    would count a grandchild twice when its parent has a headcount too.
    """
    children: dict[int, list[int]] = {}
    for unit in units.values():
        if unit.parent_id is not None:
            children.setdefault(unit.parent_id, []).append(unit.id)
    memo: dict[int, int | None] = {}
    owns = unit_headcounts(units.values())

    def rolled(unit_id: int) -> int | None:
        if unit_id not in memo:
            own = owns[unit_id]
            if own is not None:
                memo[unit_id] = own
            else:
                parts = [h for h in (rolled(c) for c in children.get(unit_id, [])) if h is not None]
                memo[unit_id] = sum(parts) if parts else None
        return memo[unit_id]

    return {unit_id: rolled(unit_id) for unit_id in units}


class UnitTable:
    """Rolled-up figures of every unit, ranked level by level on demand.

    Two reads of at most a few hundred rows: the units (plain rows, not ORM objects) and each
    unit's own figures; a unit's figures then go to every unit on its materialised path (itself
    and its ancestors), so a parent rolls up its whole subtree.
    """

    def __init__(self, unit_counts, contest: Contest):
        """`unit_counts`: a select of each unit's own `unit_id`, `n` (participants) and `pct_units`
        (the sum of their score percents, `tallies.pct_units`) — `Scope.unit_counts()`."""
        self.contest = contest
        self.by_id = {u.id: u for u in db.session.execute(
            db.select(Unit.id, Unit.code, Unit.name, Unit.parent_id, Unit.headcount, Unit.path))}
        figures: dict[int, list[int]] = {}
        for unit_id, n, pct_units in db.session.execute(unit_counts):
            member = self.by_id.get(unit_id)
            for part in (member.path.strip("/").split("/") if member is not None else ()):
                if part.isdigit() and int(part) in self.by_id:
                    total = figures.setdefault(int(part), [0, 0])
                    total[0] += int(n)
                    total[1] += int(pct_units or 0)
        self.figures = {unit_id: (n, pct) for unit_id, (n, pct) in figures.items()}
        self.headcounts = _rolled_headcounts(self.by_id)

    def competing(self, parent_code: str | None) -> list:
        units = list(self.by_id.values())
        if parent_code is not None:
            parent = next((u for u in units if u.code == parent_code), None)
            return [] if parent is None else [u for u in units if u.parent_id == parent.id]
        roots = [u for u in units if u.parent_id is None]
        if len(roots) == 1:
            children = [u for u in units if u.parent_id == roots[0].id]
            if children:
                return children
        return roots

    def row(self, unit) -> UnitRow:
        n, pct_units = self.figures.get(unit.id, (0, 0))
        headcount = self.headcounts[unit.id]
        mean = pct_units / PCT_SCALE / n if n else None
        is_flagged = not headcount
        rate = None if is_flagged else min(1.0, n / headcount)
        emulation = None if is_flagged else round(
            self.contest.w_rate * rate * 100 + self.contest.w_score * (mean or 0.0), 2)
        parent = self.by_id.get(unit.parent_id) if unit.parent_id else None
        return UnitRow(rank=None, unit_id=unit.id, code=unit.code, name=unit.name,
                       parent_code=parent.code if parent else None, depth=depth_of(unit.path),
                       headcount=headcount, participants=n,
                       participation_rate=None if rate is None else round(rate, 4),
                       mean_score_pct=None if mean is None else round(mean, 2),
                       emulation_score=emulation, is_flagged=is_flagged)

    def ranking(self, parent_code: str | None) -> list[UnitRow]:
        rows = [self.row(u) for u in self.competing(parent_code)]
        ranked = sorted((r for r in rows if not r.is_flagged),
                        key=lambda r: (-r.emulation_score, -r.participants, r.name))
        for place, row in enumerate(ranked, start=1):
            row.rank = place
        flagged = sorted((r for r in rows if r.is_flagged), key=lambda r: (-r.participants, r.name))
        return ranked + flagged
