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
from ..access import get_quiz_or_404
from . import bp

MAX_LIMIT = 500


def _about(quiz: Quiz) -> dict:
    return {"code": quiz.code, "title": quiz.title}


def _limit() -> int:
    limit = request.args.get("limit", type=int)
    return MAX_LIMIT if limit is None or limit < 1 else min(limit, MAX_LIMIT)


def _number(value: str | None) -> float | None:
    # Snapshots keep exact decimal strings; the API speaks numbers, as the submit result does.
    return None if value is None else float(value)


def _leader(row: dict) -> dict:
    return {
        "rank": row["rank"], "full_name": row["full_name"], "identity": row["identity"],
        "unit_code": row["unit_code"], "unit_name": row["unit_name"], "correct_count": row["correct_count"],
        "score": row["score"], "max_score": row["max_score"], "score_pct": row["score_pct"],
        "prediction": _number(row["prediction"]), "prediction_error": _number(row["prediction_error"]),
        "duration_s": round(row["duration_ms"] / 1000, 2), "submitted_at": row["submitted_at"],
    }


def _unit(row: dict) -> dict:
    keys = ("rank", "code", "name", "parent_code", "headcount", "participants", "participation_rate",
            "mean_score_pct", "emulation_score", "is_flagged")
    return {k: row[k] for k in keys}


def _reply(quiz: Quiz, reading, rows: list[dict]):
    published_at = reading.published_at.isoformat() if reading.published_at else None
    return jsonify(quiz=_about(quiz), provisional=reading.is_provisional, published_at=published_at, rows=rows)


@bp.get("/quizzes/<code>/leaderboard")
def leaderboard(code: str):
    quiz = get_quiz_or_404(code)
    reading = read(quiz=quiz, audience=PUBLIC, source="latest", limit=_limit())
    return _reply(quiz, reading, [_leader(r) for r in reading.individuals])


@bp.get("/quizzes/<code>/unit-ranking")
def unit_ranking(code: str):
    quiz = get_quiz_or_404(code)
    reading = read(quiz=quiz, audience=PUBLIC, source="latest", parent=request.args.get("parent") or None)
    return _reply(quiz, reading, [_unit(r) for r in reading.units])
