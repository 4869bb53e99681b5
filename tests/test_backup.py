"""`backup` copies the SQLite database consistently while it is being written to."""
import shutil
import sqlite3
import subprocess
import threading

import pytest

from quiz.extensions import db
from quiz.models import Unit
from tests.conftest import POSTGRES_URL


@pytest.mark.skipif(bool(POSTGRES_URL), reason="the backup command is for SQLite")
def test_backup_while_writing_restores_every_committed_row(app, runner, tmp_path, make_unit):
    for i in range(50):
        make_unit(code=f"B{i}")
    stop = threading.Event()

    def keep_writing():
        with app.app_context():
            n = 0
            while not stop.is_set() and n < 500:
                db.session.add(Unit(code=f"W{n}", name="Đang ghi", path="/"))
                db.session.commit()
                n += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        result = runner.invoke(args=["backup", "-o", str(tmp_path / "copy.db")])
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert "Đã sao lưu" in result.output
    copy = sqlite3.connect(tmp_path / "copy.db")
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        codes = {row[0] for row in copy.execute("SELECT code FROM unit")}
    finally:
        copy.close()
    assert {f"B{i}" for i in range(50)} <= codes


@pytest.mark.skipif(bool(POSTGRES_URL), reason="the backup command is for SQLite")
def test_backup_refuses_to_overwrite(runner, tmp_path):
    target = tmp_path / "old.db"
    target.write_bytes(b"an older backup")
    result = runner.invoke(args=["backup", "-o", str(target)])
    assert result.exit_code == 1 and "đã tồn tại" in result.output
    assert target.read_bytes() == b"an older backup"


@pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL")
def test_backup_on_postgres_points_to_pg_dump(runner, tmp_path):
    result = runner.invoke(args=["backup", "-o", str(tmp_path / "x.db")])
    assert result.exit_code == 1 and "pg_dump" in result.output


@pytest.mark.skipif(bool(POSTGRES_URL), reason="the backup command is for SQLite")
def test_restored_backup_has_every_attempt_and_its_answers(app, ctx, runner, make_app, make_quiz, make_unit,
                                                           make_attempt, tmp_path):
    """Back up while participants keep finishing attempts, restore the copy as the database of a
    new app: every attempt finished before the backup is there, with its answers and figures."""
    from quiz.models import Answer, Attempt
    from quiz.services import rankings as ranking

    unit = make_unit(code="BK")
    quiz = make_quiz(questions=4)
    before = {make_attempt(quiz, unit, score=i % 5).token for i in range(120)}
    db.session.commit()
    quiz_id, code = quiz.id, quiz.code
    stop = threading.Event()

    def keep_finishing():
        with app.app_context():
            q = db.session.get(type(quiz), quiz_id)
            n = 0
            while not stop.is_set() and n < 200:
                make_attempt(q, None, score=n % 5)
                db.session.commit()
                n += 1

    writer = threading.Thread(target=keep_finishing)
    writer.start()
    try:
        result = runner.invoke(args=["backup", "-o", str(tmp_path / "restore.db")])
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output

    restored = make_app({"TESTING": True, "SECRET_KEY": "x",
                         "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'restore.db'}"}, name="restored")
    with restored.app_context():
        attempts = {a.token: a for a in db.session.scalars(db.select(Attempt).where(Attempt.quiz_id == quiz_id))}
        assert before <= set(attempts)
        answers = dict(db.session.execute(db.select(Answer.attempt_id, db.func.count()).group_by(Answer.attempt_id)).all())
        assert all(answers.get(a.id) == 4 and a.submitted_at is not None for a in attempts.values())
        restored_quiz = db.session.scalar(db.select(type(quiz)).filter_by(code=code))
        assert sum(r.participants for r in ranking.unit_ranking_levels(quiz=restored_quiz)[""]) >= 120
        assert len(ranking.individual_ranking(restored_quiz)) == len(attempts)


@pytest.mark.postgres_only
@pytest.mark.skipif(not shutil.which("pg_dump") or not shutil.which("pg_restore"), reason="needs pg_dump")
def test_pg_dump_restore_has_every_attempt(app, ctx, make_app, make_quiz, make_unit, make_attempt, tmp_path):
    """The README's PostgreSQL backup: `pg_dump -Fc`, then `pg_restore -d` into an empty database."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from quiz.models import Answer, Attempt

    quiz = make_quiz(questions=3)
    tokens = {make_attempt(quiz, make_unit(), score=i % 4).token for i in range(30)}
    db.session.commit()
    quiz_id = quiz.id  # read here: inside the restored app's context it would open a connection there
    source = make_url(POSTGRES_URL)
    libpq = source.set(drivername="postgresql").render_as_string(hide_password=False)
    dump = tmp_path / "thiduaso.dump"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), libpq], check=True)
    target = source.set(database=f"{source.database}_restore")
    admin = create_engine(source.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(db.text(f'DROP DATABASE IF EXISTS "{target.database}"'))
        conn.execute(db.text(f'CREATE DATABASE "{target.database}"'))
    try:
        subprocess.run(["pg_restore", "--no-owner", "-d",
                        target.set(drivername="postgresql").render_as_string(hide_password=False), str(dump)],
                       check=True)
        restored = make_app({"TESTING": True, "SECRET_KEY": "x",
                             "SQLALCHEMY_DATABASE_URI": target.render_as_string(hide_password=False)}, name="pg-restored")
        with restored.app_context():
            found = set(db.session.scalars(db.select(Attempt.token).where(Attempt.quiz_id == quiz_id)))
            answers = db.session.scalar(db.select(db.func.count()).select_from(Answer)
                                        .join(Attempt).where(Attempt.quiz_id == quiz_id))
            db.session.remove()
            db.engine.dispose()
        assert found == tokens and answers == 90
    finally:
        with admin.connect() as conn:
            conn.execute(db.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        admin.dispose()
