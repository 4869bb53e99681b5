"""Live unit rankings for the hot public reads (API, big-screen board, the result after submitting).

The full computation (`rankings.units.unit_ranking_levels`) aggregates every finished attempt:
about 0.3–0.5 s with 100,000 of them, too slow to run for each phone on the event day. Here every
level of a scope's (a quiz's, or a contest's) unit ranking is kept per app process, together with
its **data version**, read from the database with one cheap indexed query on each request:

* the number of finished attempts and the latest ``submitted_at`` (a finished attempt never
  changes its figures; a new one changes the count);
* whether attempts wait to be finalised at their deadline (they would change the count);
* the unit table's count and highest id, the contest's weights and the quizzes' states (a
  closing makes the ranking final once the prediction truth is known).

If the version is unchanged the cached levels ARE the full computation's result (tests check
it on random data). If it changed, the cached levels are served while one background thread per
process recomputes them, at most once per ``LIVE_RANKING_TTL_S`` seconds (config; 5 s by
default, 0 disables this cache, as in tests, and so does ``CACHE_ENABLED`` off; the entries are
kept in the app's `quiz.cache` "live_ranking"): a live figure may lag a few seconds behind, never
more than the TTL plus one computation. Edits the version does not see (a headcount, a
participant's unit) show within ``MAX_AGE_S``. The state that decides is in the database, so
it holds with several gunicorn workers or servers.

Published snapshots and exports never read this: they compute fresh (`rankings.published`).
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func

from .. import clock
from ..cache import get_cache
from ..extensions import db
from ..models import Attempt, QuestionCorrection, Quiz, Unit
from .attempts import finalize_expired, grace
from .rankings import units
from .rankings.rows import UnitRow
from .rankings.scope import Scope

DEFAULT_TTL_S = 5.0
MAX_AGE_S = 60.0
MAX_QUIZZES = 64  # scopes (quizzes or contests) cached per app process
log = logging.getLogger(__name__)


@dataclass
class _Entry:
    version: tuple
    computed_at: float
    levels: dict[str, list[UnitRow]]
    is_provisional: bool  # a closed quiz's prediction truth is itself a scan of every attempt


class _State:
    """One app's background refreshes (the figures themselves are in the app's cache
    "live_ranking", `quiz.cache`; both per app, so apps in one process never share figures)."""

    def __init__(self):
        self.refreshing: dict[tuple, threading.Thread] = {}
        self.lock = threading.Lock()


def _state(app=None) -> _State:
    return (app or current_app).extensions.setdefault("live_ranking", _State())


def _entries():
    return get_cache("live_ranking", size=MAX_QUIZZES)


def ttl() -> float:
    """The refresh throttle; 0 (no cache: every read computes) when the caches are switched off."""
    if not current_app.config.get("CACHE_ENABLED", True):
        return 0.0
    configured = current_app.config.get("LIVE_RANKING_TTL_S")
    if configured is None:
        return 0.0 if current_app.testing else DEFAULT_TTL_S
    return float(configured)


def data_version(scope: Scope, now: datetime | None = None) -> tuple:
    """What the unit ranking of `scope` depends on, in one indexed query (see the docstring)."""
    now = now or clock.utcnow()
    cutoff = now - grace()
    quizzes = scope.quizzes
    mine = Attempt.quiz_id.in_([q.id for q in quizzes])
    finished = (mine, Attempt.submitted_at.is_not(None))
    due = (mine, Attempt.submitted_at.is_(None), Attempt.deadline < cutoff)
    row = db.session.execute(db.select(
        db.select(func.count()).select_from(Attempt).where(*finished).scalar_subquery(),
        db.select(func.max(Attempt.submitted_at)).where(*finished).scalar_subquery(),
        db.select(func.count()).select_from(Attempt).where(*due).scalar_subquery(),
        db.select(func.count()).select_from(Unit).scalar_subquery(),
        db.select(func.max(Unit.id)).scalar_subquery(),
        # A correction re-scores finished attempts without changing their count (corrections.py).
        db.select(func.count()).select_from(QuestionCorrection)
        .where(QuestionCorrection.quiz_id.in_([q.id for q in quizzes])).scalar_subquery(),
    )).one()
    return (*row, scope.contest.w_rate, scope.contest.w_score, tuple(q.state_at(now) for q in quizzes))


def _compute(scope: Scope) -> _Entry:
    """Version first, then the figures, in the same transaction: a change in between only makes
    the version look older than the figures, which triggers one more refresh, never a stale hit."""
    for quiz in scope.quizzes:
        finalize_expired(quiz=quiz)
    version = data_version(scope)
    return _Entry(version, time.monotonic(), units.unit_ranking_levels(**scope.kwargs()), scope.is_provisional())


def _scope(of: Quiz | Scope) -> Scope:
    return of if isinstance(of, Scope) else Scope(quiz=of)


def unit_levels(of: Quiz | Scope) -> dict[str, list[UnitRow]]:
    """Every level of the live unit ranking of a quiz (or a scope): parent code → rows, "" being
    the default level. The rows are shared between requests: read them, do not change them."""
    scope = _scope(of)
    if ttl() <= 0:
        return units.unit_ranking_levels(**scope.kwargs())
    return _entry(scope).levels


def is_provisional(of: Quiz | Scope) -> bool:
    """`Scope.is_provisional`, from the same cached computation as the rows."""
    scope = _scope(of)
    if ttl() <= 0:
        return scope.is_provisional()
    return _entry(scope).is_provisional


def _entry(scope: Scope) -> _Entry:
    seconds = ttl()
    entry = _entries().get(scope.key)
    if entry is None:
        entry = _compute(scope)
        _entries().set(scope.key, entry)
        return entry
    age = time.monotonic() - entry.computed_at
    if age < seconds or (age < MAX_AGE_S and data_version(scope) == entry.version):
        return entry
    _refresh_in_background(_state(), scope.key)
    return entry


def forget(scope: Scope) -> None:
    """Drop this process's figures of `scope` (after a regrade: the next read computes afresh;
    other processes see the change through `data_version`)."""
    _entries().pop(scope.key)


def unit_ranking(of: Quiz | Scope, parent_code: str | None = None) -> list[UnitRow]:
    """`units.ranking` for live reads (same rows; see the module docstring for freshness)."""
    return unit_levels(of).get(parent_code or "", [])


def _refresh_in_background(state: _State, key: tuple) -> None:
    with state.lock:
        if key in state.refreshing:
            return
        thread = threading.Thread(target=_refresh, args=(current_app._get_current_object(), state, key),
                                  name=f"live-ranking-{key[0]}-{key[1]}", daemon=True)
        state.refreshing[key] = thread
    thread.start()


def _refresh(app, state: _State, key: tuple) -> None:
    try:
        with app.app_context():
            try:
                scope = Scope.load(key)
                if scope is not None:
                    entry = _compute(scope)
                    db.session.commit()  # keeps the finalisation of attempts past their deadline
                    _entries().set(key, entry)
            except Exception:  # a failed refresh keeps the old figures; the next read retries
                log.exception("live unit ranking refresh of %s %s failed", *key)
                db.session.rollback()
            finally:
                db.session.remove()
    finally:
        with state.lock:
            state.refreshing.pop(key, None)


def wait_for_refreshes(app=None, timeout: float = 10.0) -> None:
    """Join the app's background refreshes (tests)."""
    state = _state(app)
    with state.lock:
        threads = list(state.refreshing.values())
    for thread in threads:
        thread.join(timeout)
