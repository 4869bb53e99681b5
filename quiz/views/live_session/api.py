"""`/api/v1/live/…`: the state phones and the host poll, a phone's own part, answering.

`GET /live/<session>/state` is the hot path (hundreds of phones, twice a second): one indexed read
of the session's version; the version is the ETag, so an unchanged state is a bodyless 304; the
document itself is built once per version per process (services.live_session.board). Most polls
never get here: the fast path (fastpath.py) answers them before Flask. Every reply carries
`X-Server-Time` (ms since the epoch) so phones count down on the server's clock, not their own.
"""
from __future__ import annotations

from flask import Response, jsonify, request
from flask_babel import gettext as _

from ... import clock
from ...errors import NotFoundError
from ...extensions import db
from ...services import live_session
from ..api import bp
from ..api.common import json_object


def server_time_header(response: Response) -> Response:
    response.headers["X-Server-Time"] = str(int(clock.utcnow().timestamp() * 1000))
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/live/<int:session_id>/state")
def live_state(session_id: int):
    version = live_session.current_version(session_id)
    if version is None:
        raise NotFoundError(_("Không tìm thấy phiên thi trực tiếp này."))
    etag = f"v{version}"
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        version, body, _doc = live_session.state_document(session_id, version)
        etag = f"v{version}"
        response = Response(body, mimetype="application/json")
    response.set_etag(etag)
    return server_time_header(response)


@bp.get("/live/players/<token>")
def live_player(token: str):
    attempt = live_session.get_player(token, with_participant=True)
    session = live_session.session_of(attempt)
    return server_time_header(jsonify(live_session.player_state(attempt, session)))


@bp.put("/live/players/<token>/answers/<int:question_id>")
def live_answer(token: str, question_id: int):
    body = json_object()
    answer = live_session.save_live_answer_retrying(token, question_id, body.get("option_ids"))
    reply = {"question_id": question_id, "saved": True, "elapsed_ms": answer.elapsed_ms}
    db.session.commit()
    return server_time_header(jsonify(reply))


# --- OpenAPI: the live endpoints, added to the document served at /api/v1/openapi.json ----------

def _document() -> None:
    from ..api.openapi import BOOL, IMAGE, INT, SPEC, STR, _err, _json, _nullable, _obj, _ok

    session = {"name": "session_id", "in": "path", "required": True, "schema": INT}
    token = {"name": "attempt_id", "in": "path", "required": True, "schema": STR,
             "description": "the phone's attempt token (from joining at /live/<code>)"}
    question_id = {"name": "question_id", "in": "path", "required": True, "schema": INT}
    option = _obj(["id", "text", "letter", "shape"], {"id": INT, "text": STR, "letter": STR, "shape": STR,
                                                      "image": IMAGE})
    question = _obj(["id", "number", "text", "kind", "time_s", "options"], {
        "id": INT, "number": INT, "text": STR, "kind": STR, "time_s": INT, "image": IMAGE,
        "deadline_ms": _nullable(INT), "remaining_ms": _nullable(INT),
        "options": {"type": "array", "items": option},
        "correct_option_ids": {"type": "array", "items": INT, "description": "only once revealed"}})
    state = _obj(["session", "version", "state", "question_count", "index"], {
        "session": INT, "version": INT,
        "state": {"type": "string", "enum": ["lobby", "question", "reveal", "paused", "ended"]},
        "scoring": {"type": "string", "enum": ["correct_time", "speed"]},
        "unit_score": {"type": "string", "enum": ["mean", "sum"]},
        "question_count": INT, "index": INT, "question": question,
        "top": {"type": "array", "items": {"type": "object"}}, "units": {"type": "array", "items": {"type": "object"}},
        "distribution": {"type": "object", "additionalProperties": INT}})
    player = _obj(["attempt_id", "session", "version", "state", "full_name"], {
        "attempt_id": STR, "session": INT, "version": INT, "state": STR, "full_name": STR, "unit_name": STR,
        "answer": _nullable({"type": "object"}), "result": _nullable({"type": "object"})})
    SPEC["paths"].update({
        "/live/{session_id}/state": {"get": {
            "summary": "The live session's shared state; ETag = version, If-None-Match → 304 without a body",
            "parameters": [session],
            "responses": {"200": _ok("state", state), "304": {"description": "unchanged"},
                          "404": _err("unknown session")}}},
        "/live/players/{attempt_id}": {"get": {
            "summary": "One phone's own part: its answer to the current question, its result once revealed",
            "parameters": [token],
            "responses": {"200": _ok("player", player), "404": _err("unknown player")}}},
        "/live/players/{attempt_id}/answers/{question_id}": {"put": {
            "summary": "Answer the current question (once; the same answer again is an idempotent retry)",
            "parameters": [token, question_id],
            "requestBody": {"required": True, "content": _json(_obj(["option_ids"], {
                "option_ids": {"type": "array", "items": INT}}))},
            "responses": {"200": _ok("saved", _obj(["question_id", "saved"], {
                "question_id": INT, "saved": BOOL, "elapsed_ms": INT})),
                "400": _err("malformed JSON"), "404": _err("unknown player, or not the current question"),
                "409": _err("already answered differently, or paused"),
                "410": _err("the question's time is over, or the session ended"),
                "422": _err("invalid option ids")}}},
    })


_document()
