"""The synchronised start: thousands of phones press "Bắt đầu" within a few seconds, as after the
morning meeting, then answer and submit — through the same pages and calls a phone makes.

    .venv/bin/python bench/rush.py                                  # SQLite, 3,000 phones in 10 s
    .venv/bin/python bench/rush.py --database-url postgresql://postgres@127.0.0.1:5432/bench_rush
    .venv/bin/python bench/rush.py --phones 3000 --window 10 --answers 3 --admission -1

Each phone, at a random moment of the window: opens the join page (GET /j/LOAD?u=…, its CSRF
token and session cookie), posts the registration form (POST /j/LOAD → 302), opens the attempt
page (GET /a/<token>), saves `--answers` answers through the JSON API (PUT, as play.js does) and
posts the submit form (POST /a/<token>/submit → 302), with a short pause between actions. A 503
with Retry-After (admission control, or a busy database) is what the phone's page waits out by
itself (the Retry-After stretched at random up to twice, static/js/play.js) and sends again; it is
counted as a refusal, not an error. Anything else — a 500, another 4xx, a timeout (60 s), a reset
— is an error page on a phone.

It prints per step the latency the participant sees (from the first try to the answer, waits
included), the refusals, the starts completed per second while saturated (the start capacity),
the arrival rate as a multiple of it, and then checks the database as bench/load.py does: every
acknowledged answer stored with its choice, every attempt finalised, nothing twice.
A PostgreSQL database given with --database-url is DROPPED and recreated: use a scratch name.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]

import load  # noqa: E402  (seeding, gunicorn, the recorder and the database check)
from load import LOAD_CODE, Player, Recorder, Server  # noqa: E402

from quiz.config import database_url  # noqa: E402

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
QUESTION = re.compile(r'<form class="q".*?data-qid="(\d+)".*?</form>', re.S)
OPTION = re.compile(r'name="option" value="(\d+)"')


class Phone:
    """One participant's phone: its own cookies, the pages it was given, what the server acknowledged."""

    def __init__(self, player: Player, connector, rec: Recorder, base: str, rng: random.Random):
        self.p, self.rec, self.base, self.rng = player, rec, base, rng
        self.session = aiohttp.ClientSession(connector=connector, connector_owner=False,
                                             cookie_jar=aiohttp.CookieJar(unsafe=True),
                                             timeout=aiohttp.ClientTimeout(total=60))
        self.started_at: float | None = None
        self.start_done: float | None = None

    async def page(self, name: str, method: str, path: str, ok=(200,), **kw) -> str | None:
        body = await self.rec.call(self.session, name, method, self.base + path, ok=ok, allow_redirects=False, **kw)
        if body is None:
            return None
        return body.decode() if isinstance(body, bytes) else ""

    async def run(self, think: float) -> None:
        try:
            join = await self.page("join page", "GET", f"/j/{LOAD_CODE}?u={self.p.unit_code}")
            if join is None:
                return
            token = CSRF.search(join).group(1)
            form = {"csrf_token": token, "full_name": f"Người thi cao điểm {self.p.n}", "unit_code": self.p.unit_code,
                    "identity": f"08{self.p.n:08d}", "consent": "y", "birth_year": "", "position": ""}
            await asyncio.sleep(self.rng.uniform(0, think))  # typing
            self.started_at = time.perf_counter()
            started = await self.rec.call(self.session, "start (form post)", "POST", f"{self.base}/j/{LOAD_CODE}",
                                          ok=(302,), data=form, allow_redirects=False)
            if started is None:
                return
            self.start_done = time.perf_counter()
            self.p.token = started.rsplit("/", 1)[1].split("?")[0]
            html = await self.page("attempt page", "GET", f"/a/{self.p.token}")
            if html is None:
                return
            questions = [(int(m.group(1)), [int(o) for o in OPTION.findall(m.group(0))]) for m in QUESTION.finditer(html)]
            self.p.questions = questions
            for qid, options in questions[:ANSWERS]:
                await asyncio.sleep(self.rng.uniform(0, think))
                picked = [self.rng.choice(options)]
                body = await self.rec.call(self.session, "answer save", "PUT",
                                           f"{self.base}/api/v1/attempts/{self.p.token}/answers/{qid}",
                                           json={"option_ids": picked})
                if body is None:
                    self.p.unacked.add(qid)
                else:
                    self.p.acked[qid] = picked
            submit_token = CSRF.search(html).group(1)
            await asyncio.sleep(self.rng.uniform(0, think))
            self.p.submitted = await self.rec.call(
                self.session, "submit (form post)", "POST", f"{self.base}/a/{self.p.token}/submit", ok=(302,),
                data={"csrf_token": submit_token}, allow_redirects=False) is not None
        finally:
            await self.session.close()


ANSWERS = 3


async def rush(args, app: Server, players: list[Player]) -> tuple[Recorder, float, list["Phone"]]:
    rec = Recorder()
    rng = random.Random(11)
    connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=1)
    began = time.perf_counter()
    phones = [Phone(p, connector, rec, app.base, random.Random(p.n)) for p in players]
    moments = sorted(rng.uniform(0, args.window) for _ in phones)

    async def at(moment: float, phone: Phone):
        await asyncio.sleep(max(0.0, began + moment - time.perf_counter()))
        await phone.run(args.think)
    await asyncio.gather(*(at(m, phone) for m, phone in zip(moments, phones)))
    elapsed = time.perf_counter() - began
    await connector.close()
    return rec, elapsed, phones, began


def main() -> int:
    global ANSWERS
    parser = argparse.ArgumentParser(description="The synchronised start (see the module docstring).")
    parser.add_argument("--database-url", help="postgresql://… (dropped and recreated); default: a fresh SQLite file")
    parser.add_argument("--phones", type=int, default=3000)
    parser.add_argument("--window", type=float, default=10, help="seconds in which every phone presses Bắt đầu")
    parser.add_argument("--answers", type=int, default=3, help="answers each phone saves before submitting")
    parser.add_argument("--think", type=float, default=1.0, help="a phone's pause before each action, 0..this s")
    parser.add_argument("--admission", type=int, default=-1, metavar="N",
                        help="QUIZ_ADMISSION_START/SUBMIT per worker (-1: the app's default; 0: off)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--nginx", type=int, metavar="PORT",
                        help="put nginx (/usr/sbin/nginx) on this port in front, stamping X-Request-Start, as the "
                             "README deploys it (the queue-time limit, QUIZ_ADMISSION_QUEUE_S, then applies)")
    args = parser.parse_args()
    ANSWERS = args.answers
    folder = tempfile.mkdtemp(prefix="bench-rush-")
    if args.database_url:
        url = database_url(args.database_url, folder)
        load.fresh_postgres(url)
        label = "PostgreSQL"
    else:
        url = f"sqlite:///{folder}/bench.db"
        label = "SQLite (WAL, synchronous=NORMAL)"
    load.seed(url, 2000, 10)
    env = {"DATABASE_URL": url, "SECRET_KEY": "bench-secret", "QUIZ_RATELIMIT_ENABLED": "0",
           "QUIZ_BASE_URL": "http://127.0.0.1"}
    if args.admission >= 0:
        env["QUIZ_ADMISSION_START"] = env["QUIZ_ADMISSION_SUBMIT"] = str(args.admission)
    load.GUNICORN[2] = str(args.workers)
    if args.nginx:
        env["QUIZ_TRUSTED_PROXIES"] = "1"
    app = Server("wsgi:app", env)
    nginx = None
    load_before = os.getloadavg()
    try:
        app.wait(f"/j/{LOAD_CODE}")
        if args.nginx:
            from two_servers import NGINX, NGINX_CONF
            conf = Path(folder) / "nginx.conf"
            conf.write_text(NGINX_CONF.format(folder=folder, port_a=app.port, port_b=app.port, listen=args.nginx)
                            .replace(f"server 127.0.0.1:{app.port} max_fails=3 fail_timeout=10s;\n", "", 1))
            nginx = subprocess.Popen([NGINX, "-c", str(conf), "-p", folder, "-g", "daemon off;"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1)
            app.base = f"http://127.0.0.1:{args.nginx}"
        units = load._ward_codes(url)
        rng = random.Random(5)
        players = [Player(n, rng.choice(units)) for n in range(args.phones)]
        cpu0 = app.cpu_seconds()
        rec, elapsed, phones, began = asyncio.run(rush(args, app, players))
        cpu = app.cpu_seconds() - cpu0
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(10)
        app.stop()
    load_after = os.getloadavg()
    print(f"\n== {label}: {args.phones:,} phones press \"Bắt đầu\" within {args.window:.0f} s, then "
          f"{args.answers} answers and a submit each; gunicorn --workers {args.workers} --threads 8, admission "
          f"{'default' if args.admission < 0 else args.admission or 'off'}"
          f"{', behind nginx (queue-time limit on)' if args.nginx else ', no proxy'}; {os.cpu_count()} CPUs")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (the machine is shared)")
    print(f"{'step':<22}{'done':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'503 waited':>11}{'errors':>8}")
    errors = 0
    for name, st in rec.stats.items():
        errors += st.errors
        print(f"{name:<22}{len(st.latencies):>7,}{st.pct(50):>9.0f}{st.pct(95):>9.0f}{st.pct(99):>9.0f}"
              f"{(max(st.latencies) * 1000 if st.latencies else 0):>9.0f}{st.busy:>11,}{st.errors:>8}")
        if st.statuses:
            print(f"{'':<22}errors by status: {st.statuses}")
    starts = rec.stats.get("start (form post)")
    arrival = args.phones / args.window
    print(f"\nwhole run {elapsed:.1f} s, server CPU {cpu:.0f} s ({100 * cpu / elapsed:.0f} % of one core)")
    done = sorted(p.start_done - began for p in phones if p.start_done)
    if done:
        # Capacity: the starts completed per second over the span in which they completed while
        # the rush lasted (first press to last start answered).
        capacity = len(done) / done[-1]
        print(f"starts: pressed at {arrival:.0f}/s for {args.window:.0f} s; the last answered {done[-1]:.1f} s after "
              f"the first press: {capacity:.0f} starts/s completed → the rush came at {arrival / capacity:.1f} × "
              f"what was served (and the server also served the saves and submits meanwhile)")
    problems = load.verify(url, players)
    all_started = sum(1 for p in players if p.token) == args.phones
    submitted = sum(1 for p in players if p.submitted)
    print(f"{'✓' if all_started else '✗'} started {sum(1 for p in players if p.token):,} of {args.phones:,}; "
          f"submitted {submitted:,}; {errors} error pages")
    p99_ok = bool(starts and starts.latencies and starts.pct(99) <= 2000)
    print(f"{'✓' if p99_ok else '✗'} start p99 {starts.pct(99) if starts else float('nan'):.0f} ms (target ≤ 2000 ms, "
          f"waits for a 503 included)")
    for problem in problems:
        print(f"  ✗ {problem}")
    if not problems:
        print("  ✓ database: every acknowledged answer stored with its choice, every attempt finalised, nothing twice")
    return 1 if problems or errors or not all_started else 0


if __name__ == "__main__":
    sys.exit(main())
