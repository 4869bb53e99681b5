"""Prometheus metrics for the operator on the event day, served at `/metrics`.

What is measured, and why this way:
- every request Flask answers, by endpoint name (never the raw path: tokens and codes would make a
  series per participant), method and status — the request rate, the errors (5xx) and the latency;
- the participant events the day is judged by, read from the endpoint and the status it answered
  (see EVENTS), so no business rule has to know about monitoring: attempts started and resumed,
  submits accepted, answers saved, and requests refused for load (429 from the rate limits, 503);
- admissions refused by endpoint (quiz/admission.py) and requests the database was too busy for
  (a lock wait ran out: quiz/errors.py), the two signs that the rush is above capacity.
The live session's unchanged-state polls are answered before Flask (quiz/views/live_session/fastpath.py)
and are not counted here; nginx's access log has them.

Several gunicorn workers: set `PROMETHEUS_MULTIPROC_DIR` to an empty folder writable by the app
before it starts (prometheus_client's multiprocess mode); `/metrics` then adds up every worker.

Who may read it: the loopback address (Prometheus on the same host scraping gunicorn directly), or
anyone sending `Authorization: Bearer <QUIZ_METRICS_TOKEN>`. A request a proxy forwarded (nginx on
the same host: it comes from 127.0.0.1 too, and says so in its forwarding headers) is not a local
one and needs the token. Everybody else gets a 404: the figures are harmless, but an unlisted
endpoint need not advertise itself.
"""
from __future__ import annotations

import hmac
import os
import time

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

REQUESTS = Counter("thiduaso_http_requests_total", "Requests answered by Flask",
                   ["endpoint", "method", "status"])
LATENCY = Histogram("thiduaso_http_request_duration_seconds", "Time to answer a request",
                    ["endpoint"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10))
PARTICIPANT_EVENTS = Counter("thiduaso_participant_events_total",
                             "Attempts started/resumed, submits, answers saved, refusals for load",
                             ["event"])

ADMISSIONS_REFUSED = Counter("thiduaso_admissions_refused_total",
                             "Requests refused at once by admission control (quiz/admission.py): reason "
                             "in_flight (too many starts/submits at once) or queued (waited too long before the app)",
                             ["endpoint", "reason"])
DATABASE_BUSY = Counter("thiduaso_database_busy_total",
                        "Requests answered 503 because the database was busy (a lock wait ran out)",
                        ["endpoint"])

# (endpoint, method, status) → event. Statuses are those the views answer on success.
EVENTS = {
    ("api.start_attempt", "POST", 201): "attempt_started",
    ("api.start_attempt", "POST", 200): "attempt_resumed",
    ("play.join", "POST", 302): "attempt_started_or_resumed",  # the HTML form does not say which
    ("live.join", "POST", 302): "live_player_joined",
    ("api.submit", "POST", 200): "attempt_submitted",
    ("play.submit", "POST", 302): "attempt_submitted",
    ("api.save_answer", "PUT", 200): "answer_saved",
    ("play.answer", "POST", 302): "answer_saved",
    ("api.live_answer", "PUT", 200): "live_answer_saved",
    ("live.answer", "POST", 302): "live_answer_saved",
}
REFUSED_FOR_LOAD = {429, 503}
_WATCHED = {endpoint for endpoint, _method, _status in EVENTS}


def init_app(app: Flask) -> None:
    app.before_request(_start_timer)
    app.after_request(_count)
    app.add_url_rule("/metrics", "metrics", _metrics_view)


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _count(response: Response) -> Response:
    endpoint = request.url_rule.endpoint if request.url_rule is not None else "unmatched"
    if endpoint in {"metrics", "static"}:
        return response
    status = response.status_code
    REQUESTS.labels(endpoint, request.method, str(status)).inc()
    started = g.get("metrics_started")
    if started is not None:
        LATENCY.labels(endpoint).observe(time.perf_counter() - started)
    event = EVENTS.get((endpoint, request.method, status))
    if event is None and endpoint in _WATCHED and status in REFUSED_FOR_LOAD:
        event = "refused_for_load"
    if event is not None:
        PARTICIPANT_EVENTS.labels(event).inc()
    return response


FORWARDED_HEADERS = ("X-Forwarded-For", "X-Real-IP", "Forwarded")


def _allowed() -> bool:
    token = current_app.config.get("QUIZ_METRICS_TOKEN")
    sent = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        return True
    forwarded = any(name in request.headers for name in FORWARDED_HEADERS)
    return request.remote_addr in {"127.0.0.1", "::1"} and not forwarded


def _metrics_view() -> Response:
    if not _allowed():
        abort(404)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest()
    return Response(body, content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
