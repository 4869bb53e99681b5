"""Public results (`/r/<code>`, `/r/contest/<code>`): the latest PUBLISHED ranking only.

Before anything is published the page says so; the live ranking is for organizers (admin
console) and the big-screen board. Public exports also read the published snapshot.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext as _

from ..extensions import db
from ..models import Contest
from ..services import exports, results
from ..services.xlsx_report import write_xlsx
from . import int_arg
from ..ratelimit import limit_card
from .access import get_quiz_or_404
from .downloads import csv_table_response, xlsx_response
from .qr import card_response, new_card, public_url

bp = Blueprint("results", __name__, url_prefix="/r")
TOP = 20


def _version() -> int | None:
    return int_arg("v")


def _contest_or_404(code: str) -> Contest:
    contest = db.session.scalar(db.select(Contest).filter_by(code=code))
    if contest is None:
        abort(404)
    return contest


@bp.get("/<code>")
def quiz(code: str):
    quiz = get_quiz_or_404(code)
    data = results.published_results(quiz=quiz, version=_version(), parent=request.args.get("parent"), top=TOP)
    return render_template("results/show.html", scope="quiz", quiz=quiz, contest=quiz.contest,
                           title=quiz.title, code=quiz.code, data=data)


@bp.get("/contest/<code>")
def contest(code: str):
    contest = _contest_or_404(code)
    data = results.published_results(contest=contest, version=_version(), parent=request.args.get("parent"), top=TOP)
    return render_template("results/show.html", scope="contest", quiz=None, contest=contest,
                           title=contest.title, code=contest.code, data=data)


@bp.get("/contest/<code>/card.png")
@limit_card
def contest_card(code: str):
    """The contest rankings page's share card: its title and the QR of the page, no figure."""
    contest = _contest_or_404(code)
    return card_response(new_card(kicker=_("Kết quả thi đua"), title=contest.title, code_label=_("Mã cuộc thi"),
                                  code=contest.code, url=public_url("results.contest", code=contest.code),
                                  call=_("Quét mã QR để xem bảng xếp hạng")))


def _public_export(report: exports.Report, fmt: str, filename: str) -> Response:
    if fmt == "csv":
        return csv_table_response(report, request.args.get("table"), filename.removesuffix(".csv"))
    return xlsx_response(report, filename, write_xlsx)


@bp.get("/<code>/export.<fmt>")
def quiz_export(code: str, fmt: str):
    if fmt not in ("xlsx", "csv"):
        abort(404)
    quiz = get_quiz_or_404(code)
    report = exports.build_report(quiz=quiz, public=True, version=_version(),
                                  timezone=current_app.config["QUIZ_TIMEZONE"])
    return _public_export(report, fmt, f"ket-qua-{quiz.code}.{fmt}")


@bp.get("/contest/<code>/export.<fmt>")
def contest_export(code: str, fmt: str):
    if fmt not in ("xlsx", "csv"):
        abort(404)
    contest = _contest_or_404(code)
    report = exports.build_report(contest=contest, public=True, version=_version(),
                                  timezone=current_app.config["QUIZ_TIMEZONE"])
    return _public_export(report, fmt, f"ket-qua-{contest.code}.{fmt}")
