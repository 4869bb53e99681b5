"""Publishing a ranking: a frozen, versioned snapshot that public pages and exports read
(through `rankings.read`, which decides what of it each audience sees).

A snapshot's payload is JSON and holds the rows exactly as announced. Identities are stored
MASKED: a snapshot only ever feeds public pages and public exports, so it cannot leak a phone
number even by mistake. Organizers read the live ranking (full identities) instead.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.orm import defer

from .. import clock
from ..errors import NotFoundError
from ..extensions import db
from ..models import Attempt, Contest, Organizer, Quiz, RankingSnapshot
from . import audit, ranking
from .identity import mask_identity
from .rankings import question_stats
from .ranking import IndividualRow, UnitRow


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def individual_json(row: IndividualRow, *, masked: bool = True) -> dict:
    """An individual row as JSON-able dict; `masked` (the default) hides the identity."""
    return {
        "rank": row.rank, "participant_id": row.participant_id, "full_name": row.full_name,
        "identity": mask_identity(row.identity) if masked else row.identity,
        "unit_code": row.unit_code, "unit_name": row.unit_name,
        "correct_count": row.correct_count, "score": row.score, "max_score": row.max_score,
        "score_pct": row.score_pct, "prediction": _decimal(row.prediction),
        "prediction_error": _decimal(row.prediction_error), "duration_ms": row.duration_ms,
        "submitted_at": row.submitted_at.isoformat() if row.submitted_at else None,
    }


def unit_json(row: UnitRow) -> dict:
    return {
        "rank": row.rank, "code": row.code, "name": row.name, "parent_code": row.parent_code,
        "depth": row.depth, "headcount": row.headcount, "participants": row.participants,
        "participation_rate": row.participation_rate, "mean_score_pct": row.mean_score_pct,
        "emulation_score": row.emulation_score, "is_flagged": row.is_flagged,
    }


def build_payload(*, quiz: Quiz | None = None, contest: Contest | None = None, masked: bool = True) -> dict:
    """The whole ranking (individuals and every unit level) as JSON-able data."""
    if quiz is not None:
        individuals = ranking.individual_ranking(quiz)
        levels = ranking.unit_ranking_levels(quiz=quiz)
        truth = ranking.prediction_truth(quiz)
    else:
        individuals = ranking.contest_individual_ranking(contest)
        levels = ranking.unit_ranking_levels(contest=contest)
        truth = None
    units = {parent: [unit_json(r) for r in rows] for parent, rows in levels.items()}
    return {
        "scope": "quiz" if quiz is not None else "contest",
        "counters": quiz_counters(quiz, units[""]) if quiz is not None else None,
        "prediction_truth": _decimal(truth),
        "individuals": [individual_json(r, masked=masked) for r in individuals],
        "units": units,
        # Frozen with the rest, answer key included: rankings.read shows a row to the public
        # only once no one may still be asked its question.
        "questions": question_stats.question_statistics(quiz=quiz, contest=contest),
    }


def quiz_counters(quiz: Quiz, unit_rows: list[dict]) -> dict:
    """Who started, who finished, and the finished share of the competing units' headcount."""
    started, finished = db.session.execute(
        db.select(func.count(func.distinct(Attempt.participant_id)),
                  func.count(func.distinct(Attempt.participant_id)).filter(Attempt.submitted_at.is_not(None)))
        .where(Attempt.quiz_id == quiz.id)
    ).one()
    headcount = sum(r["headcount"] or 0 for r in unit_rows if not r["is_flagged"])
    return {"participants": int(started), "finished": int(finished), "headcount": headcount,
            "finished_pct": round(100.0 * finished / headcount, 1) if headcount else None}


def _next_version(quiz: Quiz | None, contest: Contest | None) -> int:
    query = db.select(func.max(RankingSnapshot.version))
    query = query.where(RankingSnapshot.quiz_id == quiz.id) if quiz is not None \
        else query.where(RankingSnapshot.contest_id == contest.id)
    return (db.session.scalar(query) or 0) + 1


def publish_ranking(*, quiz: Quiz | None = None, contest: Contest | None = None,
                    actor: Organizer | None = None, note: str = "") -> RankingSnapshot:
    """Freeze the current ranking of a quiz (or a whole contest) as a new published version."""
    if (quiz is None) == (contest is None):
        raise ValueError("publish_ranking needs exactly one of quiz or contest")
    provisional = ranking.is_provisional(quiz) if quiz is not None else ranking.is_contest_provisional(contest)
    snapshot = RankingSnapshot(
        quiz_id=quiz.id if quiz is not None else None,
        contest_id=contest.id if contest is not None else None,
        version=_next_version(quiz, contest), is_provisional=provisional, published_at=clock.utcnow(),
        published_by_id=actor.id if actor is not None else None, note=(note or "").strip()[:500],
        payload=build_payload(quiz=quiz, contest=contest, masked=True),
    )
    db.session.add(snapshot)
    db.session.flush()
    audit.record(actor, "ranking.publish", quiz if quiz is not None else contest,
                 version=snapshot.version, provisional=provisional,
                 individuals=len(snapshot.payload["individuals"]))
    return snapshot


def list_snapshots(*, quiz: Quiz | None = None, contest: Contest | None = None) -> list[RankingSnapshot]:
    """Published versions, newest first (payloads not loaded: they can be megabytes)."""
    query = db.select(RankingSnapshot).options(defer(RankingSnapshot.payload)).order_by(RankingSnapshot.version.desc())
    query = query.where(RankingSnapshot.quiz_id == quiz.id) if quiz is not None \
        else query.where(RankingSnapshot.contest_id == contest.id)
    return list(db.session.scalars(query))


def get_snapshot(*, quiz: Quiz | None = None, contest: Contest | None = None,
                 version: int | None = None) -> RankingSnapshot | None:
    """The latest snapshot (None if never published), or the asked version (NotFoundError).

    The payload is not loaded: read it with `snapshot_payload()`, which parses it once per process.
    """
    query = db.select(RankingSnapshot).options(defer(RankingSnapshot.payload))
    query = query.where(RankingSnapshot.quiz_id == quiz.id) if quiz is not None \
        else query.where(RankingSnapshot.contest_id == contest.id)
    if version is None:
        return db.session.scalar(query.order_by(RankingSnapshot.version.desc()).limit(1))
    snapshot = db.session.scalar(query.where(RankingSnapshot.version == version))
    if snapshot is None:
        raise NotFoundError(_("Không có kết quả công bố lần %(v)d.", v=version))
    return snapshot


SNAPSHOT_CACHE_SIZE = 16  # parsed payloads kept per app process (a big one is some megabytes)


def snapshot_payload(snapshot: RankingSnapshot) -> dict:
    """The snapshot's payload, parsed once per process: a published snapshot never changes, and
    public pages would otherwise read and parse the whole JSON (100,000 rows) on every request.

    The dict is shared between requests: read it, never change it.
    """
    cache = current_app.extensions.setdefault("snapshot_payloads", (OrderedDict(), threading.Lock()))
    entries, lock = cache
    with lock:
        payload = entries.get(snapshot.id)
        if payload is not None:
            entries.move_to_end(snapshot.id)
            return payload
    payload = snapshot.payload
    with lock:
        entries[snapshot.id] = payload
        while len(entries) > SNAPSHOT_CACHE_SIZE:
            entries.popitem(last=False)
    return payload
