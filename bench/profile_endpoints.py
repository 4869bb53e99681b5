"""Profile the hot endpoints in-process (cProfile through the Flask test client).

    .venv/bin/python bench/profile_endpoints.py [--database-url postgresql://…] [--top 25]

Seeds the same data as bench/load.py (a smaller ranking quiz) and prints, per endpoint, the
time per request and the functions with the most cumulative time: join page, attempt start,
answer save, submit. Complements py-spy on the gunicorn workers (see docs/PERFORMANCE.md).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

import load  # noqa: E402

from quiz import create_app  # noqa: E402
from quiz.config import database_url  # noqa: E402
from sqlalchemy import event  # noqa: E402
from quiz.extensions import db  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--statements", action="store_true",
                        help="also print the SQL statements of one more request of each endpoint")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-profile-")
    if args.database_url:
        url = database_url(args.database_url, folder)
        load.fresh_postgres(url)
    else:
        url = f"sqlite:///{folder}/bench.db"
    load.seed(url, 2000, 10)
    units = load._ward_codes(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"}, instance_path=folder)
    client = app.test_client(use_cookies=False)
    queries, logged = [0], []

    def count(_conn, _cursor, statement, *_rest):
        queries[0] += 1
        logged.append(" ".join(statement.split())[:160])

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
    tokens, questions = [], {}

    def join(i):
        assert client.get(f"/j/LOAD?u={units[i % len(units)]}").status_code == 200

    def start(i):
        r = client.post("/api/v1/quizzes/LOAD/attempts", json={"full_name": f"Người {i}", "unit_code": units[i % 50],
                                                               "identity": f"07{i:08d}", "consent": True})
        assert r.status_code == 201, r.json
        tokens.append(r.json["attempt_id"])
        questions[r.json["attempt_id"]] = r.json["questions"]

    def save(i):
        token = tokens[i % len(tokens)]
        q = questions[token][(i // len(tokens)) % len(questions[token])]
        r = client.put(f"/api/v1/attempts/{token}/answers/{q['id']}", json={"option_ids": [q["options"][0]["id"]]})
        assert r.status_code == 200, r.json

    def submit(i):
        assert client.post(f"/api/v1/attempts/{tokens[i]}/submit").status_code == 200

    for name, func in [("join page", join), ("attempt start", start), ("answer save", save), ("submit", submit)]:
        func(0) if name == "join page" else None
        queries[0] = 0
        profiler = cProfile.Profile()
        began = time.perf_counter()
        profiler.enable()
        for i in range(args.n):
            func(i)
        profiler.disable()
        per = (time.perf_counter() - began) / args.n * 1000
        print(f"\n=== {name}: {per:.1f} ms per request (profiled), {queries[0] / args.n:.1f} SQL statements per request")
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("PROFILE_SORT", "cumulative"))
        stats.print_stats(args.top)
        if os.environ.get("PROFILE_CALLERS"):
            stats.print_callers(os.environ["PROFILE_CALLERS"])
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])
        if args.statements:
            logged.clear()
            func(args.n)
            print(f"\n--- the statements of one more {name}:")
            print("\n".join(f"{n:3d}. {line}" for n, line in enumerate(logged, 1)))


if __name__ == "__main__":
    main()
