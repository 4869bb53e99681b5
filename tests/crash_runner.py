"""Kill the server while participants answer, restart it, and prove nothing acknowledged was lost.

Used by tests/test_crash.py (both database legs); reusable on its own:

    .venv/bin/python -m tests.crash_runner DATABASE_URL QUIZ_CODE [--participants 40]

`CrashRun` serves the app with the README's gunicorn settings in its own process group, plays
participants through the JSON API from client threads (recording every save answered 2xx),
SIGKILLs the whole group mid-load, restarts it, and then checks and resumes each participant.
"""
from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(method: str, url: str, body: dict | None = None, timeout: float = 10) -> tuple[int, dict | None]:
    """(status, JSON body); status 0 when the connection failed (server dead or restarting)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as error:
        try:
            return error.code, json.loads(error.read() or b"null")
        except (OSError, ValueError, http.client.HTTPException):
            return error.code, None
    except (OSError, ValueError, http.client.HTTPException):  # refused, reset, cut mid-body
        return 0, None


@dataclass
class Participant:
    n: int
    unit_code: str
    token: str | None = None
    questions: list = field(default_factory=list)
    acked: dict = field(default_factory=dict)     # question id -> option ids answered 2xx
    in_doubt: set = field(default_factory=set)    # question ids whose last save got no reply


class CrashRun:
    def __init__(self, database_url: str, quiz_code: str, unit_codes: list[str], *, log_dir: Path):
        self.database_url, self.code, self.units = database_url, quiz_code, unit_codes
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_dir = log_dir
        self.proc: subprocess.Popen | None = None
        self.rng = random.Random(10)

    # --- the server -------------------------------------------------------------------------------
    def start_server(self) -> None:
        log = self.log_dir / f"gunicorn-{time.monotonic_ns()}.log"
        env = {**os.environ, "DATABASE_URL": self.database_url, "SECRET_KEY": "crash-test",
               "QUIZ_RATELIMIT_ENABLED": "0", "QUIZ_BASE_URL": self.base}  # wsgi.py is production
        with open(log, "wb") as out:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(
                [GUNICORN, "--workers", "2", "--threads", "8", "--bind", f"127.0.0.1:{self.port}", "wsgi:app"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}: see {log}")
            if call("GET", f"{self.base}/api/v1/quizzes/{self.code}", timeout=2)[0] == 200:
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start: see {log}")

    def kill_server(self) -> None:
        """SIGKILL the master and every worker at once: no shutdown code runs, as in a crash."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop_server(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)

    # --- participants ------------------------------------------------------------------------------
    def start_attempt(self, p: Participant) -> bool:
        status, body = call("POST", f"{self.base}/api/v1/quizzes/{self.code}/attempts",
                            {"full_name": f"Người thử sập {p.n}", "unit_code": p.unit_code,
                             "identity": f"08{p.n:08d}", "consent": True})
        if status in (200, 201):
            p.token, p.questions = body["attempt_id"], body["questions"]
            return True
        return False

    def save(self, p: Participant, question: dict, rng: random.Random) -> bool:
        ids = [o["id"] for o in question["options"]]
        picked = rng.sample(ids, rng.randint(1, len(ids))) if question["kind"] == "multiple" else [rng.choice(ids)]
        status, _body = call("PUT", f"{self.base}/api/v1/attempts/{p.token}/answers/{question['id']}",
                             {"option_ids": picked})
        if 200 <= status < 300:
            p.acked[question["id"]] = picked
            p.in_doubt.discard(question["id"])
            return True
        p.in_doubt.add(question["id"])
        return False

    def play_until(self, players: list[Participant], stop: threading.Event, threads: int = 8) -> None:
        """Client threads answer (and change) answers over and over until `stop` or the server dies."""
        def worker(mine: list[Participant], seed: int):
            rng = random.Random(seed)
            while not stop.is_set():
                p = rng.choice(mine)
                if p.token is None:
                    if not self.start_attempt(p):
                        time.sleep(0.05)
                    continue
                if not self.save(p, rng.choice(p.questions), rng):
                    time.sleep(0.05)
        pool = [threading.Thread(target=worker, args=(players[i::threads], i)) for i in range(threads)]
        for thread in pool:
            thread.start()
        self._pool = pool

    def join_clients(self) -> None:
        for thread in self._pool:
            thread.join(30)

    def resume_and_finish(self, p: Participant) -> dict:
        """After the restart: the attempt shows every acknowledged answer and time left; finish it."""
        if p.token is None:
            assert self.start_attempt(p), "a participant could not start after the restart"
        status, state = call("GET", f"{self.base}/api/v1/attempts/{p.token}")
        assert status == 200 and state["state"] == "in_progress", (status, state)
        assert state["remaining_s"] > 0
        for question_id, picked in p.acked.items():
            if question_id not in p.in_doubt:
                assert sorted(state["answers"][str(question_id)]) == sorted(picked), (p.n, question_id)
        rng = random.Random(p.n)
        for question in p.questions:
            assert self.save(p, question, rng), "a save failed after the restart"
        status, result = call("POST", f"{self.base}/api/v1/attempts/{p.token}/submit")
        assert status == 200 and result["max_score"] == len(p.questions), (status, result)
        return result


if __name__ == "__main__":  # pragma: no cover - manual use
    import argparse
    import tempfile

    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    parser.add_argument("quiz_code")
    parser.add_argument("--unit", action="append", required=True)
    parser.add_argument("--participants", type=int, default=40)
    args = parser.parse_args()
    run = CrashRun(args.database_url, args.quiz_code, args.unit, log_dir=Path(tempfile.mkdtemp()))
    people = [Participant(n, args.unit[n % len(args.unit)]) for n in range(args.participants)]
    run.start_server()
    stop = threading.Event()
    run.play_until(people, stop)
    time.sleep(3)
    run.kill_server()
    stop.set()
    run.join_clients()
    run.start_server()
    try:
        for person in people:
            run.resume_and_finish(person)
    finally:
        run.stop_server()
    print(f"{sum(len(p.acked) for p in people)} acknowledged answers found again; {len(people)} participants "
          "resumed and submitted")
