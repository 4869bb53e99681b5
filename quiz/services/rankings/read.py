"""What each audience may see of a quiz's or a contest's ranking: the one read path.

Every public reader — the results pages, the JSON API, the big-screen board, the public CSV and
XLSX exports — calls `read(audience=PUBLIC)`; the organizer console calls it with ORGANIZER.
The rules (PRODUCT.md, "Public means published"), written here and nowhere else:

* Public figures are a published snapshot's, as frozen (`source="published"`), or the current,
  unpublished figures that carry no answer (`source="current"`: ranks, scores, durations,
  participation; never a question). `source="latest"` is the latest snapshot if there is one,
  else current. ("Live" names only the host-paced live session: quiz/services/live_session.)
* Public identities are masked (a snapshot stores them masked; current rows are masked here).
* Per-question statistics — correct letters, how often each option was picked — reach the
  public only from a snapshot, and only rows whose every quiz has closed and whose question no
  one may still be asked (`question_stats.unsettled_question_ids`). Live public readings carry
  none. Organizers see every row, current.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from ... import clock
from ...models import Contest, Quiz, RankingSnapshot
from . import individuals, question_stats, units
from .published import get_snapshot, snapshot_payload
from .rows import row_dict
from .scope import Scope

PUBLIC = "public"
ORGANIZER = "organizer"
SOURCES = ("published", "current", "latest")


@dataclass
class Reading:
    """One audience's view of a ranking. Rows are the snapshot payload's dicts (`rows.row_dict`);
    a snapshot's rows are shared between requests: read them, never change them."""

    scope: str  # "quiz" or "contest"
    audience: str
    source: str  # "published" or "current"
    is_provisional: bool
    individuals: Iterable[dict]
    individual_count: int | None
    units: list[dict]  # the asked level (children of `parent`, or the default level)
    unit_levels: dict[str, list[dict]]  # every level held ("" = the default one)
    prediction_truth: str | None
    snapshot: RankingSnapshot | None = None
    counters: dict | None = None
    questions: list[dict] = field(default_factory=list)
    questions_withheld: bool = False  # some rows exist that this audience may not see yet

    @property
    def published_at(self) -> datetime | None:
        return self.snapshot.published_at if self.snapshot is not None else None


def read(*, quiz: Quiz | None = None, contest: Contest | None = None, audience: str = PUBLIC,
         source: str = "published", version: int | None = None, parent: str | None = None,
         limit: int | None = None, with_units: bool = True) -> Reading | None:
    """The ranking of `quiz` (or `contest`) as `audience` may see it; None when `source` is
    "published" and nothing is (a `version` that does not exist raises NotFoundError).

    `limit` cuts the individual rows (a current reading without one streams them all);
    `with_units=False` leaves a current reading's unit rows out (a reader that shows none).
    """
    if audience not in (PUBLIC, ORGANIZER) or source not in SOURCES:
        raise ValueError("read() needs a known audience and a known source")
    scope = Scope(quiz=quiz, contest=contest)
    if source != "current":
        snapshot = get_snapshot(quiz=quiz, contest=contest, version=version)
        if snapshot is not None:
            return _published(snapshot, scope, audience, parent, limit)
        if source == "published":
            return None
    return _current(scope, audience, parent, limit, with_units)


def _published(snapshot: RankingSnapshot, scope: Scope, audience: str, parent: str | None,
               limit: int | None) -> Reading:
    payload = snapshot_payload(snapshot)
    people = payload.get("individuals", [])
    levels = payload.get("units", {})
    rows = payload.get("questions", [])  # (snapshots before issue 12 froze none)
    shown = rows if audience == ORGANIZER else _settled(rows, scope)
    return Reading(
        scope=scope.kind, audience=audience, source="published",
        is_provisional=snapshot.is_provisional, individuals=people if limit is None else people[:limit],
        individual_count=len(people), units=levels.get(parent or "", []), unit_levels=levels,
        prediction_truth=payload.get("prediction_truth"), snapshot=snapshot, counters=payload.get("counters"),
        questions=shown, questions_withheld=len(shown) < len(rows))


def _settled(rows: list[dict], scope: Scope) -> list[dict]:
    """The rows the public may see: every quiz they come from has closed, and no one may still
    be asked the question (see question_stats.unsettled_question_ids)."""
    if not rows:
        return []
    now = clock.utcnow()
    closed = scope.closed_quiz_ids(now)
    rows = [r for r in rows if r.get("quiz_ids") and closed.issuperset(r["quiz_ids"])]
    if not rows:
        return []
    unsettled = question_stats.unsettled_question_ids({r["id"] for r in rows}, now)
    return [r for r in rows if r["id"] not in unsettled]


def _current(scope: Scope, audience: str, parent: str | None, limit: int | None, with_units: bool) -> Reading:
    """Live figures. The public's carry no answer (no question rows) and masked identities. A
    quiz's units are a read of its tallies (exact after every commit: `tallies`)."""
    masked = audience == PUBLIC
    if limit is None:
        people = (row_dict(r, masked=masked) for r in individuals.iter_ranking(scope))
    else:
        people = [row_dict(r, masked=masked) for r in individuals.ranking(scope, limit=limit)]
    unit_rows = [row_dict(r) for r in units.ranking(scope, parent)] if with_units else []
    provisional = scope.is_provisional()
    truth = scope.truth()
    return Reading(
        scope=scope.kind, audience=audience, source="current",
        is_provisional=provisional, individuals=people,
        individual_count=len(people) if isinstance(people, list) else None,
        units=unit_rows, unit_levels={parent or "": unit_rows},
        prediction_truth=None if truth is None else format(truth, "f"),
        questions=[] if masked else question_stats.question_statistics(scope), questions_withheld=masked)
