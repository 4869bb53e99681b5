"""What each audience may see of a quiz's or a contest's ranking: the one read path.

Every public reader — the results pages, the JSON API, the big-screen board, the public CSV and
XLSX exports — calls `read(audience=PUBLIC)`; the organizer console calls it with ORGANIZER.
The rules (PRODUCT.md, "Public means published"), written here and nowhere else:

* Public figures are a published snapshot's, as frozen (`source="published"`), or live figures
  that carry no answer (`source="live"`: ranks, scores, durations, participation; never a
  question). `source="latest"` is the latest snapshot if there is one, else live.
* Public identities are masked (a snapshot stores them masked; live rows are masked here).
* Per-question statistics — correct letters, how often each option was picked — reach the
  public only from a snapshot, and only rows whose every quiz has closed and whose question no
  one may still be asked (`question_stats.unsettled_question_ids`). Live public readings carry
  none. Organizers see every row, live.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from ... import clock
from ...extensions import db
from ...models import Contest, Quiz, RankingSnapshot
from .. import live_ranking, publishing, ranking
from . import question_stats

PUBLIC = "public"
ORGANIZER = "organizer"
SOURCES = ("published", "live", "latest")


@dataclass
class Reading:
    """One audience's view of a ranking. Rows are the snapshot payload's dicts (publishing.*_json);
    a snapshot's rows are shared between requests: read them, never change them."""

    scope: str  # "quiz" or "contest"
    audience: str
    source: str  # "published" or "live"
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
         limit: int | None = None) -> Reading | None:
    """The ranking of `quiz` (or `contest`) as `audience` may see it; None when `source` is
    "published" and nothing is (a `version` that does not exist raises NotFoundError).

    `limit` cuts the individual rows (a live reading without one streams them all).
    """
    if (quiz is None) == (contest is None) or audience not in (PUBLIC, ORGANIZER) or source not in SOURCES:
        raise ValueError("read() needs one of quiz or contest, a known audience and a known source")
    if source != "live":
        snapshot = publishing.get_snapshot(quiz=quiz, contest=contest, version=version)
        if snapshot is not None:
            return _published(snapshot, quiz, contest, audience, parent, limit)
        if source == "published":
            return None
    return _live(quiz, contest, audience, parent, limit)


def _published(snapshot: RankingSnapshot, quiz: Quiz | None, contest: Contest | None, audience: str,
               parent: str | None, limit: int | None) -> Reading:
    payload = publishing.snapshot_payload(snapshot)
    people = payload.get("individuals", [])
    levels = payload.get("units", {})
    rows = payload.get("questions", [])  # (snapshots before issue 12 froze none)
    shown = rows if audience == ORGANIZER else _settled(rows, quiz, contest)
    return Reading(
        scope="quiz" if quiz is not None else "contest", audience=audience, source="published",
        is_provisional=snapshot.is_provisional, individuals=people if limit is None else people[:limit],
        individual_count=len(people), units=levels.get(parent or "", []), unit_levels=levels,
        prediction_truth=payload.get("prediction_truth"), snapshot=snapshot, counters=payload.get("counters"),
        questions=shown, questions_withheld=len(shown) < len(rows))


def _settled(rows: list[dict], quiz: Quiz | None, contest: Contest | None) -> list[dict]:
    """The rows the public may see: every quiz they come from has closed, and no one may still
    be asked the question (see question_stats.unsettled_question_ids)."""
    if not rows:
        return []
    now = clock.utcnow()
    if quiz is not None:
        closed = {quiz.id} if quiz.state_at(now) == "closed" else set()
    else:
        closed = set(db.session.scalars(db.select(Quiz.id).where(Quiz.contest_id == contest.id,
                                                                 Quiz.closes_at <= now)))
    rows = [r for r in rows if r.get("quiz_ids") and closed.issuperset(r["quiz_ids"])]
    if not rows:
        return []
    unsettled = question_stats.unsettled_question_ids({r["id"] for r in rows}, now)
    return [r for r in rows if r["id"] not in unsettled]


def _live(quiz: Quiz | None, contest: Contest | None, audience: str, parent: str | None,
          limit: int | None) -> Reading:
    """Live figures. The public's carry no answer (no question rows) and masked identities; the
    public's quiz units come from the cached live computation (the hot path of the board/API)."""
    masked = audience == PUBLIC
    if quiz is not None:
        if limit is None:
            people = (publishing.individual_json(r, masked=masked) for r in ranking.iter_individual_ranking(quiz))
        else:
            people = [publishing.individual_json(r, masked=masked) for r in ranking.individual_ranking(quiz, limit=limit)]
        if masked:
            units = live_ranking.unit_ranking(quiz, parent_code=parent)
            provisional = live_ranking.is_provisional(quiz)
        else:
            units = ranking.unit_ranking(quiz, parent_code=parent)
            provisional = ranking.is_provisional(quiz)
        truth = ranking.prediction_truth(quiz)
    else:
        if limit is None:
            people = (publishing.individual_json(r, masked=masked)
                      for r in ranking.iter_contest_individual_ranking(contest))
        else:
            people = [publishing.individual_json(r, masked=masked)
                      for r in ranking.contest_individual_ranking(contest, limit=limit)]
        units = ranking.contest_unit_ranking(contest, parent_code=parent)
        provisional, truth = ranking.is_contest_provisional(contest), None
    unit_rows = [publishing.unit_json(r) for r in units]
    questions = [] if masked else question_stats.question_statistics(quiz=quiz, contest=contest)
    return Reading(
        scope="quiz" if quiz is not None else "contest", audience=audience, source="live",
        is_provisional=provisional, individuals=people,
        individual_count=len(people) if isinstance(people, list) else None,
        units=unit_rows, unit_levels={parent or "": unit_rows},
        prediction_truth=None if truth is None else format(truth, "f"), questions=questions,
        questions_withheld=masked)
