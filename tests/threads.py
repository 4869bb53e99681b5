"""Real threads against the test database, for races forced into one interleaving: each thread
in an app context of its own (`in_app_thread`), held at a chosen SQL statement (`At`,
`stopping_at`) until another has got somewhere, then all of them waited for (`finish`)."""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Callable

from sqlalchemy import event

from quiz.extensions import db


def in_app_thread(app, label: str, errors: list, work: Callable[[], object], *,
                  done: threading.Event | None = None) -> threading.Thread:
    """A started thread that runs `work()` in an app context of its own (so a session and a
    connection of its own) and commits; what it raises goes to `errors` as `(label, error)`, and
    `done` is set when it ends, whatever happened."""
    def run():
        with app.app_context():
            try:
                work()
                db.session.commit()
            except Exception as error:  # noqa: BLE001 (the test reads `errors`)
                errors.append((label, error))
            finally:
                db.session.remove()
                if done is not None:
                    done.set()
    thread = threading.Thread(target=run, name=label)
    thread.start()
    return thread


def finish(*threads: threading.Thread, timeout: float = 30) -> None:
    """Wait for the threads; none may still be running (a hang is a failure, not a wait)."""
    for thread in threads:
        thread.join(timeout)
    assert not [t.name for t in threads if t.is_alive()], "a thread hung"


def quiz_lock(statement: str) -> bool:
    """The statement that locks a quiz row exclusively (locks.lock_quiz)."""
    text = " ".join(statement.split()).upper()
    return "FROM QUIZ " in text and ("FOR NO KEY UPDATE" in text or text.endswith("FOR UPDATE"))


class At:
    """A point in a thread's SQL: the `nth` statement matching `what` (how the statement starts,
    or a predicate on it) that a thread marked with `mark()` sends — before it runs, or once it
    has run with `after=True`. There `reached` is set and the thread waits for `release` (at most
    `wait_s` s; 0: it goes on at once), then `linger_s` more (for a statement another thread has
    just sent to reach its lock). Each point is passed once."""

    def __init__(self, what, *, after: bool = False, nth: int = 1, wait_s: float = 3.0,
                 release: threading.Event | None = None, linger_s: float = 0.0):
        self.matches = what if callable(what) else (lambda statement: statement.lstrip().upper().startswith(what))
        self.after, self.nth, self.wait_s, self.linger_s = after, nth, wait_s, linger_s
        self.reached = threading.Event()
        self.release = release if release is not None else threading.Event()
        self._threads: set[int] = set()
        self._seen = 0

    def mark(self) -> None:
        """The calling thread is the one to stop here."""
        self._threads.add(threading.get_ident())

    def _hook(self, _conn, _cursor, statement, *_rest) -> None:
        if threading.get_ident() not in self._threads or not self.matches(statement):
            return
        self._seen += 1
        if self._seen < self.nth:
            return
        self._threads.clear()
        self.reached.set()
        if self.wait_s:
            self.release.wait(self.wait_s)
        if self.linger_s:
            time.sleep(self.linger_s)


@contextmanager
def stopping_at(*points: At):
    """The points listen on the app's engine while the block runs."""
    hooks = [("after_cursor_execute" if p.after else "before_cursor_execute", p._hook) for p in points]
    for name, hook in hooks:
        event.listen(db.engine, name, hook)
    try:
        yield points
    finally:
        for name, hook in hooks:
            event.remove(db.engine, name, hook)
