"""Printable A4 QR posters: one for the quiz, and one per unit in a single document."""
from flask import render_template

from ...services import qr
from ...services.units import units_in_tree_order
from ..access import managed_quiz_or_abort, roles_required
from ..qr import join_base_url
from . import bp


def _poster(quiz, unit=None) -> dict:
    url = qr.join_url(join_base_url(), quiz.code, unit.code if unit else None)
    return {"unit": unit, "url": url, "short_url": qr.short_url(url), "svg": qr.qr_svg_inline(url)}


@bp.get("/quizzes/<code>/posters")
@roles_required("admin", "organizer")
def quiz_posters(code: str):
    quiz = managed_quiz_or_abort(code)
    return render_template("admin/posters.html", quiz=quiz, posters=[_poster(quiz)], per_unit=False)


@bp.get("/quizzes/<code>/posters/units")
@roles_required("admin", "organizer")
def quiz_unit_posters(code: str):
    quiz = managed_quiz_or_abort(code)
    posters = [_poster(quiz, unit) for unit in units_in_tree_order()]
    return render_template("admin/posters.html", quiz=quiz, posters=posters, per_unit=True)
