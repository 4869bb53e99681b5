"""Rankings in the JSON API: `/quizzes/<code>/leaderboard` and `/quizzes/<code>/unit-ranking`.

Both return the latest PUBLISHED snapshot when there is one (what was announced, with its
`published_at`); before the first publication they return the live ranking with
`published_at: null` and `provisional: true` — the same figures the public big-screen board shows.
Identities are always masked.
"""
from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _

from ...errors import NotFoundError
from ...extensions import db
from ...models import Quiz
from ...services import live_ranking, publishing, ranking
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


@bp.get("/quizzes/<code>/leaderboard")
def leaderboard(code: str):
    quiz = _quiz_or_404(code)
    limit = _limit()
    snapshot = publishing.get_snapshot(quiz=quiz)
    if snapshot is not None:
        rows, provisional = publishing.snapshot_payload(snapshot)["individuals"][:limit], snapshot.is_provisional
    else:
        rows = [publishing.individual_json(r) for r in ranking.individual_ranking(quiz, limit=limit)]
        provisional = ranking.is_provisional(quiz)
    # Read before the commit: after it, touching the snapshot would load its whole payload again.
    published_at, about = snapshot.published_at.isoformat() if snapshot else None, _about(quiz)
    db.session.commit()  # keeps the lazy finalisation of expired attempts done by the ranking
    return jsonify(quiz=about, provisional=provisional, published_at=published_at,
                   rows=[_leader(r) for r in rows])


@bp.get("/quizzes/<code>/unit-ranking")
def unit_ranking(code: str):
    quiz = _quiz_or_404(code)
    parent = request.args.get("parent") or None
    snapshot = publishing.get_snapshot(quiz=quiz)
    if snapshot is not None:
        rows, provisional = publishing.snapshot_payload(snapshot)["units"].get(parent or "", []), snapshot.is_provisional
    else:
        rows = [publishing.unit_json(r) for r in live_ranking.unit_ranking(quiz, parent_code=parent)]
        provisional = live_ranking.is_provisional(quiz)
    published_at, about = snapshot.published_at.isoformat() if snapshot else None, _about(quiz)
    db.session.commit()
    return jsonify(quiz=about, provisional=provisional, published_at=published_at,
                   rows=[_unit(r) for r in rows])
