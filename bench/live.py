"""Benchmark of a live session: N simulated phones (default 500) polling and answering one session.

Run (not a test):  .venv/bin/pip install -e '.[bench]'  then
    .venv/bin/python bench/live.py [--phones 500] [--questions 5] [--database-url postgresql://…]

Starts the app under gunicorn as the README runs it in production (`--workers 2 --threads 8`,
QUIZ_RATELIMIT_ENABLED=0), on a throw-away SQLite file by default (or the given PostgreSQL
database: its tables are dropped and recreated, point it at a scratch database). Then:
  * every phone joins through the real join form (GET the page for the CSRF token, POST it);
  * every phone polls `/api/v1/live/<id>/state` every ~600 ms with If-None-Match (a 304 has no
    body) and, when the version changes, fetches its own part like the real page does;
  * while a question runs, each phone answers once after a random 0.5–6 s "thinking" delay;
  * the host logs in and posts start / reveal / next through the console's JSON controls.
For every state change it measures the delay from the moment the host *sent* the action until
each phone *received* the new state (so the host's own request time is included: conservative),
and prints p50/p95/max, the answer save latency, the poll latency, request counts and errors.
Finally it checks in the database that every answer the server acknowledged (200) is stored.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from quiz import create_app  # noqa: E402
from quiz.extensions import db  # noqa: E402
from quiz.models import (Answer, Attempt, Contest, DrawRule, Option, Organizer, Question,  # noqa: E402
                         QuestionSet, Quiz, Unit)
from quiz.services.live_session import host as live  # noqa: E402
from quiz.services.units import refresh_paths  # noqa: E402

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
POLL_S = 0.6  # as static/js/live_phone.js


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def seed(app, questions: int, question_time_s: int) -> int:
    from datetime import timedelta

    from quiz import clock
    with app.app_context():
        db.drop_all()
        db.create_all()
        root = Unit(code="SYT", name="Sở Y tế", path="/")
        db.session.add(root)
        for i in range(20):
            db.session.add(Unit(code=f"BV{i:02d}", name=f"Bệnh viện {i:02d}", parent=root, headcount=100, path="/"))
        db.session.flush()
        refresh_paths()
        qset = QuestionSet(name="Bench live")
        for n in range(questions):
            db.session.add(Question(question_set=qset, text=f"Câu hỏi số {n + 1}?", text_key=f"cau {n}", kind="single",
                                    options=[Option(position=i, text=f"Phương án {i}", is_correct=i == 1)
                                             for i in range(4)]))
        now = clock.utcnow()
        quiz = Quiz(code="LIVEB", title="Bench live", contest=Contest(code="BENCH", title="Bench"),
                    opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1), duration_s=600,
                    shuffle_questions=False, draw_rules=[DrawRule(position=0, question_set=qset, count=questions)])
        host = Organizer(email="host@bench.vn", role="admin")
        host.set_password("bench-password-1")
        db.session.add_all([quiz, host])
        db.session.flush()
        session = live.create_session(quiz, {"question_time_s": question_time_s}, actor=host)
        db.session.commit()
        return session.id


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(database_url: str, port: int, workdir: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "bench-secret", "QUIZ_RATELIMIT_ENABLED": "0",
           "QUIZ_BASE_URL": f"http://127.0.0.1:{port}"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "--workers", "2", "--threads", "8", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env, stdout=open(workdir / "gunicorn.log", "w"),
        stderr=subprocess.STDOUT)
    return process


async def wait_up(base: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(100):
            try:
                async with http.get(f"{base}/") as r:
                    if r.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("gunicorn did not start (see gunicorn.log)")


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    if not match:
        raise RuntimeError("no CSRF token in the page")
    return match.group(1) or match.group(2)


class Stats:
    def __init__(self) -> None:
        self.seen: dict[int, list[float]] = {}      # version → times phones received it
        self.changes: dict[int, tuple[str, float]] = {}  # version → (state, host send time)
        self.poll_ms: list[float] = []
        self.answer_ms: list[float] = []
        self.player_ms: list[float] = []
        self.acked: list[tuple[str, int]] = []       # (token, question id) the server acknowledged
        self.requests = {"200": 0, "304": 0}
        self.errors: dict[str, int] = {}
        self.refused = 0

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


async def phone(n: int, base: str, session_id: int, stats: Stats, joined: asyncio.Event, counter: list[int],
                total: int, rng: random.Random) -> None:
    timeout = aiohttp.ClientTimeout(total=15)
    # unsafe=True: aiohttp otherwise drops cookies set by an IP address (the CSRF session cookie).
    async with aiohttp.ClientSession(timeout=timeout, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        token = None
        for _try in range(5):
            try:
                async with http.get(f"{base}/live/LIVEB") as r:
                    token_csrf = csrf_of(await r.text())
                form = {"csrf_token": token_csrf, "full_name": f"Người chơi {n}", "identity": f"09{n:08d}",
                        "unit_code": f"BV{n % 20:02d}", "consent": "y"}
                async with http.post(f"{base}/live/LIVEB", data=form, allow_redirects=False) as r:
                    if r.status == 302:
                        token = r.headers["Location"].rsplit("/", 1)[-1]
                        break
                    stats.error(f"join {r.status}")
            except (aiohttp.ClientError, asyncio.TimeoutError, RuntimeError) as error:
                stats.error(f"join {type(error).__name__}")
            await asyncio.sleep(0.5 + rng.random())
        counter[0 if token else 1] += 1
        if counter[0] + counter[1] == total:
            joined.set()
        if token is None:
            return
        etag, version, answered = None, 0, set()
        answer_task, parts = None, []
        await asyncio.sleep(rng.random() * POLL_S)  # phones do not poll in lockstep
        while True:
            started = time.perf_counter()
            headers = {"If-None-Match": etag} if etag else {}
            try:
                async with http.get(f"{base}/api/v1/live/{session_id}/state", headers=headers) as r:
                    received = time.time()
                    stats.poll_ms.append((time.perf_counter() - started) * 1000)
                    if r.status == 304:
                        stats.requests["304"] += 1
                        doc = None
                    elif r.status == 200:
                        stats.requests["200"] += 1
                        doc = await r.json()
                        etag = r.headers.get("ETag")
                    else:
                        stats.error(f"state {r.status}")
                        doc = None
                if doc is not None and doc["version"] != version:
                    version = doc["version"]
                    stats.seen.setdefault(version, []).append(received)
                    if doc["state"] in ("reveal", "ended"):  # as the phone page does: within a second
                        parts.append(asyncio.create_task(own_part(http, base, token, stats, rng)))
                    if doc["state"] == "ended":
                        return
                    question = doc.get("question")
                    if doc["state"] == "question" and question and question["id"] not in answered:
                        answered.add(question["id"])
                        answer_task = asyncio.create_task(answer(http, base, token, question, stats, rng))
            except aiohttp.ServerDisconnectedError:
                # gunicorn closed a kept-alive connection as it was reused: a browser retries such
                # an idempotent GET at once on a new connection, and so does this phone.
                stats.error("state: kept-alive connection closed, retried")
                continue
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                stats.error(f"state {type(error).__name__}")
            await asyncio.sleep(max(0.0, POLL_S - (time.perf_counter() - started)))
        if answer_task:
            await answer_task
        await asyncio.gather(*parts)  # each phone's last result fetch ends before its session closes


async def own_part(http, base: str, token: str, stats: Stats, rng: random.Random) -> None:
    await asyncio.sleep(rng.random())
    started = time.perf_counter()
    try:
        async with http.get(f"{base}/api/v1/live/players/{token}") as r:
            await r.read()
            stats.player_ms.append((time.perf_counter() - started) * 1000)
            if r.status != 200:
                stats.error(f"player {r.status}")
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        stats.error(f"player {type(error).__name__}")


async def answer(http, base: str, token: str, question: dict, stats: Stats, rng: random.Random) -> None:
    await asyncio.sleep(0.5 + rng.random() * 5.5)
    option = rng.choice(question["options"])["id"]
    for _try in range(3):  # a real phone retries after a network error
        started = time.perf_counter()
        try:
            async with http.put(f"{base}/api/v1/live/players/{token}/answers/{question['id']}",
                                json={"option_ids": [option]}) as r:
                await r.read()
                stats.answer_ms.append((time.perf_counter() - started) * 1000)
                if r.status == 200:
                    stats.acked.append((token, question["id"]))
                elif r.status == 410:
                    stats.refused += 1
                else:
                    stats.error(f"answer {r.status}")
                return
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            stats.error(f"answer {type(error).__name__}")


async def host(base: str, session_id: int, stats: Stats, joined: asyncio.Event, questions: int,
               question_time_s: int, reveal_s: float) -> None:
    # A new connection per host click: a kept-alive one may have been closed by gunicorn while
    # the phones were joining (a browser would silently retry; a POST is not retried here).
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                     connector=aiohttp.TCPConnector(force_close=True)) as http:
        async with http.get(f"{base}/login") as r:
            token = csrf_of(await r.text())
        async with http.post(f"{base}/login", data={"csrf_token": token, "email": "host@bench.vn",
                                                    "password": "bench-password-1"}, allow_redirects=False) as r:
            assert r.status == 302, f"login failed: {r.status}"
        async with http.get(f"{base}/admin/live/{session_id}") as r:
            csrf = csrf_of(await r.text())
        await joined.wait()
        await asyncio.sleep(2)

        async def act(action: str) -> dict:
            sent = time.time()
            async with http.post(f"{base}/admin/live/{session_id}/{action}",
                                 headers={"X-CSRFToken": csrf, "Accept": "application/json"}) as r:
                body = await r.json()
                assert r.status == 200, body
            stats.changes[body["version"]] = (body["state"], sent)
            print(f"  host {action:<6} → v{body['version']} {body['state']}"
                  f" ({(time.time() - sent) * 1000:.0f} ms)", flush=True)
            return body

        await act("start")
        for index in range(questions):
            await asyncio.sleep(question_time_s + 1.2)
            await act("reveal")
            await asyncio.sleep(reveal_s)
            await act("next")


def verify(database_url: str, stats: Stats, session_id: int) -> tuple[int, int, int]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x"})
    with app.app_context():
        stored = set(db.session.execute(
            db.select(Attempt.token, Answer.question_id).join(Answer, Answer.attempt_id == Attempt.id)
            .where(Attempt.live_session_id == session_id)).all())
        finished = db.session.scalar(db.select(db.func.count(Attempt.id)).where(
            Attempt.live_session_id == session_id, Attempt.submitted_at.is_not(None)))
        db.engine.dispose()
    missing = [a for a in stats.acked if a not in stored]
    return len(stored), len(missing), finished


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=500)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--question-time", type=int, default=10)
    parser.add_argument("--reveal-time", type=float, default=3.0)
    parser.add_argument("--database-url", default=None, help="PostgreSQL scratch database (default: SQLite)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-live-"))
    database_url = args.database_url or f"sqlite:///{workdir / 'live.db'}"
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    seed_app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x"},
                          instance_path=str(workdir / "instance"))
    session_id = seed(seed_app, args.questions, args.question_time)
    with seed_app.app_context():
        db.engine.dispose()
    port = free_port()
    server = start_gunicorn(database_url, port, workdir)
    base = f"http://127.0.0.1:{port}"
    stats = Stats()
    load_before = os.getloadavg()[0]
    try:
        asyncio.run(run(base, session_id, stats, args))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)
    # Where the CPU went: this process is the 500 phones; gunicorn (master and its reaped workers)
    # is a waited-for child, so RUSAGE_CHILDREN counts it (the seeding ran in-process, before).
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    stats.cpu = (me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime, load_before, os.getloadavg()[0])
    report(stats, args, database_url, session_id)


async def run(base: str, session_id: int, stats: Stats, args) -> None:
    await wait_up(base)
    joined, counter = asyncio.Event(), [0, 0]  # joined, failed
    rng = random.Random(10)
    began = time.perf_counter()
    print(f"{args.phones} phones joining {base} …", flush=True)
    phones = [asyncio.create_task(phone(n, base, session_id, stats, joined, counter, args.phones,
                                        random.Random(rng.random()))) for n in range(args.phones)]
    for _tick in range(120):
        try:
            await asyncio.wait_for(asyncio.shield(joined.wait()), 5)
            break
        except asyncio.TimeoutError:
            print(f"  {counter[0]} joined; errors: {stats.errors or 'none'}", flush=True)
    else:
        raise SystemExit("the phones could not all join")
    print(f"  {counter[0]} joined ({counter[1]} failed) in {time.perf_counter() - began:.1f} s", flush=True)
    await host(base, session_id, stats, joined, args.questions, args.question_time, args.reveal_time)
    await asyncio.wait_for(asyncio.gather(*phones), 60)
    stats.elapsed_s = time.perf_counter() - began


def report(stats: Stats, args, database_url: str, session_id: int) -> None:
    print("\n== Live session benchmark ==")
    print(f"database: {'PostgreSQL' if database_url.startswith('postgresql') else 'SQLite (WAL)'}; "
          f"gunicorn --workers 2 --threads 8; {args.phones} phones, {args.questions} questions, "
          f"poll every {POLL_S * 1000:.0f} ms; machine: {os.cpu_count()} cores (shared)")
    print("\nstate change → phone received it (delay from the host sending the action):")
    print(f"{'version':>7} {'state':<9} {'phones':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    every = []
    for version, (state, sent) in sorted(stats.changes.items()):
        delays = [(t - sent) * 1000 for t in stats.seen.get(version, [])]
        every += delays
        print(f"{version:>7} {state:<9} {len(delays):>6} {pct(delays, 50):>8.0f} {pct(delays, 95):>8.0f} "
              f"{max(delays, default=float('nan')):>8.0f}")
    print(f"{'all':>7} {'':<9} {len(every):>6} {pct(every, 50):>8.0f} {pct(every, 95):>8.0f} "
          f"{max(every, default=float('nan')):>8.0f}")
    total = stats.requests["200"] + stats.requests["304"]
    print(f"\nstate polls: {total} ({stats.requests['304'] / max(total, 1) * 100:.1f} % 304), "
          f"{total / stats.elapsed_s:.0f}/s; latency p50 {pct(stats.poll_ms, 50):.0f} ms, "
          f"p95 {pct(stats.poll_ms, 95):.0f} ms, max {max(stats.poll_ms, default=0):.0f} ms")
    print(f"answers: {len(stats.acked)} acknowledged, {stats.refused} refused as late (410); save latency "
          f"p50 {pct(stats.answer_ms, 50):.0f} ms, p95 {pct(stats.answer_ms, 95):.0f} ms, "
          f"max {max(stats.answer_ms, default=0):.0f} ms")
    print(f"own result (after a reveal or the end): p50 {pct(stats.player_ms, 50):.0f} ms, "
          f"p95 {pct(stats.player_ms, 95):.0f} ms, max {max(stats.player_ms, default=0):.0f} ms")
    print(f"errors: {stats.errors or 'none'}")
    client_s, server_s, load_before, load_after = stats.cpu
    print(f"CPU over {stats.elapsed_s:.0f} s: gunicorn {server_s:.0f} s ({server_s / stats.elapsed_s * 100:.0f} % of one core), "
          f"simulated phones {client_s:.0f} s; load average {load_before:.1f} before, {load_after:.1f} after "
          f"(other work on the machine counts too)")
    stored, missing, finished = verify(database_url, stats, session_id)
    print(f"database: {stored} answers stored; acknowledged but missing: {missing}; "
          f"finished attempts: {finished}/{args.phones}")
    if missing:
        raise SystemExit("acknowledged answers are missing from the database")


if __name__ == "__main__":
    main()
