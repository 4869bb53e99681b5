"""`/api/v1/attempts/<attempt_id>`: state, saving answers one by one, submitting."""
from __future__ import annotations

from flask import jsonify

from ... import clock
from ...database import commit_keeping_loaded
from ...extensions import db
from ...services import attempt_data, attempts
from . import bp
from .common import json_object


@bp.get("/attempts/<token>")
def attempt_state(token: str):
    now = clock.utcnow()
    attempt = attempts.get_attempt(token, now=now)
    body = attempt_data.attempt_state(attempt, now)
    if attempt.is_finished:
        body["result"] = attempt_data.result_data(attempt, standing=attempt_data.standing_of(attempt))
    return jsonify(body)


@bp.put("/attempts/<token>/answers/<int:question_id>")
def save_answer(token: str, question_id: int):
    now = clock.utcnow()
    body = json_object()
    target, mask = attempts.save_answer_retrying(token, question_id, body.get("option_ids"), now=now)
    # Built before the commit from what the save read, so nothing is read a second time.
    reply = attempt_data.saved_answer_reply(target, question_id, mask, now)
    db.session.commit()
    return jsonify(reply)


@bp.post("/attempts/<token>/submit")
def submit(token: str):
    now = clock.utcnow()
    attempt = attempts.submit_attempt(attempts.get_attempt(token, now=now, graph=False), now=now)
    commit_keeping_loaded()  # the reply reads the attempt just scored, not the database again
    attempts.ensure_submitted_in_time(attempt)
    return jsonify(attempt_data.result_data(attempt, standing=attempt_data.standing_of(attempt)))
