"""Admission control: a bounded number of attempt starts and submits in flight per worker process.

Why. On the big day everyone presses "Bắt đầu" after the morning meeting and "Nộp bài" before the
close. Beyond what the database commits per second, more requests in flight only make every one
of them slower, until phones time out with nothing but a spinner — and the threads they hold are
no longer free for the answer saves of the people already inside. So each worker admits at most
`QUIZ_ADMISSION_START` starts and `QUIZ_ADMISSION_SUBMIT` submits at a time; the next one gets,
at once, a 503 with `Retry-After` (the API: `{"error": {"code": "busy", …}}`; the phone: a page
saying "Đang đông, tự thử lại sau N giây" that re-sends the same form by itself, with jitter —
static/js/play.js). Nothing was done for a refused request, so re-sending it is always safe (a
submit is idempotent anyway: quiz.services.attempts.submit_attempt).

The bound counts requests inside the application, not in gunicorn's queue: keep it below the
worker's threads (`--threads`), so that a thread is always free to refuse quickly and to save
answers. The default is the database pool size minus one (SQLAlchemy's pool of 5 → 4), at least 1;
`0` turns the bound off for that kind.

Which endpoints are bounded is decided in one place, the factory (quiz/__init__.py): see GUARDED.

The bound cannot see the queue in front of the app: when far more phones arrive than the server
serves, requests wait in gunicorn's queue before any thread reads them, and past a minute the
phone gives up with an error of its own. So behind nginx (`QUIZ_TRUSTED_PROXIES` ≥ 1), which
stamps each request with the time it arrived (`proxy_set_header X-Request-Start "t=${msec}";`),
every participant request (the play, api and live blueprints) that waited longer than
`QUIZ_ADMISSION_QUEUE_S` (5 s; 0: off) is answered the same busy 503 at once, before any work:
the queue drains at the speed of refusing, and each phone comes back a few seconds later.
"""
from __future__ import annotations

import logging
import threading

from flask import Flask, current_app, g, request

from . import clock
from .errors import BusyError

QUEUE_SHED_BLUEPRINTS = frozenset({"play", "api", "live"})
MAX_BELIEVED_WAIT_S = 120  # a phone gave up long before; beyond it the clocks disagree
_skew_reported = threading.Event()
log = logging.getLogger(__name__)

# endpoint → (kind, methods). The join page's GET is cached and cheap; only its POST starts.
GUARDED: dict[str, tuple[str, frozenset[str]]] = {
    "play.join": ("start", frozenset({"POST"})),
    "api.start_attempt": ("start", frozenset({"POST"})),
    "play.submit": ("submit", frozenset({"POST"})),
    "api.submit": ("submit", frozenset({"POST"})),
}


class Gate:
    """At most `bound` holders at a time; `enter()` never waits."""

    def __init__(self, kind: str, bound: int):
        self.kind, self.bound = kind, bound
        self._lock = threading.Lock()
        self.in_flight = 0

    def enter(self) -> bool:
        with self._lock:
            if self.bound and self.in_flight >= self.bound:
                return False
            self.in_flight += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1


def default_bound(engine_options: dict) -> int:
    """Half the worker's pool (one connection per thread): starts and submits bounded together
    stay below the threads, so one is always free to save answers and to turn requests away."""
    return max(1, int(engine_options.get("pool_size", 8)) // 2)


def init_app(app: Flask, guarded: dict[str, tuple[str, frozenset[str]]] | None = None) -> None:
    config = app.config
    fallback = default_bound(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    gates = {kind: Gate(kind, fallback if config.get(key) is None else int(config[key]))
             for kind, key in (("start", "QUIZ_ADMISSION_START"), ("submit", "QUIZ_ADMISSION_SUBMIT"))}
    app.extensions["admission"] = {"gates": gates, "guarded": dict(GUARDED if guarded is None else guarded)}
    app.before_request(_admit)
    app.teardown_request(_release)


def gates(app: Flask | None = None) -> dict[str, Gate]:
    return (app or current_app).extensions["admission"]["gates"]


def queued_seconds() -> float | None:
    """How long this request waited before the app saw it, from nginx's X-Request-Start stamp
    (`t=<seconds since the epoch>`); None without a trusted proxy or a readable stamp."""
    if not current_app.config.get("QUIZ_TRUSTED_PROXIES"):
        return None  # without a proxy the header is the client's own
    raw = request.headers.get("X-Request-Start", "")
    try:
        arrived = float(raw.removeprefix("t="))
    except ValueError:
        return None
    waited = clock.utcnow().timestamp() - arrived
    if not -1 <= waited <= MAX_BELIEVED_WAIT_S:
        # nginx's clock and ours disagree (no NTP?), or the stamp is not nginx's: never refuse
        # everyone because of it, say so once.
        if not _skew_reported.is_set():
            _skew_reported.set()
            log.warning("X-Request-Start is %.1f s from this server's clock: queue-time shedding is not "
                        "applied (synchronise the clocks of nginx and the app servers)", waited)
        return None
    return waited


def _refuse(endpoint: str | None, reason: str) -> None:
    from . import metrics  # late: metrics imports nothing of ours, but keep the layers obvious
    metrics.ADMISSIONS_REFUSED.labels(endpoint or "unmatched", reason).inc()
    raise BusyError(retry_after=int(current_app.config.get("QUIZ_ADMISSION_RETRY_S") or 3))


def _admit() -> None:
    state = current_app.extensions["admission"]
    endpoint = request.url_rule.endpoint if request.url_rule is not None else None
    limit = current_app.config.get("QUIZ_ADMISSION_QUEUE_S")
    if limit and request.blueprint in QUEUE_SHED_BLUEPRINTS:
        waited = queued_seconds()
        if waited is not None and waited > limit:
            _refuse(endpoint, "queued")
    rule = state["guarded"].get(endpoint)
    if rule is None or request.method not in rule[1]:
        return
    # The body is read before a slot is taken: a client trickling its body byte by byte must not
    # hold one of the few slots (nginx buffers bodies anyway; gunicorn alone does not). Forms and
    # JSON are parsed later from this cached copy.
    request.get_data(cache=True)
    gate = state["gates"][rule[0]]
    if not gate.enter():
        _refuse(endpoint, "in_flight")
    g.admission_gate = gate


def _release(_error=None) -> None:
    gate = g.pop("admission_gate", None)
    if gate is not None:
        gate.leave()
