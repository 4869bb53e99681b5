"""Per-dialect engine settings, and the transaction rule of finalisation on read."""
from __future__ import annotations

from flask import Flask, request
from sqlalchemy import event, inspect

from .extensions import db


SQLITE_SYNCHRONOUS = ("NORMAL", "FULL")


def _sqlite_tuner(synchronous: str, busy_timeout_ms: int = 10000):
    def tune(dbapi_connection, _record) -> None:
        # WAL lets readers (rankings, the board) run while participants write answers; a busy
        # timeout makes concurrent writers wait instead of failing; SQLite leaves FKs off by default.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        # NORMAL (the default) in WAL mode survives an application crash (SIGKILL: tests/test_crash.py)
        # and never corrupts the file; a power loss or kernel crash may drop the last transactions.
        # FULL also syncs the WAL on every commit, so those survive too, at the cost of one fsync
        # per saved answer. docs/PERFORMANCE.md (Durability) has the figures.
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()
    return tune


def configure_engines(app: Flask) -> None:
    synchronous = str(app.config.get("SQLITE_SYNCHRONOUS") or "NORMAL").upper()
    if synchronous not in SQLITE_SYNCHRONOUS:
        raise ValueError(f"QUIZ_SQLITE_SYNCHRONOUS must be NORMAL or FULL, not {synchronous!r}")
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_tuner(
                synchronous, int(app.config.get("SQLITE_BUSY_TIMEOUT_MS") or 10000)))


def commit_read_finalisations(app: Flask) -> None:
    """Finalisation on read: the policy, applied to every request in one place.

    A read that needs finished figures — a ranking, the board, an attempt's page or state —
    first finalises the attempts left unsubmitted past their deadline plus grace
    (`attempts.finalize_expired` / `expire_if_due`; services flush, never commit). That is a
    write, and it is kept wherever it happens: a read (GET/HEAD) that finalised an attempt and
    succeeded (status < 400) commits its transaction once the response is built — with what
    the same transaction derived from the finalisation (the ranking tallies). Writes (POST, PUT…)
    commit as always, finalisation included. A request that fails rolls back everything; the
    next reader finalises the same attempts identically (at their deadline, with the answers
    saved before it), and `flask finalize-expired`, run periodically, catches attempts nobody
    reads. So no page, export or board reading a ranking loses a finalisation to the teardown's
    rollback, and no view has to remember a `commit()` to keep one.

    A read's transaction is committed only when it finalised: an Attempt whose `submitted_at`
    was set in one of its flushes (noted on the session, forgotten at its commit or rollback).
    """
    if not event.contains(db.session, "after_flush", _note_finalisations):
        event.listen(db.session, "after_flush", _note_finalisations)
        event.listen(db.session, "after_commit", _forget_finalisations)
        event.listen(db.session, "after_rollback", _forget_finalisations)

    @app.after_request
    def keep_finalisations(response):
        if (request.method in ("GET", "HEAD") and response.status_code < 400 and db.session.registry.has()
                and db.session.info.get(FINALISED)):
            db.session.commit()
        return response


def commit_keeping_loaded() -> None:
    """Commit without expiring what the session holds, for a request that answers from the
    objects it has just written (a submit's reply: its score, its questions, its quiz): their
    committed values are the ones in memory, and reading each again is a round trip for nothing.
    Only for a request that commits once, as its last write."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


FINALISED = "finalised_attempts"  # session.info key: this transaction finalised an attempt


def _note_finalisations(session, _flush_context) -> None:
    from .models import Attempt

    for obj in session.dirty:
        if isinstance(obj, Attempt) and any(v is not None for v in inspect(obj).attrs.submitted_at.history.added):
            session.info[FINALISED] = True
            return


def _forget_finalisations(session) -> None:
    session.info.pop(FINALISED, None)
