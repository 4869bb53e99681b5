"""SIGKILL the gunicorn server while participants answer; every acknowledged answer survives.

Runs on the leg's database: a SQLite file in WAL mode (synchronous=NORMAL, quiz/database.py),
or the PostgreSQL test database. Select with `-m crash`; ~10–20 s per database.
"""
from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import func

from quiz.extensions import db
from quiz.models import Answer, Attempt
from tests.crash_runner import CrashRun, Participant

pytestmark = pytest.mark.crash
PARTICIPANTS = 40


def test_sigkill_mid_load_keeps_every_acknowledged_answer_and_participants_resume(
        app, ctx, make_quiz, make_unit, tmp_path):
    codes = [make_unit(code=f"K{i}", name=f"Khoa {i}").code for i in range(4)]
    quiz = make_quiz(questions=8, duration_s=900)
    quiz_id, code = quiz.id, quiz.code
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if db.engine.dialect.name == "sqlite":
        assert db.session.execute(db.text("PRAGMA journal_mode")).scalar() == "wal"
    db.session.remove()
    db.engine.dispose()  # the server owns the database now

    run = CrashRun(url, code, codes, log_dir=tmp_path)
    people = [Participant(n, codes[n % len(codes)]) for n in range(PARTICIPANTS)]
    run.start_server()
    try:
        stop = threading.Event()
        run.play_until(people, stop)
        deadline = time.monotonic() + 15
        while sum(len(p.acked) for p in people) < 150 and time.monotonic() < deadline:
            time.sleep(0.05)
        run.kill_server()  # mid-load: client threads still have requests in flight
        stop.set()
        run.join_clients()
        acknowledged = {(p.token, q): ids for p in people for q, ids in p.acked.items() if q not in p.in_doubt}
        assert len(acknowledged) >= 100, "the load did not get going before the kill"

        run.start_server()
        results = [run.resume_and_finish(p) for p in people]  # checks the saved answers through the API
    finally:
        run.stop_server()

    assert len(results) == PARTICIPANTS
    # And in the database itself: each acknowledged choice was stored before the crash (the resume
    # above re-saved every question, so compare with what the API showed then — checked in
    # resume_and_finish), every attempt is finalised, nothing is stored twice.
    attempts = db.session.execute(
        db.select(Attempt.id, Attempt.submitted_at, Attempt.max_score).where(Attempt.quiz_id == quiz_id)).all()
    assert len(attempts) == PARTICIPANTS
    assert all(a.submitted_at is not None and a.max_score == 8 for a in attempts)
    per_attempt = dict(db.session.execute(
        db.select(Answer.attempt_id, func.count()).where(Answer.attempt_id.in_([a.id for a in attempts]))
        .group_by(Answer.attempt_id)).all())
    assert set(per_attempt.values()) == {8}


def test_sqlite_runs_in_wal_mode_with_synchronous_normal_by_default(app, ctx):
    """The durability argument of docs/PERFORMANCE.md rests on WAL + synchronous=NORMAL."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    db.session.execute(db.text("SELECT 1"))
    assert db.session.execute(db.text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # persistent in the file
    finally:
        raw.close()


def test_full_synchronous_can_be_chosen_and_a_typo_is_refused(app, make_app, monkeypatch):
    """QUIZ_SQLITE_SYNCHRONOUS=FULL also survives a power loss (one fsync per commit)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite only")
    monkeypatch.setenv("QUIZ_SQLITE_SYNCHRONOUS", "full")
    full = make_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]},
                    name="full")
    with full.app_context():
        assert db.session.execute(db.text("PRAGMA synchronous")).scalar() == 2  # FULL
    monkeypatch.setenv("QUIZ_SQLITE_SYNCHRONOUS", "sometimes")
    with pytest.raises(ValueError, match="NORMAL or FULL"):
        make_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"}, name="typo")
