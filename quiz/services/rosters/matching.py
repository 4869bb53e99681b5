"""Who of a roster has taken part in a round or a contest, and who took part from no roster.

A participant *is* a roster entry's staff member when their normalised identity equals the
entry's phone or staff code (both stored normalised; a phone has no letter and a staff code
has one, so the two can never be confused). The match is made here, each time a page is
read, in SQL joins on indexed columns: nothing is stored, so an edit or a re-import of a
roster, or a participant moved to another unit, is reflected on the next read.

For the units in view (a unit contact's subtree, or every unit for an organizer):

* every roster entry is **taken part** (a finished attempt counted by the scope's ranking,
  under any unit: a participant who picked the wrong unit is still found) or **not yet**;
* every participant who chose a unit in view is **in the list** when an entry of that unit
  or of one of its ancestors matches them; **wrong unit** when only entries of other units
  match (they show on both units' pages); **outside the list** when nothing matches and that
  unit (or an ancestor) has a roster; otherwise their unit simply has no roster yet.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import union_all

from ...extensions import db
from ...models import Participant, RosterEntry, RosterReview, Unit
from ..identity import name_key
from ..rankings.scope import Scope
from ..units import units_in_tree_order
from .entries import given_name_first, roster_sizes

IN_LIST, WRONG_UNIT, OUTSIDE, NO_ROSTER = "in_list", "wrong_unit", "outside", "no_roster"


@dataclass
class Taker:
    """A participant with a finished attempt in the scope."""
    id: int
    full_name: str
    identity: str
    unit_id: int | None
    other_unit: str | None
    score: int | None
    max_score: int | None
    submitted_at: datetime | None

    @property
    def score_pct(self) -> float | None:
        return round(100.0 * self.score / self.max_score, 2) if self.max_score and self.score is not None else None


@dataclass
class EntryStatus:
    entry: RosterEntry
    taker: Taker | None = None
    registered_unit: Unit | None = None  # set when the taker chose a unit outside the entry's unit
    restricted: bool = False  # the taker chose a unit outside the viewer's: no score, no time

    @property
    def has_taken_part(self) -> bool:
        return self.taker is not None


@dataclass
class Unlisted:
    """A participant of a unit in view who is not on that unit's list (WRONG_UNIT, OUTSIDE)."""
    taker: Taker
    unit: Unit
    status: str
    matched_units: list[Unit] = field(default_factory=list)
    is_confirmed: bool = False


@dataclass
class Participation:
    units: list[Unit]                  # in view, tree order
    entries: list[EntryStatus]
    unlisted: list[Unlisted]           # needing a look: wrong unit, or outside the list
    unrostered: list[tuple[Taker, Unit]]  # took part from a unit with no roster anywhere above it
    sub_units: list[str]
    roster_units: set[int]

    @property
    def taken(self) -> list[EntryStatus]:
        return [e for e in self.entries if e.has_taken_part]

    @property
    def not_yet(self) -> list[EntryStatus]:
        return [e for e in self.entries if not e.has_taken_part]


def _takers(scope: Scope):
    counted = scope.counted(truth=None)
    return (db.select(Participant.id.label("pid"), Participant.full_name, Participant.identity, Participant.unit_id,
                      Participant.other_unit, Participant.anonymised_at, counted.c.score, counted.c.max_score,
                      counted.c.submitted_at)
            .join(counted, counted.c.participant_id == Participant.id)
            .subquery("takers"))


def _pairs(takers, *conditions):
    """(entry id, entry unit id, participant id) for every entry a taker matches, by phone or by code.

    An anonymised participant (`purge`) matches nothing: their identity became `AN-<id>`, which
    a staff code could happen to equal."""
    return union_all(*[
        db.select(RosterEntry.id.label("entry_id"), RosterEntry.unit_id.label("entry_unit_id"), takers.c.pid)
        .join(takers, takers.c.identity == column).where(takers.c.anonymised_at.is_(None), *conditions)
        for column in (RosterEntry.phone, RosterEntry.staff_code)
    ])


def _redacted(taker: Taker) -> Taker:
    """What a viewer may know of a participant registered outside their subtree: that they took
    part, and where. A phone or staff code put on a roster must not reveal anyone's score."""
    return Taker(taker.id, "", "", taker.unit_id, taker.other_unit, None, None, None)


def _within(unit: Unit | None, ancestor: Unit) -> bool:
    return unit is not None and unit.path.startswith(ancestor.path)


def participation(scope: Scope, visible: set[int] | None, *, unit: Unit | None = None,
                  sub_unit: str | None = None) -> Participation:
    """Taken part / not yet for the units in view: `visible` (None: all) narrowed to `unit`'s
    subtree when given, and the entries to `sub_unit` when given. An entry's participant who
    chose a unit outside `visible` shows as taken part, without score or time (`restricted`)."""
    all_units = units_in_tree_order()
    by_id = {u.id: u for u in all_units}
    in_view = [u for u in all_units if (visible is None or u.id in visible) and (unit is None or _within(u, unit))]
    view_ids = [u.id for u in in_view]
    sizes = roster_sizes()
    takers = _takers(scope)

    entry_filter = [RosterEntry.unit_id.in_(view_ids)]
    entries_query = db.select(RosterEntry).where(*entry_filter)
    sub_units = sorted({s for s in db.session.scalars(db.select(RosterEntry.sub_unit).where(*entry_filter).distinct())
                        if s}, key=name_key)
    if sub_unit:
        entry_filter.append(RosterEntry.sub_unit == sub_unit)
        entries_query = entries_query.where(RosterEntry.sub_unit == sub_unit)
    entries = list(db.session.scalars(entries_query))
    entry_pairs = db.session.execute(_pairs(takers, *entry_filter)).all()
    # Participants of the units in view, with the units of every entry they match (any unit).
    own_query = db.select(takers).where(takers.c.unit_id.in_(view_ids))
    own_pairs = db.session.execute(_pairs(takers, takers.c.unit_id.in_(view_ids))).all()
    wanted = {pid for _e, _u, pid in entry_pairs}
    rows = [] if sub_unit else list(db.session.execute(own_query))
    if wanted - {r.pid for r in rows}:
        rows += db.session.execute(db.select(takers).where(takers.c.pid.in_(wanted - {r.pid for r in rows}))).all()
    people = {r.pid: Taker(r.pid, r.full_name, r.identity, r.unit_id, r.other_unit, r.score, r.max_score,
                           r.submitted_at) for r in rows}

    matched: dict[int, Taker] = {}
    for entry_id, _unit_id, pid in sorted(entry_pairs, key=lambda p: p[2]):
        matched.setdefault(entry_id, people[pid])
    order = {u.id: i for i, u in enumerate(all_units)}
    statuses = []
    for entry in sorted(entries, key=lambda e: (order.get(e.unit_id, 0), name_key(e.sub_unit), given_name_first(e.full_name), e.id)):
        taker = matched.get(entry.id)
        registered = by_id.get(taker.unit_id) if taker and taker.unit_id else None
        elsewhere = taker is not None and not _within(registered, by_id[entry.unit_id])
        restricted = taker is not None and visible is not None and taker.unit_id not in visible
        if restricted:
            taker = _redacted(taker)
        statuses.append(EntryStatus(entry, taker, registered if elsewhere else None, restricted))

    unlisted, unrostered = [], []
    if not sub_unit:
        matches: dict[int, set[int]] = {}
        for _entry_id, entry_unit_id, pid in own_pairs:
            matches.setdefault(pid, set()).add(entry_unit_id)
        reviewed = {(pid, unit_id) for pid, unit_id in db.session.execute(
            db.select(RosterReview.participant_id, RosterReview.unit_id).where(RosterReview.unit_id.in_(view_ids)))}
        covered = {u.id for u in in_view if any(int(i) in sizes for i in u.path.strip("/").split("/"))}
        for taker in sorted((p for p in people.values() if p.unit_id in set(view_ids)), key=lambda p: given_name_first(p.full_name)):
            chosen = by_id[taker.unit_id]
            units_matched = [by_id[u] for u in matches.get(taker.id, ())]
            if any(_within(chosen, u) for u in units_matched):
                continue
            if units_matched:
                unlisted.append(Unlisted(taker, chosen, WRONG_UNIT, sorted(units_matched, key=lambda u: u.path)))
            elif chosen.id in covered:
                unlisted.append(Unlisted(taker, chosen, OUTSIDE, [], (taker.id, chosen.id) in reviewed))
            else:
                unrostered.append((taker, chosen))
    return Participation(in_view, statuses, unlisted, unrostered, sub_units, set(sizes) & set(view_ids))
