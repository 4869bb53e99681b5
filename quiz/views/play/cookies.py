"""The cookie that lets the same phone find its attempt again (one per quiz)."""
from __future__ import annotations

from flask import current_app, request

from ...models import Attempt

MAX_AGE_S = 45 * 24 * 3600


def cookie_name(quiz_code: str) -> str:
    return f"tds_{quiz_code.upper()}"


def remembered_token(quiz_code: str) -> str | None:
    return request.cookies.get(cookie_name(quiz_code))


def remember_attempt(response, attempt: Attempt):
    """Keep the token per quiz: httponly (no script reads it), SameSite=Lax, only over HTTPS in prod."""
    return remember_token(response, attempt.quiz.code, attempt.token)


def remember_token(response, quiz_code: str, token: str):
    """`remember_attempt` from values read before a commit (nothing is loaded again)."""
    response.set_cookie(cookie_name(quiz_code), token, max_age=MAX_AGE_S, httponly=True,
                        samesite="Lax", secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response
