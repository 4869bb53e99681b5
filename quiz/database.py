"""Per-dialect engine settings."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import event

from .extensions import db


def _tune_sqlite(dbapi_connection, _record) -> None:
    # WAL lets readers (rankings, the board) run while participants write answers; a busy
    # timeout makes concurrent writers wait instead of failing; SQLite leaves FKs off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    # NORMAL in WAL mode survives an application crash (SIGKILL); only a power loss may drop
    # the last transactions, which is the trade-off SQLite documents for WAL.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def configure_engines(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _tune_sqlite)
