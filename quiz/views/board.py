"""The big-screen board (`/board/<code>`) for a projector, and the small JSON it polls.

Default source is the live ranking (for the hall during the event); `?source=published`
shows the latest published snapshot instead.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from ..extensions import db

from ..services import results
from .access import get_quiz_or_404

bp = Blueprint("board", __name__, url_prefix="/board")
REFRESH_MS = 4000


def _source() -> str:
    return "published" if request.args.get("source") == "published" else "live"


@bp.get("/<code>")
def show(code: str):
    quiz = get_quiz_or_404(code)
    return render_template("board/show.html", quiz=quiz, data=results.board_data(quiz, source=_source()),
                           refresh_ms=REFRESH_MS)


@bp.get("/<code>/data.json")
def data(code: str):
    quiz = get_quiz_or_404(code)
    response = jsonify(results.board_data(quiz, source=_source()))
    db.session.commit()  # keeps the lazy finalisation of expired attempts done by the ranking
    response.headers["Cache-Control"] = "no-store"
    return response
