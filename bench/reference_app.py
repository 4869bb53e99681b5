"""Reference endpoints for the load benchmark, served by the same gunicorn setup as the app.

* ``GET /hello``  — a bare Flask route returning a short string (the floor of Flask + gunicorn);
* ``POST /insert`` — one Flask-SQLAlchemy INSERT + COMMIT into the same kind of database;
* ``GET /blob/<size>`` — `size` bytes from memory with an image's headers (bench/images.py).

The app's figures are reported as ratios to these two, which holds when the machine is noisy.
Serve with:  REFERENCE_DATABASE_URL=sqlite:////tmp/ref.db gunicorn … bench.reference_app:app
(the table is created by `init_db()`, called by bench/load.py before gunicorn starts).
"""
from __future__ import annotations

import os
from datetime import UTC, datetime

from flask import Flask, jsonify
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Ping(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    body: Mapped[str]


def _tune_sqlite(dbapi_connection, _record) -> None:
    # The app's own SQLite settings (quiz/database.py), so the reference pays the same fsync policy.
    cursor = dbapi_connection.cursor()
    synchronous = os.environ.get("QUIZ_SQLITE_SYNCHRONOUS", "NORMAL")
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=10000", f"synchronous={synchronous}"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _url(raw: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


def create_app(url: str | None = None) -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = _url(url or os.environ["REFERENCE_DATABASE_URL"])
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _tune_sqlite)

    @app.get("/hello")
    def hello():
        return "ok"

    blobs: dict[int, bytes] = {}

    @app.get("/blob/<int(max=1048576):size>")
    def blob(size: int):
        data = blobs.setdefault(size, os.urandom(size))
        return app.response_class(data, mimetype="image/webp", headers={
            "Cache-Control": "public, max-age=31536000, immutable", "ETag": f'"{size}"'})

    @app.post("/insert")
    def insert():
        ping = Ping(at=datetime.now(UTC).replace(tzinfo=None), body="answer")
        db.session.add(ping)
        db.session.commit()
        return jsonify(id=ping.id)

    return app


def init_db(url: str) -> None:
    app = create_app(url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()


app = create_app() if os.environ.get("REFERENCE_DATABASE_URL") else None
