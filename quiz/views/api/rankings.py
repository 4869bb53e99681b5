"""Rankings in the JSON API: `/quizzes/<code>/leaderboard` and `/quizzes/<code>/unit-ranking`.

Both read `rankings.read` for the public, source "latest": the latest PUBLISHED snapshot when
there is one (what was announced, with its `published_at`); before the first publication the
live ranking with `published_at: null` — the same figures the public big-screen board shows.
Identities are always masked; no answer is ever in them.
"""
from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _

from ...errors import NotFoundError
from ...extensions import db
from ...models import Quiz
from ...services.rankings.read import PUBLIC, read
from ...services.rankings.rows import api_individual, api_unit
from . import bp

MAX_LIMIT = 500


def _quiz_or_404(code: str) -> Quiz:
    quiz = db.session.scalar(db.select(Quiz).filter_by(code=code.upper()))
    if quiz is None:
        raise NotFoundError(_("Không có đợt thi mã %(code)s.", code=code))
    return quiz


def _about(quiz: Quiz) -> dict:
    return {"code": quiz.code, "title": quiz.title}


def _limit() -> int:
    limit = request.args.get("limit", type=int)
    return MAX_LIMIT if limit is None or limit < 1 else min(limit, MAX_LIMIT)


def _reply(quiz: Quiz, reading, rows: list[dict]):
    # Read before the commit: after it, touching the snapshot would load its whole payload again.
    published_at, about = reading.published_at.isoformat() if reading.published_at else None, _about(quiz)
    provisional = reading.is_provisional
    db.session.commit()  # keeps the lazy finalisation of expired attempts done by the ranking
    return jsonify(quiz=about, provisional=provisional, published_at=published_at, rows=rows)


@bp.get("/quizzes/<code>/leaderboard")
def leaderboard(code: str):
    quiz = _quiz_or_404(code)
    reading = read(quiz=quiz, audience=PUBLIC, source="latest", limit=_limit(), with_units=False)
    return _reply(quiz, reading, [api_individual(r) for r in reading.individuals])


@bp.get("/quizzes/<code>/unit-ranking")
def unit_ranking(code: str):
    quiz = _quiz_or_404(code)
    reading = read(quiz=quiz, audience=PUBLIC, source="latest", parent=request.args.get("parent") or None)
    return _reply(quiz, reading, [api_unit(r) for r in reading.units])
