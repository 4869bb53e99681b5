"""SQLite's writer queue (quiz/database.py `WriterQueue`): a process's threads take turns to
write, the turn is always given back, and a wait that runs out is the busy 503 as before."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from quiz.database import WriterQueue
from quiz.errors import database_busy
from quiz.extensions import db
from quiz.models import Unit



@pytest.fixture
def sqlite_app(app, make_app, app_config):  # `app` makes the schema
    if not app_config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite's writer queue")
    return make_app({**app_config, "SQLITE_BUSY_TIMEOUT_MS": 300}, name="queued")


def queue_of(app) -> WriterQueue:
    return app.extensions["sqlite_writer_queue"]


class CountingTurn:
    """The queue's lock, counting how many connections hold the turn at once."""

    def __init__(self, turn):
        self.turn, self.holding, self.most, self.taken = turn, 0, 0, 0
        self.guard = threading.Lock()

    def acquire(self, timeout=-1):
        got = self.turn.acquire(timeout=timeout)
        if got:
            with self.guard:
                self.holding += 1
                self.taken += 1
                self.most = max(self.most, self.holding)
        return got

    def release(self):
        with self.guard:
            self.holding -= 1
        self.turn.release()

    def locked(self):
        return self.turn.locked()


def test_threads_write_one_at_a_time_and_all_succeed(sqlite_app):
    queue = queue_of(sqlite_app)
    queue._turn = counting = CountingTurn(queue._turn)
    errors = []

    def write(n):
        with sqlite_app.app_context():
            try:
                for i in range(5):
                    db.session.add(Unit(code=f"T{n}-{i}", name=f"Đơn vị {n}-{i}", headcount=1))
                    db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()
    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    with sqlite_app.app_context():
        assert db.session.scalar(db.select(db.func.count(Unit.id)).where(Unit.code.like("T%"))) == 40
    assert counting.most == 1 and counting.taken >= 40 and not counting.locked()


def test_the_turn_is_given_back_after_a_failed_write_and_a_rollback(sqlite_app):
    queue = queue_of(sqlite_app)
    with sqlite_app.app_context():
        db.session.add(Unit(code="DUP", name="Một", headcount=1))
        db.session.commit()
        db.session.add(Unit(code="DUP", name="Hai", headcount=1))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        assert not queue._turn.locked()
        db.session.execute(text("UPDATE unit SET headcount = 2 WHERE code = 'DUP'"))
        assert queue._turn.locked()
        db.session.remove()  # the connection goes back to the pool unfinished: reset gives the turn back
        assert not queue._turn.locked()


def test_a_wait_that_runs_out_is_the_busy_answer(sqlite_app):
    queue = queue_of(sqlite_app)
    holder_wrote, release = threading.Event(), threading.Event()

    def hold():
        with sqlite_app.app_context():
            db.session.add(Unit(code="GIU", name="Đơn vị giữ lượt", headcount=1))
            db.session.flush()
            holder_wrote.set()
            release.wait(10)
            db.session.commit()
            db.session.remove()
    holder = threading.Thread(target=hold)
    holder.start()
    assert holder_wrote.wait(10)
    try:
        with sqlite_app.app_context():
            db.session.add(Unit(code="CHO", name="Đơn vị chờ", headcount=1))
            with pytest.raises(OperationalError) as raised:
                db.session.flush()
            assert database_busy(raised.value)
            db.session.rollback()
            db.session.remove()
    finally:
        release.set()
        holder.join(10)
    assert not queue._turn.locked()


def test_the_writer_turn_is_held_until_sqlite_has_committed(app, make_app, app_config):
    """`WriterQueue` gives the turn back on the engine's `commit` event, which SQLAlchemy fires
    BEFORE the DBAPI commit (Connection._commit_impl: dispatch.commit, then dialect.do_commit).
    So the next thread is handed the turn while SQLite's write lock is still held, and its first
    write falls into SQLite's sleeping busy handler (1, 2, 5, 10 … ms) — the very wait the queue
    exists to avoid. Seen here at the moment the DBAPI commit runs: the turn is already free."""
    if not app_config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite's writer queue")
    queued = make_app({**app_config, "SQLITE_BUSY_TIMEOUT_MS": 300}, name="queued-commit")
    queue = queued.extensions["sqlite_writer_queue"]
    seen = []
    with queued.app_context():
        dialect = db.engine.dialect
        original = dialect.do_commit

        def do_commit(dbapi_connection):
            seen.append(queue._turn.locked())  # still this transaction's turn?
            return original(dbapi_connection)
        dialect.do_commit = do_commit
        try:
            db.session.add(Unit(code="TURN", name="Đơn vị lượt ghi", headcount=1))
            db.session.commit()
        finally:
            del dialect.do_commit
            db.session.remove()
    assert seen and all(seen), f"the turn was free while SQLite committed: {seen}"
