"""`/api/v1/live/…`: the state phones and the host poll, a phone's own part, answering.

`GET /live/<session>/state` is the hot path (hundreds of phones, twice a second): one indexed read
of the session's version; the version is the ETag, so an unchanged state is a bodyless 304; the
document itself is built once per version per process (services.live_board). Every reply carries
`X-Server-Time` (ms since the epoch) so phones count down on the server's clock, not their own.
"""
from __future__ import annotations

from flask import Response, jsonify, request
from flask_babel import gettext as _

from ... import clock
from ...errors import NotFoundError
from ...extensions import db
from ...services import live_board, live_play
from . import bp
from .common import json_object


def server_time_header(response: Response) -> Response:
    response.headers["X-Server-Time"] = str(int(clock.utcnow().timestamp() * 1000))
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/live/<int:session_id>/state")
def live_state(session_id: int):
    version = live_board.current_version(session_id)
    if version is None:
        raise NotFoundError(_("Không tìm thấy phiên thi trực tiếp này."))
    etag = f"v{version}"
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        version, body, _doc = live_board.state_document(session_id, version)
        etag = f"v{version}"
        response = Response(body, mimetype="application/json")
    response.set_etag(etag)
    return server_time_header(response)


@bp.get("/live/players/<token>")
def live_player(token: str):
    attempt = live_play.get_player(token, with_participant=True)
    session = live_board.session_of(attempt)
    return server_time_header(jsonify(live_play.player_state(attempt, session)))


@bp.put("/live/players/<token>/answers/<int:question_id>")
def live_answer(token: str, question_id: int):
    body = json_object()
    answer = live_play.save_live_answer_retrying(token, question_id, body.get("option_ids"))
    reply = {"question_id": question_id, "saved": True, "elapsed_ms": answer.elapsed_ms}
    db.session.commit()
    return server_time_header(jsonify(reply))
