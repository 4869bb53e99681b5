"""Two app servers on one PostgreSQL behind nginx, with Redis for the rate limits: the README's
"Several app servers" setup, checked as an operator would.

    .venv/bin/python bench/two_servers.py --database-url postgresql://postgres@127.0.0.1:5432/bench_two
    options: --ports 5108,5109 --nginx-port 5110 --redis redis://127.0.0.1:6379/0 --phones 300

It starts two gunicorn instances (ports 5108 and 5109, the same SECRET_KEY, QUIZ_RATELIMIT_STORAGE_URI
on Redis under a key prefix of its own) and nginx (/usr/sbin/nginx, its own config in a temp folder,
listening on 5110 with both as its `upstream`), then checks:

1. a close reaches both servers' join pages at once: each server's page is kept (the join-page
   cache), the quiz is closed, and both servers' very next page says it is closed;
2. the rate limit is shared: starts from one address alternate between the servers and the limit
   counts them together (the limit is lowered for this run);
3. killing one server mid-run loses nothing acknowledged: `--phones` phones start, save answers and
   submit through nginx while one instance is SIGKILLed; a phone sends a request again when it
   gets a 502/503 or a dropped connection (play.js does so for answers; a start or a submit is
   pressed again, both are safe to repeat), then the database is checked as bench/load.py does;
4. the capacity check: the same phones' starts, saves and submits per second through two instances,
   beside one instance (the model of docs/PERFORMANCE.md).

The PostgreSQL database is DROPPED and recreated: use a scratch name. Exits 1 when a check fails.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import aiohttp

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

import load  # noqa: E402
from load import LOAD_CODE, Player  # noqa: E402

from quiz import create_app  # noqa: E402
from quiz.config import database_url  # noqa: E402
from quiz.extensions import db  # noqa: E402
from quiz.models import Quiz  # noqa: E402

NGINX = "/usr/sbin/nginx"
NGINX_CONF = """
worker_processes 1;
worker_rlimit_nofile 20000;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
# Each phone in flight holds two connections (its own and the one to gunicorn): 4,096 was too few
# for 3,000 phones (nginx then closes idle keep-alive connections under them).
events {{ worker_connections 9000; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fcgi; uwsgi_temp_path {folder}/uwsgi; scgi_temp_path {folder}/scgi;
    upstream thiduaso {{
        server 127.0.0.1:{port_a} max_fails=3 fail_timeout=10s;
        server 127.0.0.1:{port_b} max_fails=3 fail_timeout=10s;
        keepalive 32;
        # Below gunicorn's --keep-alive (2 s): otherwise nginx reuses a connection gunicorn is just
        # closing, and a POST on it (not retried) comes back as a 502.
        keepalive_timeout 1s;
    }}
    server {{
        listen 127.0.0.1:{listen};
        location / {{
            proxy_pass http://thiduaso;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-Start "t=${{msec}}";
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries 2;
        }}
    }}
}}
"""


class Instance:
    def __init__(self, port: int, env: dict, folder: str):
        self.port, self.base = port, f"http://127.0.0.1:{port}"
        self.log = open(Path(folder) / f"gunicorn-{port}.log", "w")
        self.env = env
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            load.GUNICORN + ["--bind", f"127.0.0.1:{self.port}", "wsgi:app"], cwd=ROOT,
            env={**os.environ, **self.env}, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=3):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"instance on {self.port} did not start; see {self.log.name}")

    def kill(self) -> None:
        """SIGKILL the master and its workers at once: a machine that dies, not a graceful stop."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def check_close(url: str, a: Instance, b: Instance) -> list[str]:
    """Both servers keep the open join page; a close made through the database (as the console on
    either server does) shows on both servers' next page."""
    for inst in (a, b):
        for _i in range(2):  # rendered, then served from the kept page
            status, html = get(f"{inst.base}/j/{LOAD_CODE}")
            assert status == 200 and 'id="join-form"' in html, (inst.port, status)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"}, instance_path=tempfile.mkdtemp())
    from quiz.services import quizzes as quiz_service
    with app.app_context():
        quiz_service.close_quiz_now(db.session.scalar(db.select(Quiz).filter_by(code=LOAD_CODE)), actor=None)
        db.session.commit()
        closed_at = time.perf_counter()
        results = {inst.port: get(f"{inst.base}/j/{LOAD_CODE}") for inst in (a, b)}
        seen_after = time.perf_counter() - closed_at
        # Open again for the next checks (a new window from now on).
        quiz = db.session.scalar(db.select(Quiz).filter_by(code=LOAD_CODE))
        from quiz import clock
        from datetime import timedelta
        quiz.closes_at = clock.utcnow() + timedelta(hours=2)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    problems = [f"server {port} still shows the join form after the close"
                for port, (status, html) in results.items() if 'id="join-form"' in html]
    print(f"{'✓' if not problems else '✗'} close: both servers' next join page (within {seen_after * 1000:.0f} ms) "
          f"says closed: {[status for status, _html in results.values()]}")
    return problems


def check_shared_limit(a: Instance, b: Instance, limit: int, started: list[Player]) -> list[str]:
    """`started` gets the attempts the check opened (submitted, so the database check counts them)."""
    import json
    statuses = []
    for n in range(limit + 4):
        inst = (a, b)[n % 2]
        req = urllib.request.Request(
            f"{inst.base}/api/v1/quizzes/{LOAD_CODE}/attempts", method="POST",
            data=(f'{{"full_name": "Giới hạn {n}", "unit_code": "{UNIT}", "identity": "0966{n:06d}", '
                  f'"consent": true}}').encode(), headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                statuses.append(resp.status)
                player = Player(900_000 + n, UNIT, token=json.loads(resp.read())["attempt_id"])
                submit = urllib.request.Request(f"{inst.base}/api/v1/attempts/{player.token}/submit", method="POST")
                with urllib.request.urlopen(submit, timeout=10):
                    player.submitted = True
                started.append(player)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
    passed = sum(1 for s in statuses if s in (200, 201))
    ok = passed == limit and all(s == 429 for s in statuses[limit:])
    print(f"{'✓' if ok else '✗'} rate limit shared through Redis: {limit} a minute per address, starts "
          f"alternating between the servers → {statuses}")
    return [] if ok else [f"rate limit not shared: {statuses}"]


async def phone(session, base: str, p: Player, rng: random.Random, stats: dict, questions: int) -> None:
    """A phone through nginx: start, save answers, submit; a 502/503/dropped connection is sent again."""
    async def call(method: str, path: str, **kw):
        for _try in range(20):
            try:
                async with session.request(method, base + path, **kw) as resp:
                    body = await resp.json(content_type=None) if resp.content_type == "application/json" else None
                    if resp.status in (502, 503, 504):
                        key = "resent after 503 busy" if resp.status == 503 else f"resent after {resp.status}"
                        stats[key] = stats.get(key, 0) + 1
                        await asyncio.sleep(float(resp.headers.get("Retry-After", "1")) * (1 + rng.random()))
                        continue
                    stats[resp.status] = stats.get(resp.status, 0) + 1
                    return resp.status, body
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                key = f"resent after {type(error).__name__}"
                stats[key] = stats.get(key, 0) + 1
                await asyncio.sleep(1 + rng.random())
        return None, None
    status, body = await call("POST", f"/api/v1/quizzes/{LOAD_CODE}/attempts", json={
        "full_name": f"Người thi hai máy {p.n}", "unit_code": p.unit_code, "identity": f"05{p.n:08d}", "consent": True})
    if status not in (200, 201):
        return
    p.token, p.questions = body["attempt_id"], body["questions"]
    for q in p.questions[:questions]:
        await asyncio.sleep(rng.uniform(0, 0.5))
        picked = [rng.choice(q["options"])["id"]]
        status, _body = await call("PUT", f"/api/v1/attempts/{p.token}/answers/{q['id']}", json={"option_ids": picked})
        if status == 200:
            p.acked[q["id"]] = picked
            p.unacked.discard(q["id"])
        else:
            p.unacked.add(q["id"])
    status, _body = await call("POST", f"/api/v1/attempts/{p.token}/submit")
    p.submitted = status == 200


async def crowd(base: str, players: list[Player], questions: int, spread: float, kill=None) -> tuple[dict, float]:
    stats: dict = {}
    rng = random.Random(3)
    connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=1)
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(),
                                     timeout=aiohttp.ClientTimeout(total=60)) as session:
        began = time.perf_counter()

        async def at(p: Player):
            await asyncio.sleep(rng.uniform(0, spread))
            await phone(session, base, p, random.Random(p.n), stats, questions)
        tasks = [asyncio.create_task(at(p)) for p in players]
        if kill is not None:
            await asyncio.sleep(spread / 2)
            kill()
        await asyncio.gather(*tasks)
        return stats, time.perf_counter() - began


UNIT = ""


def main() -> int:
    global UNIT
    parser = argparse.ArgumentParser(description="Two servers behind nginx (see the module docstring).")
    parser.add_argument("--database-url", required=True, help="postgresql://… (DROPPED and recreated)")
    parser.add_argument("--ports", default="5108,5109")
    parser.add_argument("--nginx-port", type=int, default=5110)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--questions", type=int, default=5, help="answers each phone saves")
    parser.add_argument("--spread", type=float, default=10, help="seconds over which the phones arrive")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-two-")
    url = database_url(args.database_url, folder)
    load.fresh_postgres(url)
    load.seed(url, 2000, 10)
    UNIT = load._ward_codes(url)[0]
    limit = 6
    env = {"DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(32), "QUIZ_BASE_URL": "http://127.0.0.1",
           "QUIZ_RATELIMIT_STORAGE_URI": args.redis, "QUIZ_RATELIMIT_KEY_PREFIX": f"rush-two-{secrets.token_hex(4)}",
           "QUIZ_RATELIMIT_START": f"{limit} per minute", "QUIZ_RATELIMIT_IDENTITY": "100 per minute",
           "QUIZ_TRUSTED_PROXIES": "1"}
    port_a, port_b = (int(p) for p in args.ports.split(","))
    a, b = Instance(port_a, env, folder), Instance(port_b, env, folder)
    conf = Path(folder) / "nginx.conf"
    conf.write_text(NGINX_CONF.format(folder=folder, port_a=port_a, port_b=port_b, listen=args.nginx_port))
    nginx = None
    problems: list[str] = []
    print(f"load average {os.getloadavg()[0]:.2f} at the start (the machine is shared)")
    try:
        a.start()
        b.start()
        nginx = subprocess.Popen([NGINX, "-c", str(conf), "-p", folder, "-g", "daemon off;"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
        problems += check_close(url, a, b)
        limited: list[Player] = []
        problems += check_shared_limit(a, b, limit, limited)
        # The crowd's own limits are lifted: the phones all come from 127.0.0.1 through nginx.
        for inst in (a, b):
            inst.stop()
        env.update({"QUIZ_RATELIMIT_START": "100000 per minute", "QUIZ_RATELIMIT_JOIN": "100000 per minute"})
        a.start()
        b.start()
        base = f"http://127.0.0.1:{args.nginx_port}"
        rng = random.Random(9)
        units = load._ward_codes(url)
        players = [Player(100_000 + n, rng.choice(units)) for n in range(args.phones)]
        stats, elapsed = asyncio.run(crowd(base, players, args.questions, args.spread, kill=a.kill))
        started = sum(1 for p in players if p.token)
        acked = sum(len(p.acked) for p in players)
        print(f"{'✓' if started == args.phones else '✗'} SIGKILL of server {port_a} mid-run: {started} of "
              f"{args.phones} phones started, {acked:,} answers acknowledged, "
              f"{sum(p.submitted for p in players)} submitted in {elapsed:.1f} s; statuses {stats}")
        problems += [f"only {started} of {args.phones} phones started"] * (started != args.phones)
        checked = load.verify(url, players + limited)
        problems += checked
        print("  ✓ database: nothing acknowledged lost, every attempt finalised, nothing twice" if not checked
              else "  ✗ " + "; ".join(checked))
        # Capacity: the same crowd on both instances, then on one (b alone; a is dead).
        a.start()
        for name, target in ((f"two instances ({port_a}+{port_b}) through nginx", base), (f"one instance ({port_b})", b.base)):
            crowd_players = [Player(200_000 + n + (0 if "two" in name else args.phones), rng.choice(units))
                             for n in range(args.phones)]
            stats, elapsed = asyncio.run(crowd(target, crowd_players, args.questions, 0.5))
            calls = sum(v for k, v in stats.items() if isinstance(k, int))
            print(f"  {name}: {args.phones} phones at once, {calls:,} requests in {elapsed:.1f} s = "
                  f"{calls / elapsed:.0f} req/s (load average {os.getloadavg()[0]:.2f})")
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(10)
        a.stop()
        b.stop()
    print("all checks passed" if not problems else f"{len(problems)} checks failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
