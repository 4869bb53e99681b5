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
"""
from __future__ import annotations

import logging
import threading

from flask import Flask, current_app, g, request

from .errors import BusyError

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
    return max(1, int(engine_options.get("pool_size", 5)) - 1)


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


def _admit() -> None:
    state = current_app.extensions["admission"]
    endpoint = request.url_rule.endpoint if request.url_rule is not None else None
    rule = state["guarded"].get(endpoint)
    if rule is None or request.method not in rule[1]:
        return
    # The body is read before a slot is taken: a client trickling its body byte by byte must not
    # hold one of the few slots (nginx buffers bodies anyway; gunicorn alone does not). Forms and
    # JSON are parsed later from this cached copy.
    request.get_data(cache=True)
    gate = state["gates"][rule[0]]
    if not gate.enter():
        from . import metrics  # late: metrics imports nothing of ours, but keep the layers obvious
        metrics.ADMISSIONS_REFUSED.labels(endpoint).inc()
        raise BusyError(retry_after=int(current_app.config.get("QUIZ_ADMISSION_RETRY_S") or 3))
    g.admission_gate = gate


def _release(_error=None) -> None:
    gate = g.pop("admission_gate", None)
    if gate is not None:
        gate.leave()
