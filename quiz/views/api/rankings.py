"""Rankings in the JSON API: `/quizzes/<code>/leaderboard` and `/quizzes/<code>/unit-ranking`.

Both read `rankings.read` for the public, source "latest": the latest PUBLISHED snapshot when
there is one (what was announced, with its `published_at`); before the first publication the
live ranking with `published_at: null` — the same figures the public big-screen board shows.
Identities are always masked; no answer is ever in them.
"""
from __future__ import annotations

from flask import jsonify, request

from ...models import Quiz
from ...services.rankings.read import PUBLIC, read
from ...services.rankings.rows import api_individual, api_unit
from ..access import get_quiz_or_404
from . import bp

MAX_LIMIT = 500


def _about(quiz: Quiz) -> dict:
    return {"code": quiz.code, "title": quiz.title}


def _limit() -> int:
    limit = request.args.get("limit", type=int)
    return MAX_LIMIT if limit is None or limit < 1 else min(limit, MAX_LIMIT)


def _reply(quiz: Quiz, reading, rows: list[dict]):
    published_at = reading.published_at.isoformat() if reading.published_at else None
    return jsonify(quiz=_about(quiz), provisional=reading.is_provisional, published_at=published_at, rows=rows)


@bp.get("/quizzes/<code>/leaderboard")
def leaderboard(code: str):
    quiz = get_quiz_or_404(code)
    reading = read(quiz=quiz, audience=PUBLIC, source="latest", limit=_limit(), with_units=False)
    return _reply(quiz, reading, [api_individual(r) for r in reading.individuals])


@bp.get("/quizzes/<code>/unit-ranking")
def unit_ranking(code: str):
    quiz = get_quiz_or_404(code)
    reading = read(quiz=quiz, audience=PUBLIC, source="latest", parent=request.args.get("parent") or None)
    return _reply(quiz, reading, [api_unit(r) for r in reading.units])
