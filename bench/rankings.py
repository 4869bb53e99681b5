"""Benchmark of the ranking pipeline: 200 units, 100,000 finished attempts.

Run with the venv's python (not a test):  .venv/bin/python bench/rankings.py [--attempts N] [--rounds N]
Uses a throw-away SQLite file; set BENCH_DATABASE_URL=postgresql://… to ALSO run on PostgreSQL
(that database's tables are dropped and recreated: point it at a scratch database).

Prints, per database:
* the full computation of the unit ranking from the attempts (the reference: what every unit
  read cost before the tallies, and what a re-count costs);
* the event (issue 13): phones register, answer and submit through the JSON API one after the
  other while readers poll; after EVERY submit the next `GET …/unit-ranking` must already count
  it (its ward's hospital gains exactly one participant, else the bench fails), and the next
  `GET …/leaderboard?limit=100` is timed too. p50 / p99 per request, and ratios to two
  references measured in the same run: the full computation above and `GET /healthz` (one
  `SELECT 1` through the same app: the floor of any request on this machine at this moment);
* the XLSX export time and the peak memory.
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

from quiz import clock, create_app  # noqa: E402
from quiz.extensions import db  # noqa: E402
from quiz.models import (Attempt, Contest, DrawRule, Option, Participant, Question, QuestionSet,  # noqa: E402
                         Quiz, Unit)
from quiz.models.attempts import hash_token  # noqa: E402
from quiz.services import exports  # noqa: E402
from quiz.services import rankings as ranking  # noqa: E402
from quiz.services.rankings import counted, tallies  # noqa: E402
from quiz.services.rankings.unit_rollup import UnitTable  # noqa: E402
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
    tallies.rebuild_quiz_tallies(quiz.id)  # the rows went in behind the ORM, as a restore would
    if db.session.get_bind().dialect.name == "postgresql":  # the participants' ids were given explicitly
        db.session.execute(db.text("SELECT setval(pg_get_serial_sequence('participant', 'id'), "
                                   "(SELECT max(id) FROM participant))"))
    db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":
        # What autovacuum does to a table that just took 100,000 rows: statistics for the planner
        # and the visibility map that lets index-only scans skip the table.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE attempt")
    return quiz


def full_unit_ranking(quiz: Quiz):
    """The reference: the unit ranking computed from every attempt (the tallies' oracle)."""
    attempt_rows = counted.counted_attempts(quiz, truth=None)
    return UnitTable(tallies.people_units(attempt_rows), quiz.contest).ranking(None)


def percentile(times: list[float], p: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


CPU: dict[int, list[float]] = {}  # id(times) -> this process's CPU seconds per request (see `report`)


def timed(client, url: str, times: list[float], method: str = "get", **kwargs):
    began, cpu = time.perf_counter(), time.process_time()
    response = getattr(client, method)(url, **kwargs)
    times.append(time.perf_counter() - began)
    CPU.setdefault(id(times), []).append(time.process_time() - cpu)
    assert response.status_code in (200, 201), (url, response.status_code, response.get_data(as_text=True)[:300])
    return response.get_json()


def event(app, quiz: Quiz, rounds: int, label: str) -> dict[str, list[float]]:
    """`rounds` phones each register, answer 3 questions and submit; after each submit one
    unit-ranking read (checked exact) and one top-100 read."""
    rng = random.Random(13)
    by_id = {u.id: u for u in db.session.scalars(db.select(Unit))}
    wards = [(u.code, by_id[u.parent_id].code) for u in by_id.values() if u.code.startswith("BV") and "-K" in u.code]
    client = app.test_client()
    code = quiz.code
    times: dict[str, list[float]] = {"healthz": [], "submit": [], "units": [], "top100": []}
    previous = {r["code"]: r["participants"] for r in timed(client, f"/api/v1/quizzes/{code}/unit-ranking", [])["rows"]}
    for n in range(rounds):
        ward, hospital = rng.choice(wards)
        timed(client, "/healthz", times["healthz"])
        started = timed(client, f"/api/v1/quizzes/{code}/attempts", [], method="post", json={
            "full_name": f"Phạm Thị Bench {n}", "unit_code": ward, "identity": f"08{n:08d}", "consent": True,
            "prediction": rng.randrange(0, 20_000)})
        token = started["attempt_id"]
        for question in started["questions"][:3]:
            timed(client, f"/api/v1/attempts/{token}/answers/{question['id']}", [], method="put",
                  json={"option_ids": [rng.choice(question["options"])["id"]]})
        timed(client, f"/api/v1/attempts/{token}/submit", times["submit"], method="post")
        rows = timed(client, f"/api/v1/quizzes/{code}/unit-ranking", times["units"])["rows"]
        now = {r["code"]: r["participants"] for r in rows}
        changed = {c: now[c] - previous.get(c, 0) for c in now if now[c] != previous.get(c, 0)}
        if changed != {hospital: 1}:
            raise SystemExit(f"[{label}] NOT EXACT: after submit {n} in {ward} the next read changed {changed}")
        previous = now
        top = timed(client, f"/api/v1/quizzes/{code}/leaderboard?limit=100", times["top100"])["rows"]
        assert len(top) == 100 and top[0]["rank"] == 1
    return times


def report(label: str, name: str, times: list[float], references: dict[str, float], target_ms: float | None):
    p50, p99 = percentile(times, 50) * 1000, percentile(times, 99) * 1000
    ratios = ", ".join(f"p99 = {p99 / (ref * 1000):.3g} × {ref_name}" for ref_name, ref in references.items())
    verdict = "" if target_ms is None else (f"  [target ≤ {target_ms:g} ms p99: "
                                            f"{'met' if p99 <= target_ms else 'MISSED'}]")
    print(f"[{label}] {name}: p50 {p50:.1f} ms, p99 {p99:.1f} ms over {len(times)} requests; {ratios}{verdict}")
    cpu = CPU.get(id(times), [])
    if cpu:  # the work itself, without the waits for a core on a loaded machine (SQLite: all of it)
        print(f"[{label}]     CPU time of this process: p50 {percentile(cpu, 50) * 1000:.1f} ms, "
              f"p99 {percentile(cpu, 99) * 1000:.1f} ms")


def median_time(func, repeat: int = 5) -> float:
    times = []
    for _i in range(repeat):
        db.session.expire_all()
        began = time.perf_counter()
        func()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def run(url: str, attempts: int, label: str, trace: bool, rounds: int, export: bool = True) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": False,
                      "QUIZ_RATELIMIT_ENABLED": False, "QUIZ_BASE_URL": "http://bench.test"},
                     instance_path=tempfile.mkdtemp(prefix="bench-instance-"))
    with app.app_context():
        began = time.perf_counter()
        quiz = seed(attempts)
        print(f"[{label}] seeded 200 units + {attempts:,} finished attempts in {time.perf_counter() - began:.1f} s")
        units = ranking.unit_ranking(quiz)
        assert sum(u.participants for u in units) == attempts
        assert [u.to_dict() for u in units] == [u.to_dict() for u in full_unit_ranking(quiz)]
        full = median_time(lambda: full_unit_ranking(quiz))
        print(f"[{label}] reference: unit ranking computed from every attempt: {full * 1000:.0f} ms (median of 5)")
        print(f"[{label}] unit ranking read from the tallies, in process: "
              f"{median_time(lambda: ranking.unit_ranking(quiz), repeat=21) * 1000:.1f} ms (median of 21)")
        print(f"[{label}] unit ranking, every level (snapshot payload): "
              f"{median_time(lambda: ranking.unit_ranking_levels(quiz=quiz)) * 1000:.0f} ms (median of 5)")
        db.session.commit()
        clock.freeze(OPENS + timedelta(days=5, hours=12))  # the quiz is open: phones submit
        try:
            times = event(app, quiz, rounds, label)
        finally:
            clock.unfreeze()
        floor = statistics.median(times["healthz"])
        print(f"[{label}] reference: GET /healthz p50 {floor * 1000:.2f} ms, CPU p50 "
              f"{statistics.median(CPU[id(times['healthz'])]) * 1000:.2f} ms")
        refs = {"full computation": full, "healthz p50": floor}
        report(label, "GET unit-ranking right after each submit (every one exact)", times["units"], refs, 10)
        report(label, "GET leaderboard?limit=100", times["top100"], refs, 50)
        report(label, "POST submit (tally kept in its transaction)", times["submit"], refs, None)
        db.session.expire_all()
        if not export:
            db.session.remove()
            db.engine.dispose()
            return
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
    parser.add_argument("--rounds", type=int, default=300, help="submits during the timed event")
    parser.add_argument("--postgres-only", action="store_true", help="skip the SQLite run")
    parser.add_argument("--no-export", action="store_true", help="skip the XLSX export")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations (slower)")
    args = parser.parse_args()
    if not args.postgres_only:
        with tempfile.TemporaryDirectory(prefix="bench-") as folder:
            run(f"sqlite:///{folder}/bench.db", args.attempts, "SQLite", args.tracemalloc, args.rounds,
                not args.no_export)
    if os.environ.get("BENCH_DATABASE_URL"):
        run(os.environ["BENCH_DATABASE_URL"], args.attempts, "PostgreSQL", args.tracemalloc, args.rounds, not args.no_export)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak resident memory of the whole run (ru_maxrss): {peak_kb / 1024:.0f} MB")


if __name__ == "__main__":
    main()
