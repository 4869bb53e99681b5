"""Benchmark of the ranking pipeline: 200 units, 100,000 finished attempts.

Run with the venv's python (not a test):  .venv/bin/python bench/rankings.py [--attempts N]
Uses a throw-away SQLite file; set BENCH_DATABASE_URL=postgresql://… to ALSO run on PostgreSQL
(that database's tables are dropped and recreated: point it at a scratch database).
Prints the unit ranking time (median of 5), the individual top-100 time (median of 5), the
XLSX export time and the peak memory.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from quiz import create_app  # noqa: E402
from quiz.extensions import db  # noqa: E402
from quiz.models import (Attempt, Contest, DrawRule, Option, Participant, Question, QuestionSet,  # noqa: E402
                         Quiz, Unit)
from quiz.models.attempts import hash_token  # noqa: E402
from quiz.services import exports, live_ranking  # noqa: E402
from quiz.services import rankings as ranking  # noqa: E402
from quiz.services.xlsx_report import write_xlsx  # noqa: E402

OPENS = datetime(2025, 10, 6, 1, 0, tzinfo=UTC)


def seed(attempts: int) -> Quiz:
    rng = random.Random(2025)
    db.drop_all()
    db.create_all()
    root = Unit(code="SYT", name="Sở Y tế", headcount=None, path="/1/")
    db.session.add(root)
    db.session.flush()
    units = []
    for i in range(20):  # 20 hospitals/centres, each with 9 wards: 200 units under the root
        parent = Unit(code=f"BV{i:02d}", name=f"Bệnh viện {i:02d}", parent_id=root.id,
                      headcount=None if i % 7 == 0 else rng.randrange(80, 400))
        db.session.add(parent)
        db.session.flush()
        parent.path = f"/{root.id}/{parent.id}/"
        for j in range(9):
            ward = Unit(code=f"BV{i:02d}-K{j}", name=f"Khoa {j} — Bệnh viện {i:02d}", parent_id=parent.id,
                        headcount=None if (i + j) % 11 == 0 else rng.randrange(20, 90))
            db.session.add(ward)
            db.session.flush()
            ward.path = f"{parent.path}{ward.id}/"
            units.append(ward)
    qset = QuestionSet(name="Bench")
    for n in range(10):
        db.session.add(Question(question_set=qset, text=f"Câu {n}", text_key=f"cau {n}", kind="single",
                                options=[Option(position=k, text=t, is_correct=k == 1) for k, t in enumerate("ABCD")]))
    quiz = Quiz(code="BENCH", title="Đợt thi đo hiệu năng", contest=Contest(code="BENCH", title="Bench"),
                opens_at=OPENS, closes_at=OPENS + timedelta(days=6), duration_s=900, prediction="count",
                draw_rules=[DrawRule(position=0, question_set=qset, count=10)])
    db.session.add(quiz)
    db.session.commit()
    unit_ids = [u.id for u in units]
    chunk = 10_000
    for start in range(0, attempts, chunk):
        n = min(chunk, attempts - start)
        db.session.execute(insert(Participant), [
            {"id": start + k + 1, "contest_id": quiz.contest_id, "identity": f"09{start + k:08d}",
             "identity_kind": "phone", "full_name": f"Người thi {start + k}", "unit_id": rng.choice(unit_ids),
             "consent_at": OPENS} for k in range(n)])
        rows = []
        for k in range(n):
            correct = rng.randrange(3, 11)
            duration = rng.randrange(60_000, 900_000)
            started = OPENS + timedelta(seconds=rng.randrange(0, 5 * 86400))
            rows.append({"token": f"t{start + k}", "token_hash": hash_token(f"t{start + k}"), "quiz_id": quiz.id, "participant_id": start + k + 1,
                         "attempt_no": 1, "started_at": started, "deadline": started + timedelta(seconds=900),
                         "submitted_at": started + timedelta(milliseconds=duration), "finalised_by": "participant",
                         "prediction": rng.randrange(0, 20_000), "correct_count": correct, "score": correct,
                         "max_score": 10, "score_pct": correct * 10.0, "duration_ms": duration})
        db.session.execute(insert(Attempt), rows)
    db.session.commit()
    return quiz


def median_time(func, repeat: int = 5) -> float:
    times = []
    for _i in range(repeat):
        db.session.expire_all()
        began = time.perf_counter()
        func()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def run(url: str, attempts: int, label: str, trace: bool) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": False},
                     instance_path=tempfile.mkdtemp(prefix="bench-instance-"))
    with app.app_context():
        began = time.perf_counter()
        quiz = seed(attempts)
        print(f"[{label}] seeded 200 units + {attempts:,} finished attempts in {time.perf_counter() - began:.1f} s")
        units = ranking.unit_ranking(quiz)
        assert sum(u.participants for u in units) == attempts
        print(f"[{label}] unit ranking (20 units, rolled up from 180 wards): "
              f"{median_time(lambda: ranking.unit_ranking(quiz)) * 1000:.0f} ms (median of 5)")
        print(f"[{label}] unit ranking, every level (snapshot payload): "
              f"{median_time(lambda: ranking.unit_ranking_levels(quiz=quiz)) * 1000:.0f} ms (median of 5)")
        app.config["LIVE_RANKING_TTL_S"] = 5.0
        live_ranking.unit_ranking(quiz)  # fills the cache
        print(f"[{label}] live unit ranking, cached, within the 5 s TTL: "
              f"{median_time(lambda: live_ranking.unit_ranking(quiz), repeat=21) * 1000:.1f} ms (median of 21)")
        app.config["LIVE_RANKING_TTL_S"] = 1e-6  # every read re-checks the data version
        print(f"[{label}] live unit ranking, cached, data version re-checked: "
              f"{median_time(lambda: live_ranking.unit_ranking(quiz), repeat=21) * 1000:.1f} ms (median of 21)")
        top = ranking.individual_ranking(quiz, limit=100)
        assert len(top) == 100 and top[0].rank == 1
        print(f"[{label}] individual top 100: "
              f"{median_time(lambda: ranking.individual_ranking(quiz, limit=100)) * 1000:.0f} ms (median of 5)")
        out = Path(tempfile.mkdtemp(prefix="bench-export-")) / "bench.xlsx"
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if trace:
            tracemalloc.start()
        began = time.perf_counter()
        write_xlsx(exports.build_report(quiz=quiz), str(out))
        elapsed = time.perf_counter() - began
        print(f"[{label}] XLSX export of {attempts:,} rows: {elapsed:.1f} s, {out.stat().st_size / 1e6:.1f} MB"
              + (" (slowed by tracemalloc)" if trace else ""))
        if trace:
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"[{label}] XLSX export peak Python allocations (tracemalloc): {peak / 1e6:.1f} MB")
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"[{label}] peak resident memory before / after the export: "
              f"{rss_before / 1024:.0f} / {rss_after / 1024:.0f} MB")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=100_000)
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations (slower)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        run(f"sqlite:///{folder}/bench.db", args.attempts, "SQLite", args.tracemalloc)
    if os.environ.get("BENCH_DATABASE_URL"):
        run(os.environ["BENCH_DATABASE_URL"], args.attempts, "PostgreSQL", args.tracemalloc)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak resident memory of the whole run (ru_maxrss): {peak_kb / 1024:.0f} MB")


if __name__ == "__main__":
    main()
