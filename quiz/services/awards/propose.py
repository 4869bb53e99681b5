"""Award proposals: who gets which prize, computed from FINAL published rankings only.

Rules, written here and nowhere else:

* A table's candidates are the individual rows of the latest published snapshot of its round
  (or of the whole contest), in the snapshot's order — the quiz's own order, prediction and
  time included (`rankings.order`), frozen when it was published. A table whose latest
  snapshot is provisional, or that has none, proposes nothing (`status`).
* A candidate below the table's minimum score percent, or disqualified in that table
  (`WinnerCheck`), is skipped; the next in line moves up.
* A cap (`cap_pct`) gives at most floor(finishers × cap / 100) prizes in the table, the lower
  prizes cut first.
* One prize per person in the contest (`Contest.one_prize_per_person`): prizes are handed out
  from the highest level down across every table at once (level 0 of every table, then level
  1…; within a level the contest table, then the rounds in date order), so each person keeps the
  highest prize they reach and in the other tables the next in line moves up.
* Collective prizes (units, the snapshot's default unit level): the first `unit_top_n` ranked
  units by emulation score, and every ranked unit whose participation rate is at least
  `unit_min_rate_pct`. Units without a headcount are flagged, never prized.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from ...extensions import db
from ...models import Contest, PrizeTable, Quiz, WinnerCheck
from ..rankings.read import ORGANIZER, read
from .tables import contest_tables

KEY_FIELDS = {"score": "score", "correct": "correct_count", "prediction": "prediction_error",
              "duration": "duration_ms", "submitted_at": "submitted_at"}
CONTEST_KEYS = ("score", "correct", "duration", "submitted_at")
RUNNERS_UP = 3


@dataclass
class Winner:
    prize: str
    level: int
    row: dict  # the snapshot's row (masked identity), rank and figures included
    check: WinnerCheck | None = None
    decided_by: str | None = None  # the ranking key that put them before the next in line, on a tie
    moved_up: bool = False  # someone before them was skipped

    @property
    def participant_id(self) -> int:
        return self.row["participant_id"]


@dataclass
class Skipped:
    row: dict
    reason: str  # "disqualified", "below_min", "has_prize"
    detail: str = ""


@dataclass
class UnitAward:
    prize: str
    reason: str  # "top" or "rate"
    row: dict


@dataclass
class Section:
    quiz: Quiz | None
    table: PrizeTable | None
    title: str
    status: str  # "ready", "provisional", "unpublished", "no_prizes"
    keys: tuple[str, ...] = ()
    snapshot_version: int | None = None
    published_at: datetime | None = None
    prediction_truth: str | None = None
    finishers: int = 0
    cap_slots: int | None = None
    winners: list[Winner] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    runners_up: list[dict] = field(default_factory=list)
    units: list[UnitAward] = field(default_factory=list)

    @property
    def scope_key(self) -> str:
        return "contest" if self.quiz is None else str(self.quiz.id)

    @property
    def code(self) -> str | None:
        return self.quiz.code if self.quiz is not None else None


@dataclass
class Proposal:
    contest: Contest
    sections: list[Section]

    def section(self, quiz: Quiz | None) -> Section:
        return next(s for s in self.sections if s.quiz == quiz)

    @property
    def ready(self) -> list[Section]:
        return [s for s in self.sections if s.status == "ready"]

    def unchecked(self) -> list[Winner]:
        return [w for s in self.ready for w in s.winners if w.check is None]


def _section(contest: Contest, quiz: Quiz | None, table: PrizeTable | None) -> tuple[Section, list[dict]]:
    title = quiz.title if quiz is not None else contest.title
    section = Section(quiz=quiz, table=table, title=title, status="no_prizes",
                      keys=tuple(quiz.ranking_keys) if quiz is not None else CONTEST_KEYS)
    has_prizes = table is not None and (table.levels or table.unit_top_n or table.unit_min_rate_pct)
    if not has_prizes:
        return section, []
    reading = read(quiz=quiz, contest=None if quiz else contest, audience=ORGANIZER, source="published")
    if reading is None:
        section.status = "unpublished"
        return section, []
    section.snapshot_version = reading.snapshot.version
    section.published_at = reading.published_at
    section.prediction_truth = reading.prediction_truth
    if reading.is_provisional:
        section.status = "provisional"
        return section, []
    section.status = "ready"
    if section.prediction_truth is None:
        section.keys = tuple(k for k in section.keys if k != "prediction")
    people = list(reading.individuals)
    section.finishers = len(people)
    if table.cap_pct:
        section.cap_slots = math.floor(section.finishers * table.cap_pct / 100 + 1e-9)
    section.units = _unit_awards(table, reading.units)
    return section, people


def _unit_awards(table: PrizeTable, rows: list[dict]) -> list[UnitAward]:
    ranked = [r for r in rows if r["rank"] is not None and not r["is_flagged"]]
    awards = []
    if table.unit_top_n:
        awards += [UnitAward(table.unit_top_name, "top", r) for r in ranked if r["rank"] <= table.unit_top_n]
    if table.unit_min_rate_pct:
        threshold = table.unit_min_rate_pct / 100
        awards += [UnitAward(table.unit_rate_name, "rate", r) for r in ranked
                   if r["participation_rate"] is not None and r["participation_rate"] + 1e-9 >= threshold]
    return awards


def decided_by(keys: tuple[str, ...], before: dict, after: dict) -> str | None:
    """The first ranking key on which `before` and `after` differ, when they tie on score (None:
    the score decided, or nothing did and the row order — attempt id — settled it)."""
    if before.get("score") != after.get("score"):
        return None
    for key in keys:
        if key != "score" and before.get(KEY_FIELDS[key]) != after.get(KEY_FIELDS[key]):
            return key
    return "order"


def propose(contest: Contest) -> Proposal:
    """The contest's award proposal, every table at once (see the module's rules)."""
    checks: dict[tuple[int, int], WinnerCheck] = {
        (c.table_id, c.participant_id): c for c in db.session.scalars(
            db.select(WinnerCheck).join(PrizeTable).where(PrizeTable.contest_id == contest.id))}
    sections, queues = [], []
    for quiz, table in contest_tables(contest):
        section, people = _section(contest, quiz, table)
        sections.append(section)
        queue = []
        for row in people:
            check = checks.get((table.id, row["participant_id"])) if table else None
            if check is not None and check.status == "disqualified":
                section.skipped.append(Skipped(row, "disqualified", check.note))
            elif table.min_score_pct is not None and row["score_pct"] + 1e-9 < table.min_score_pct:
                section.skipped.append(Skipped(row, "below_min"))
            else:
                queue.append(row)
        queues.append(queue)
    _hand_out(contest, sections, queues, checks)
    return Proposal(contest=contest, sections=sections)


def _hand_out(contest: Contest, sections: list[Section], queues: list[list[dict]],
              checks: dict[tuple[int, int], WinnerCheck]) -> None:
    slots = sorted(((level.position, order, level.name, level.count)
                    for order, section in enumerate(sections) if section.status == "ready"
                    for level in section.table.levels))
    awarded: dict[int, str] = {}  # participant → the prize (with its table) they hold
    pointers = [0] * len(sections)
    for position, order, name, count in slots:
        section, queue = sections[order], queues[order]
        for _n in range(count):
            if section.cap_slots is not None and len(section.winners) >= section.cap_slots:
                break
            while pointers[order] < len(queue):
                row = queue[pointers[order]]
                pointers[order] += 1
                held = awarded.get(row["participant_id"])
                if held is None or not contest.one_prize_per_person:
                    if contest.one_prize_per_person:
                        awarded[row["participant_id"]] = f"{name} — {section.title}"
                    section.winners.append(Winner(prize=name, level=position, row=row,
                                                  check=checks.get((section.table.id, row["participant_id"]))))
                    break
                section.skipped.append(Skipped(row, "has_prize", held))
    for section, queue, pointer in zip(sections, queues, pointers):
        rest = queue[pointer:]
        section.runners_up = rest[:RUNNERS_UP]
        skipped_ranks = [s.row["rank"] for s in section.skipped]
        for i, winner in enumerate(section.winners):
            after = section.winners[i + 1].row if i + 1 < len(section.winners) else (rest[0] if rest else None)
            if after is not None:
                winner.decided_by = decided_by(section.keys, winner.row, after)
            winner.moved_up = any(rank < winner.row["rank"] for rank in skipped_ranks)
