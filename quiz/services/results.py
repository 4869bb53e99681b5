"""What the public results page and the big-screen board show.

What the public may see is decided by `rankings.read`; this module shapes it for the page and
the board. One shape for live and published data: plain dicts as stored in a snapshot's payload
(`rankings.rows.row_dict`), identities already masked.
"""
from __future__ import annotations

from ..extensions import db
from ..models import Attempt, Contest, Participant, Quiz, Unit
from .identity import mask_identity
from .rankings.published import counters as quiz_counters, list_snapshots
from .rankings.read import PUBLIC, read
from .rankings.rows import board_individual, board_unit
from .rankings.scope import Scope

BOARD_TOP = 10
BOARD_LATEST = 4


def given_name(full_name: str) -> str:
    """Vietnamese names end with the given name: `Nguyễn Thị Lan` → `Lan`."""
    parts = (full_name or "").split()
    return parts[-1] if parts else ""


def parent_choices(levels: dict[str, list]) -> list[tuple[str, str]]:
    """(code, name) of the units whose children can be ranked, in name order."""
    codes = [code for code in levels if code]
    if not codes:
        return []
    return [(code, name) for code, name in db.session.execute(
        db.select(Unit.code, Unit.name).where(Unit.code.in_(codes)).order_by(Unit.sort_order, Unit.name))]


def parent_units() -> list[tuple[str, str]]:
    """(code, name) of every unit that has children (the live pages' parent filter)."""
    child = db.aliased(Unit)
    has_children = db.select(child.id).where(child.parent_id == Unit.id).exists()
    return [(code, name) for code, name in db.session.execute(
        db.select(Unit.code, Unit.name).where(has_children).order_by(Unit.sort_order, Unit.name))]


def published_results(*, quiz: Quiz | None = None, contest: Contest | None = None,
                      version: int | None = None, parent: str | None = None, top: int = 20) -> dict | None:
    """The public page's data from the latest (or `version`) snapshot; None if never published."""
    reading = read(quiz=quiz, contest=contest, audience=PUBLIC, source="published", version=version,
                   parent=parent, limit=top)
    if reading is None:
        return None
    return {
        "snapshot": reading.snapshot,
        "versions": [s.version for s in list_snapshots(quiz=quiz, contest=contest)],
        "is_provisional": reading.is_provisional,
        "units": reading.units,
        "parent": parent or "",
        "parents": parent_choices(reading.unit_levels),
        "individuals": reading.individuals,
        "individual_count": reading.individual_count,
        "prediction_truth": reading.prediction_truth,
    }


def _latest_finishers(quiz: Quiz) -> list[dict]:
    rows = db.session.execute(
        db.select(Participant.full_name, Participant.identity, Participant.other_unit, Unit.name,
                  Attempt.score, Attempt.max_score, Attempt.submitted_at)
        .join(Participant, Participant.id == Attempt.participant_id)
        .outerjoin(Unit, Unit.id == Participant.unit_id)
        .where(Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_not(None))
        .order_by(Attempt.submitted_at.desc(), Attempt.id.desc())
        .limit(BOARD_LATEST)
    )
    return [{"name": given_name(r.full_name), "identity": mask_identity(r.identity),
             "unit_name": r.name or r.other_unit or "", "score": r.score, "max_score": r.max_score,
             "submitted_at": r.submitted_at.isoformat()} for r in rows]


def board_data(quiz: Quiz, *, source: str = "current") -> dict:
    """Everything the big-screen board shows, small enough to poll every few seconds."""
    reading = read(quiz=quiz, audience=PUBLIC, source=source, limit=BOARD_TOP)
    if reading is None:
        return {"source": "published", "is_published": False, "title": quiz.title, "code": quiz.code}
    units = reading.units
    counters = reading.counters or quiz_counters(Scope(quiz=quiz), units)
    latest = _latest_finishers(quiz) if reading.source == "current" else []
    published_at = reading.published_at.isoformat() if reading.published_at else None
    return {
        "source": source, "is_published": source != "published" or published_at is not None,
        "title": quiz.title, "code": quiz.code, "state": quiz.state, "is_provisional": reading.is_provisional,
        "published_at": published_at, "counters": counters,
        "units": [board_unit(u) for u in units],
        "top": [board_individual(r) for r in reading.individuals],
        "latest": latest,
    }
