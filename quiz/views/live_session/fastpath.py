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
within that bound on every server; a host action handled by this process updates it at once.
Both the version and the document are the service's (services.live_session.board), asked for by
function, never by cache key: this module only speaks HTTP.
"""
from __future__ import annotations

import re

from flask import Flask

from ... import clock
from ...headers import app_security_headers
from ...services import live_session

STATE_PATH = re.compile(r"^/api/v1/live/(\d{1,9})/state$")  # longer ids: Flask routes them (404)


def _etags(header: str) -> list[str]:
    return [tag.strip().removeprefix("W/").strip('"') for tag in header.split(",")]


class LiveStateFastPath:
    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET":
            match = STATE_PATH.match(environ.get("PATH_INFO", ""))
            if match:
                return self.state(int(match.group(1)), environ, start_response)
        return self.wsgi_app(environ, start_response)

    def state(self, session_id: int, environ, start_response):
        version = live_session.recent_version(self.app, session_id)
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
        # built it for this version, serve it from here too.
        body = live_session.kept_document(self.app, session_id, version)
        if body is not None:
            start_response("200 OK", headers + [("Content-Type", "application/json"),
                                                ("Content-Length", str(len(body)))])
            return [body]
        return self.wsgi_app(environ, start_response)
