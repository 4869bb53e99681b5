"""Per-dialect engine settings, and the transaction rule of finalisation on read."""
from __future__ import annotations

import sqlite3
import threading

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
    busy_timeout_ms = int(app.config.get("SQLITE_BUSY_TIMEOUT_MS") or 10000)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_tuner(synchronous, busy_timeout_ms))
            if app.config.get("SQLITE_WRITER_QUEUE"):
                app.extensions["sqlite_writer_queue"] = WriterQueue(busy_timeout_ms / 1000).attach(engine)


class WriterQueue:
    """SQLite: the threads of one process take turns to write in a queue of their own.

    SQLite has one writer at a time. A connection that finds the write lock taken sleeps and
    polls (its busy handler: 1, 2, 5, 10, … 100 ms), so with a dozen threads of a worker waiting
    to write, the lock is mostly free while they sleep: at 64 saturating clients the workers used
    half the CPU they had (docs/PERFORMANCE.md). Here a thread takes this process's writer lock
    before its transaction's first write (the first INSERT, UPDATE, DELETE or `BEGIN IMMEDIATE`)
    and gives it back when the transaction ends, so only one thread per process waits on SQLite
    and the others are handed the turn the moment it is free. Waiting for the turn is bounded by
    the same busy timeout and runs out the same way ("database is locked": a busy 503); a write
    that got its turn may then still wait on SQLite for another process, so the worst case is
    twice the busy timeout. A statement outside a transaction (DDL under Python's sqlite3) keeps
    the turn until its connection commits or goes back to the pool.
    """

    WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "BEGIN IMMEDIATE", "CREATE", "DROP", "ALTER")
    def __init__(self, timeout_s: float):
        self.timeout_s = timeout_s
        self._turn = threading.Lock()
        self._holder: set[int] = set()  # id() of the driver connection holding the turn (one at most)

    def attach(self, engine) -> WriterQueue:
        event.listen(engine, "before_cursor_execute", self._before_statement)
        # The turn goes back once SQLite has committed or rolled back: the engine's commit and
        # rollback events fire before the driver's, and a turn handed on then would send the next
        # writer into SQLite's sleeping busy handler (tests/test_writer_queue.py).
        dialect = engine.dialect
        for name in ("do_commit", "do_rollback"):
            setattr(dialect, name, self._giving_back(getattr(dialect, name)))
        # A connection that leaves the pool's hands without either (closed, invalidated).
        event.listen(engine.pool, "checkin", lambda dbapi, _record: self._give_back(dbapi))
        event.listen(engine.pool, "close", lambda dbapi, _record: self._give_back(dbapi))
        event.listen(engine.pool, "invalidate", lambda dbapi, _record, _exc: self._give_back(dbapi))
        return self

    def _giving_back(self, end):
        def ended(dbapi_connection) -> None:
            try:
                end(dbapi_connection)
            finally:
                self._give_back(dbapi_connection)
        return ended

    def _before_statement(self, conn, _cursor, statement, *_rest) -> None:
        dbapi_connection = conn.connection.dbapi_connection
        if id(dbapi_connection) in self._holder or not statement.lstrip()[:15].upper().startswith(self.WRITES):
            return
        if not self._turn.acquire(timeout=self.timeout_s):
            raise sqlite3.OperationalError("database is locked (waited for this process's writer queue)")
        self._holder.add(id(dbapi_connection))

    def _give_back(self, dbapi_connection) -> None:
        try:
            self._holder.remove(id(dbapi_connection))
        except KeyError:
            return
        self._turn.release()


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
