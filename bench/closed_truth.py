"""Benchmark of a CLOSED quiz's rankings: what its prediction truth costs each read.

Run with the venv's python (not a test):  .venv/bin/python bench/closed_truth.py [--attempts N] [--reads N]
Uses a throw-away SQLite file; set BENCH_DATABASE_URL=postgresql://… to run on PostgreSQL instead
(that database's tables are dropped and recreated: point it at a scratch database).

Seeds what `bench/rankings.py` seeds (200 units, N finished attempts, a "count" prediction), lets
each participant make up to 3 attempts (the counted one picked by a window over all of them), moves
the clock past the close and times, per request, `GET /api/v1/quizzes/BENCH/unit-ranking` and
`GET …/leaderboard?limit=100`, and in process the truth itself (`rankings.prediction_truth`).
Prints the load average before and after: on a shared machine wall times are mostly waiting.
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

from sqlalchemy import event as sa_event  # noqa: E402

from bench.rankings import OPENS, seed  # noqa: E402
from quiz import clock, create_app  # noqa: E402
from quiz.extensions import db  # noqa: E402
from quiz.services import rankings as ranking  # noqa: E402


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def timed_get(client, url: str, reads: int) -> list[float]:
    times = []
    for _ in range(reads):
        began = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - began)
        assert response.status_code == 200, (url, response.status_code)
    return times


def run(url: str, attempts: int, reads: int) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": False,
                      "QUIZ_RATELIMIT_ENABLED": False, "QUIZ_BASE_URL": "http://bench.test"},
                     instance_path=tempfile.mkdtemp(prefix="bench-instance-"))
    label = url.split(":", 1)[0]
    with app.app_context():
        began = time.perf_counter()
        quiz = seed(attempts)
        quiz.max_attempts = 3  # a window picks the counted attempt (the costly case)
        db.session.commit()
        print(f"[{label}] seeded {attempts:,} finished attempts in {time.perf_counter() - began:.1f} s")
        clock.freeze(OPENS + timedelta(days=7))  # after the close
        try:
            print(f"[{label}] load average at the start: {load()}")
            truth = ranking.prediction_truth(quiz)
            db.session.commit()
            print(f"[{label}] truth = {truth}")
            in_process = []
            for _ in range(21):
                began = time.perf_counter()
                ranking.prediction_truth(quiz)
                in_process.append(time.perf_counter() - began)
                db.session.commit()
            print(f"[{label}] prediction_truth in process: {statistics.median(in_process) * 1000:.2f} ms (median of 21)")
            statements = []

            def record(_conn, _cursor, statement, *_rest):
                statements.append(statement)
            client = app.test_client()
            sa_event.listen(db.engine, "before_cursor_execute", record)
            client.get("/api/v1/quizzes/BENCH/unit-ranking")
            sa_event.remove(db.engine, "before_cursor_execute", record)
            print(f"[{label}] statements of one GET unit-ranking: {len(statements)}, "
                  f"of which with a window (OVER): {sum(' OVER ' in s.upper() for s in statements)}")
            for name, path in (("unit-ranking", "/api/v1/quizzes/BENCH/unit-ranking"),
                               ("leaderboard?limit=100", "/api/v1/quizzes/BENCH/leaderboard?limit=100")):
                times = timed_get(client, path, reads)
                ordered = sorted(times)
                print(f"[{label}] GET {name}: p50 {statistics.median(times) * 1000:.1f} ms, "
                      f"p99 {ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))] * 1000:.1f} ms "
                      f"({reads} reads)")
            print(f"[{label}] load average at the end: {load()}")
        finally:
            clock.unfreeze()
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=100_000)
    parser.add_argument("--reads", type=int, default=50)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp(prefix='bench-')}/closed.db"
    run(url, args.attempts, args.reads)


if __name__ == "__main__":
    main()
