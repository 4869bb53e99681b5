"""Real threads against the test database, for races forced into one interleaving."""
from __future__ import annotations

import threading
from typing import Callable

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
