"""The big-screen board (`/board/<code>`) for a projector, and the small JSON it polls.

Default source is the live ranking (for the hall during the event); `?source=published`
shows the latest published snapshot instead.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, make_response, render_template, request

from ..cache import get_cache
from ..services import qr, results
from .access import get_quiz_or_404
from .qr import join_base_url, vary_on_host

bp = Blueprint("board", __name__, url_prefix="/board")
REFRESH_MS = 4000
DATA = "board"  # (quiz id, source) → its board data for two seconds (registered in create_app)


def _board_data(quiz) -> dict:
    """`results.board_data`, shared for a couple of seconds by every screen polling the board."""
    source = _source()
    return get_cache(DATA).get_or_set((quiz.id, source), lambda: results.board_data(quiz, source=source))


def _source() -> str:
    return "published" if request.args.get("source") == "published" else "current"


@bp.get("/<code>")
def show(code: str):
    quiz = get_quiz_or_404(code)
    return vary_on_host(make_response(render_template(
        "board/show.html", quiz=quiz, data=_board_data(quiz), refresh_ms=REFRESH_MS,
        join_url=qr.join_url(join_base_url(), quiz.code))))


@bp.get("/<code>/data.json")
def data(code: str):
    quiz = get_quiz_or_404(code)
    response = jsonify(_board_data(quiz))
    response.headers["Cache-Control"] = "no-store"
    return response
