"""Live unit rankings for the hot public reads (API, big-screen board, the result after submitting).

The full computation (`ranking.unit_ranking_levels`) aggregates every finished attempt: about
0.3–0.5 s with 100,000 of them, too slow to run for each phone on the event day. Here every
level of a quiz's unit ranking is kept per app process, together with the quiz's **data
version**, read from the database with one cheap indexed query on each request:

* the number of finished attempts and the latest ``submitted_at`` (a finished attempt never
  changes its figures; a new one changes the count);
* whether attempts wait to be finalised at their deadline (they would change the count);
* the unit table's count and highest id, the contest's weights and the quiz's state (its
  closing makes the ranking final once the prediction truth is known).

If the version is unchanged the cached levels ARE the full computation's result (tests check
it on random data). If it changed, the cached levels are served while one background thread per
process recomputes them, at most once per ``LIVE_RANKING_TTL_S`` seconds (config; 5 s by
default, 0 disables the cache, as in tests): a live figure may lag a few seconds behind, never
more than the TTL plus one computation. Edits the version does not see (a headcount, a
participant's unit) show within ``MAX_AGE_S``. The state that decides is in the database, so
it holds with several gunicorn workers or servers.

Published snapshots and exports never read this: they compute fresh (`ranking`, `publishing`).
"""
from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func

from .. import clock
from ..extensions import db
from ..models import Attempt, Quiz, Unit
from . import ranking
from .attempts import finalize_expired, grace
from .unit_rollup import UnitRow

DEFAULT_TTL_S = 5.0
MAX_AGE_S = 60.0
MAX_QUIZZES = 64  # quizzes cached per app process
log = logging.getLogger(__name__)


@dataclass
class _Entry:
    version: tuple
    computed_at: float
    levels: dict[str, list[UnitRow]]
    is_provisional: bool  # a closed quiz's prediction truth is itself a scan of every attempt


class _State:
    """One app's cache (kept in `app.extensions`, so apps in one process never share figures)."""

    def __init__(self):
        self.entries: OrderedDict[int, _Entry] = OrderedDict()
        self.refreshing: dict[int, threading.Thread] = {}
        self.lock = threading.Lock()


def _state(app=None) -> _State:
    return (app or current_app).extensions.setdefault("live_ranking", _State())


def ttl() -> float:
    configured = current_app.config.get("LIVE_RANKING_TTL_S")
    if configured is None:
        return 0.0 if current_app.testing else DEFAULT_TTL_S
    return float(configured)


def data_version(quiz: Quiz, now: datetime | None = None) -> tuple:
    """What the unit ranking of `quiz` depends on, in one indexed query (see the docstring)."""
    cutoff = (now or clock.utcnow()) - grace()
    mine = Attempt.quiz_id == quiz.id
    finished = (mine, Attempt.submitted_at.is_not(None))
    due = (mine, Attempt.submitted_at.is_(None), Attempt.deadline < cutoff)
    row = db.session.execute(db.select(
        db.select(func.count()).select_from(Attempt).where(*finished).scalar_subquery(),
        db.select(func.max(Attempt.submitted_at)).where(*finished).scalar_subquery(),
        db.select(func.count()).select_from(Attempt).where(*due).scalar_subquery(),
        db.select(func.count()).select_from(Unit).scalar_subquery(),
        db.select(func.max(Unit.id)).scalar_subquery(),
    )).one()
    return (*row, quiz.contest.w_rate, quiz.contest.w_score, quiz.state_at(now or clock.utcnow()))


def _compute(quiz: Quiz) -> _Entry:
    """Version first, then the figures, in the same transaction: a change in between only makes
    the version look older than the figures, which triggers one more refresh, never a stale hit."""
    finalize_expired(quiz=quiz)
    version = data_version(quiz)
    return _Entry(version, time.monotonic(), ranking.unit_ranking_levels(quiz=quiz), ranking.is_provisional(quiz))


def unit_levels(quiz: Quiz) -> dict[str, list[UnitRow]]:
    """Every level of the quiz's live unit ranking (parent code → rows; "" is the default level).

    The rows are shared between requests: read them, do not change them.
    """
    if ttl() <= 0:
        return ranking.unit_ranking_levels(quiz=quiz)
    return _entry(quiz).levels


def is_provisional(quiz: Quiz) -> bool:
    """`ranking.is_provisional`, from the same cached computation as the rows."""
    if ttl() <= 0:
        return ranking.is_provisional(quiz)
    return _entry(quiz).is_provisional


def _entry(quiz: Quiz) -> _Entry:
    seconds = ttl()
    state = _state()
    with state.lock:
        entry = state.entries.get(quiz.id)
        if entry is not None:
            state.entries.move_to_end(quiz.id)
    if entry is None:
        entry = _compute(quiz)
        _store(state, quiz.id, entry)
        return entry
    age = time.monotonic() - entry.computed_at
    if age < seconds or (age < MAX_AGE_S and data_version(quiz) == entry.version):
        return entry
    _refresh_in_background(state, quiz.id)
    return entry


def unit_ranking(quiz: Quiz, *, parent_code: str | None = None) -> list[UnitRow]:
    """`ranking.unit_ranking` for live reads (same rows; see the module docstring for freshness)."""
    return unit_levels(quiz).get(parent_code or "", [])


def _store(state: _State, quiz_id: int, entry: _Entry) -> None:
    with state.lock:
        state.entries[quiz_id] = entry
        state.entries.move_to_end(quiz_id)
        while len(state.entries) > MAX_QUIZZES:
            state.entries.popitem(last=False)


def _refresh_in_background(state: _State, quiz_id: int) -> None:
    with state.lock:
        if quiz_id in state.refreshing:
            return
        thread = threading.Thread(target=_refresh, args=(current_app._get_current_object(), state, quiz_id),
                                  name=f"live-ranking-{quiz_id}", daemon=True)
        state.refreshing[quiz_id] = thread
    thread.start()


def _refresh(app, state: _State, quiz_id: int) -> None:
    try:
        with app.app_context():
            try:
                quiz = db.session.get(Quiz, quiz_id)
                if quiz is not None:
                    entry = _compute(quiz)
                    db.session.commit()  # keeps the finalisation of attempts past their deadline
                    _store(state, quiz_id, entry)
            except Exception:  # a failed refresh keeps the old figures; the next read retries
                log.exception("live unit ranking refresh of quiz %s failed", quiz_id)
                db.session.rollback()
            finally:
                db.session.remove()
    finally:
        with state.lock:
            state.refreshing.pop(quiz_id, None)


def wait_for_refreshes(app=None, timeout: float = 10.0) -> None:
    """Join the app's background refreshes (tests)."""
    state = _state(app)
    with state.lock:
        threads = list(state.refreshing.values())
    for thread in threads:
        thread.join(timeout)
