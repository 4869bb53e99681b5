"""`/api/v1/quizzes/<code>`: public quiz info, and starting or resuming an attempt."""
from __future__ import annotations

from flask import jsonify

from ... import clock
from ...extensions import db
from ...ratelimit import limit_start
from ...services import attempt_data, attempts
from ..access import get_quiz_or_404
from ..play.cookies import remember_token
from . import bp
from .common import json_object


@bp.get("/quizzes/<code>")
def quiz_info(code: str):
    quiz = get_quiz_or_404(code)
    return jsonify(attempt_data.quiz_info_with_units(quiz, clock.utcnow()))


@bp.post("/quizzes/<code>/attempts")
@limit_start
def start_attempt(code: str):
    quiz = get_quiz_or_404(code)
    now = clock.utcnow()
    attempt, created = attempts.start_attempt(quiz, json_object(), now=now)
    # Built before the commit, from the questions and options the draw has just loaded: after
    # the commit every one of them would be read again, one query each.
    payload = attempt_data.started_payload(attempt, now)
    code, token = quiz.code, attempt.token
    db.session.commit()
    response = jsonify(payload)
    response.status_code = 201 if created else 200
    return remember_token(response, code, token)
