"""Per-dialect engine settings."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import event

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
