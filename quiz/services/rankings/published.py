"""Publishing a ranking: a frozen, versioned snapshot that public pages and exports read
(through `rankings.read`, which decides what of it each audience sees).

A snapshot's payload is JSON and holds the rows exactly as announced (`rows.row_dict`).
Identities are stored MASKED: a snapshot only ever feeds public pages and public exports, so it
cannot leak a phone number even by mistake. Organizers read the current ranking (full identities)
instead.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from ... import clock
from ...cache import get_cache
from ...errors import ConflictError, NotFoundError
from ...extensions import db
from ...models import Attempt, Contest, Organizer, Quiz, RankingSnapshot
from .. import audit
from . import individuals, question_stats, units
from .rows import row_dict
from .scope import Scope


def build_payload(scope: Scope, *, masked: bool = True) -> dict:
    """The whole ranking (individuals and every unit level) as JSON-able data."""
    levels = {parent: [row_dict(r) for r in rows] for parent, rows in units.levels(scope).items()}
    truth = scope.truth()
    return {
        "scope": scope.kind,
        "counters": counters(scope, levels[""]),
        "prediction_truth": None if truth is None else format(truth, "f"),
        "individuals": [row_dict(r, masked=masked) for r in individuals.ranking(scope)],
        "units": levels,
        # Frozen with the rest, answer key included: rankings.read shows a row to the public
        # only once no one may still be asked its question.
        "questions": question_stats.question_statistics(scope),
    }


def counters(scope: Scope, unit_rows: list[dict]) -> dict | None:
    """A quiz's: who started, who finished, and the finished share of the competing units'
    headcount (a contest's figures are its quizzes': None)."""
    if scope.kind != "quiz":
        return None
    started, finished = db.session.execute(
        db.select(func.count(func.distinct(Attempt.participant_id)),
                  func.count(func.distinct(Attempt.participant_id)).filter(Attempt.submitted_at.is_not(None)))
        .where(Attempt.quiz_id == scope.quiz.id)
    ).one()
    headcount = sum(r["headcount"] or 0 for r in unit_rows if not r["is_flagged"])
    return {"participants": int(started), "finished": int(finished), "headcount": headcount,
            "finished_pct": round(100.0 * finished / headcount, 1) if headcount else None}


PUBLISH_TRIES = 5

def publish_ranking(*, quiz: Quiz | None = None, contest: Contest | None = None,
                    actor: Organizer | None = None, note: str = "") -> RankingSnapshot:
    """Freeze the current ranking of a quiz (or a whole contest) as a new published version."""
    scope = Scope(quiz=quiz, contest=contest)
    provisional = scope.is_provisional()
    payload = build_payload(scope, masked=True)
    for _try in range(PUBLISH_TRIES):
        # The next number: another publication of the same scope may take it first (two organizers,
        # or a key correction republishing), and the unique (scope, version) index refuses the
        # second; that one takes the number after (tests/test_rankings_publishing.py).
        version = (db.session.scalar(db.select(func.max(RankingSnapshot.version))
                                     .where(scope.owns(RankingSnapshot))) or 0) + 1
        snapshot = RankingSnapshot(
            **scope.snapshot_owner(), version=version, is_provisional=provisional, published_at=clock.utcnow(),
            published_by_id=actor.id if actor is not None else None, note=(note or "").strip()[:500],
            payload=payload,
        )
        savepoint = db.session.begin_nested()
        db.session.add(snapshot)
        try:
            db.session.flush()
        except IntegrityError:
            savepoint.rollback()
            continue
        savepoint.commit()
        break
    else:
        raise ConflictError(_("Hệ thống đang bận, vui lòng thử lại."))
    audit.record(actor, "ranking.publish", scope.owner, version=snapshot.version, provisional=provisional,
                 individuals=len(snapshot.payload["individuals"]))
    return snapshot


def _snapshots(scope: Scope):
    return db.select(RankingSnapshot).options(defer(RankingSnapshot.payload)).where(scope.owns(RankingSnapshot))


def list_snapshots(*, quiz: Quiz | None = None, contest: Contest | None = None) -> list[RankingSnapshot]:
    """Published versions, newest first (payloads not loaded: they can be megabytes)."""
    return list(db.session.scalars(_snapshots(Scope(quiz=quiz, contest=contest))
                                   .order_by(RankingSnapshot.version.desc())))


def get_snapshot(*, quiz: Quiz | None = None, contest: Contest | None = None,
                 version: int | None = None) -> RankingSnapshot | None:
    """The latest snapshot (None if never published), or the asked version (NotFoundError).

    The payload is not loaded: read it with `snapshot_payload()`, which parses it once per process.
    """
    query = _snapshots(Scope(quiz=quiz, contest=contest))
    if version is None:
        return db.session.scalar(query.order_by(RankingSnapshot.version.desc()).limit(1))
    snapshot = db.session.scalar(query.where(RankingSnapshot.version == version))
    if snapshot is None:
        raise NotFoundError(_("Không có kết quả công bố lần %(v)d.", v=version))
    return snapshot


PAYLOADS = "snapshot_payloads"  # snapshot id → its parsed payload (registered in create_app)
SNAPSHOT_CACHE_SIZE = 16  # parsed payloads kept per app process (a big one is some megabytes)


def snapshot_payload(snapshot: RankingSnapshot) -> dict:
    """The snapshot's payload, parsed once per process: a published snapshot never changes, and
    public pages would otherwise read and parse the whole JSON (100,000 rows) on every request.

    The dict is shared between requests: read it, never change it.
    """
    return get_cache(PAYLOADS).get_or_set(snapshot.id, lambda: snapshot.payload)
