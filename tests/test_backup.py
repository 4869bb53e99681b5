"""`backup` copies the SQLite database consistently while it is being written to."""
import sqlite3
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
