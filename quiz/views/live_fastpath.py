"""The hot path of a live session, in front of Flask: an unchanged-state poll answered with 304.

Hundreds of phones ask `GET /api/v1/live/<id>/state` with `If-None-Match` twice a second; nearly
every answer is "nothing changed". Going through Flask for that (request context, session cookie,
routing, teardown) costs several times the work of the answer itself, so this WSGI middleware
answers it first: when the ETag the phone holds names the session's current version, it returns
a bodyless 304 without entering Flask. Everything else (a changed state, a first poll, any other
URL) goes on to Flask unchanged, except that once Flask has built the document of the current
version, the next phones get it from here as well (a 200 with the same ETag).

The version comes from the database (the truth shared by several app servers) and is kept in
this process for at most `LIVE_VERSION_TTL_MS` (default 150 ms), so a state change is seen
within that bound on every server; a host action handled by this process updates it at once
(`remember_version`).
"""
from __future__ import annotations

import re
import threading
import time

from flask import Flask

from .. import clock
from ..extensions import db
from ..headers import app_security_headers
from ..models import LiveSession

STATE_PATH = re.compile(r"^/api/v1/live/(\d{1,9})/state$")  # longer ids: Flask routes them (404)


def _versions(app: Flask) -> dict:
    return app.extensions.setdefault("live_versions", {})


def remember_version(app: Flask, session_id: int, version: int) -> None:
    _versions(app)[session_id] = (version, time.monotonic())


def _etags(header: str) -> list[str]:
    return [tag.strip().removeprefix("W/").strip('"') for tag in header.split(",")]


class LiveStateFastPath:
    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.lock = threading.Lock()

    def version(self, session_id: int) -> int | None:
        ttl = self.app.config.get("LIVE_VERSION_TTL_MS", 150) / 1000
        versions = _versions(self.app)
        hit = versions.get(session_id)
        if hit is not None and time.monotonic() - hit[1] < ttl:
            return hit[0]
        with self.lock:  # one thread refreshes; the others wait a moment instead of all querying
            hit = versions.get(session_id)
            if hit is not None and time.monotonic() - hit[1] < ttl:
                return hit[0]
            with self.app.app_context():
                version = db.session.scalar(db.select(LiveSession.version).where(LiveSession.id == session_id))
            if version is not None:
                if len(versions) > 1000:
                    versions.clear()
                versions[session_id] = (version, time.monotonic())
            return version

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET":
            match = STATE_PATH.match(environ.get("PATH_INFO", ""))
            if match:
                return self.state(int(match.group(1)), environ, start_response)
        return self.wsgi_app(environ, start_response)

    def state(self, session_id: int, environ, start_response):
        version = self.version(session_id)
        if version is None:
            return self.wsgi_app(environ, start_response)  # Flask answers the 404
        headers = [("ETag", f'"v{version}"'), ("Cache-Control", "no-cache"),
                   ("X-Server-Time", str(int(clock.utcnow().timestamp() * 1000)))]
        headers += app_security_headers(self.app)  # answered before Flask: its after_request never runs
        held = environ.get("HTTP_IF_NONE_MATCH")
        if held and f"v{version}" in _etags(held):
            start_response("304 NOT MODIFIED", headers)
            return [b""]
        # A changed state: hundreds of phones want the same new document at once. Once Flask has
        # built it for this version (services.live_board keeps it), serve it from here too.
        cached = self.app.extensions.get("live_state", {}).get(session_id)
        if cached is not None and cached[0] == version:
            body = cached[1]
            start_response("200 OK", headers + [("Content-Type", "application/json"),
                                                ("Content-Length", str(len(body)))])
            return [body]
        return self.wsgi_app(environ, start_response)
