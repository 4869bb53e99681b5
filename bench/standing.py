"""Benchmark of what a submit's reply costs as the quiz grows: the participant's standing.

Run with the venv's python (not a test):  .venv/bin/python bench/standing.py [--attempts 1000,10000,100000]
Uses a throw-away SQLite file; set BENCH_DATABASE_URL=postgresql://… to run on PostgreSQL instead
(that database's tables are dropped and recreated: point it at a scratch database).

Seeds what `bench/rankings.py` seeds (200 units, N finished attempts) for each N and times in
process, median of 50 attempts: the whole standing a submit answers with
(`rankings.attempt_standing`: the rank, the participant count, the unit among its siblings) and its
parts — the rank (`participant_rank`) and the participant count as read now (from the tallies,
`counted.truth_counts`). The reference measured in the same run is the COUNT(DISTINCT) of the
quiz's finished attempts that the count used to be: it grows with the quiz, so the ratio says how
much of the standing still does. Prints the load average before and after.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.rankings import OPENS, seed  # noqa: E402
from quiz import clock, create_app  # noqa: E402
from quiz.extensions import db  # noqa: E402
from quiz.models import Attempt  # noqa: E402
from quiz.services.rankings import attempt_standing  # noqa: E402
from quiz.services.rankings.counted import truth_counts  # noqa: E402
from quiz.services.rankings.individuals import participant_rank  # noqa: E402

SAMPLES = 50


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def median_ms(work, attempts: list[Attempt]) -> float:
    times = []
    for attempt in attempts:
        began = time.perf_counter()
        work(attempt)
        times.append(time.perf_counter() - began)
        db.session.rollback()
    return statistics.median(times) * 1000


def old_count(attempt: Attempt) -> int:
    return db.session.scalar(db.select(db.func.count(db.func.distinct(Attempt.participant_id)))
                             .where(Attempt.quiz_id == attempt.quiz_id, Attempt.submitted_at.is_not(None)))


def run(url: str, sizes: list[int]) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": False,
                      "QUIZ_RATELIMIT_ENABLED": False, "QUIZ_BASE_URL": "http://bench.test"},
                     instance_path=tempfile.mkdtemp(prefix="bench-instance-"))
    label = url.split(":", 1)[0]
    print(f"[{label}] load average at the start: {load()}")
    with app.app_context():
        for size in sizes:
            quiz = seed(size)
            clock.freeze(OPENS + timedelta(days=5, hours=12))  # the quiz is open: a submit's moment
            try:
                ids = db.session.scalars(db.select(Attempt.id).order_by(Attempt.id).limit(SAMPLES)).all()
                attempts = [db.session.get(Attempt, i) for i in ids]
                attempt_standing(attempts[0])  # warm the statement caches
                db.session.rollback()
                reference = median_ms(old_count, attempts)
                standing = median_ms(attempt_standing, attempts)
                rank = median_ms(lambda a: participant_rank(a.quiz, a.participant_id), attempts)
                count = median_ms(lambda a: truth_counts(a.quiz), attempts)
                print(f"[{label}] {size:>7,} attempts: standing {standing:6.1f} ms = {standing / reference:5.2f} × "
                      f"the old COUNT(DISTINCT) ({reference:.1f} ms); of it the rank {rank:.1f} ms, "
                      f"the participant count {count:.2f} ms")
            finally:
                clock.unfreeze()
            db.session.remove()
    print(f"[{label}] load average at the end: {load()}")
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", default="1000,10000,100000")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp(prefix='bench-')}/standing.db"
    run(url, [int(n) for n in args.attempts.split(",")])


if __name__ == "__main__":
    main()
