"""`/api/v1/quizzes/<code>`: public quiz info, and starting or resuming an attempt."""
from __future__ import annotations

from flask import jsonify

from ... import clock
from ...database import commit_keeping_loaded
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
    # The reply is built from what the start holds (the drawn questions with their pool entries),
    # after a commit that keeps them loaded: not under SQLite's write lock, and nothing read again.
    commit_keeping_loaded()
    payload = attempt_data.started_payload(attempt, now)
    code, token = quiz.code, attempt.token
    response = jsonify(payload)
    response.status_code = 201 if created else 200
    return remember_token(response, code, token)
