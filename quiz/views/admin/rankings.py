"""Organizer rankings: the live ranking (full identities), publishing, exports, print page;
and the unit contact's view of their units' participation and results."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import DomainError
from ...extensions import db
from ...forms.rankings import PublishForm
from ...models import Contest, Quiz
from ...services import exports, permissions, results
from ...services.rankings import individuals, units
from ...services.rankings.published import list_snapshots, publish_ranking
from ...services.rankings.read import SOURCES
from ...services.rankings.rows import row_dict
from ...services.rankings.scope import Scope
from ...services.xlsx_report import write_xlsx
from .. import int_arg
from ..access import managed_contest_or_abort, managed_quiz_or_abort, roles_required
from ..downloads import csv_table_response, xlsx_response
from . import bp

PRINT_ROWS = 100


def _live(quiz: Quiz | None, contest: Contest | None) -> dict:
    scope = Scope(quiz=quiz, contest=contest)
    parent = request.args.get("parent") or None
    return {"people": [row_dict(r, masked=False) for r in individuals.ranking(scope, limit=200)],
            "units": [row_dict(r) for r in units.ranking(scope, parent)], "is_provisional": scope.is_provisional(),
            "snapshots": list_snapshots(quiz=quiz, contest=contest), "truth": scope.truth(),
            "parents": results.parent_units(), "parent": parent or ""}


@bp.get("/quizzes/<code>/rankings")
@roles_required("admin", "organizer")
def quiz_rankings(code: str):
    quiz = managed_quiz_or_abort(code)
    return render_template("admin/rankings/show.html", quiz=quiz, contest=quiz.contest, scope="quiz",
                           title=quiz.title, live=_live(quiz, None), form=PublishForm())


@bp.get("/contests/<int:contest_id>/rankings")
@roles_required("admin", "organizer")
def contest_rankings(contest_id: int):
    contest = managed_contest_or_abort(contest_id)
    return render_template("admin/rankings/show.html", quiz=None, contest=contest, scope="contest",
                           title=contest.title, live=_live(None, contest), form=PublishForm())


def _publish(quiz: Quiz | None, contest: Contest | None, back: str):
    form = PublishForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(back)
    snapshot = publish_ranking(quiz=quiz, contest=contest, actor=current_user, note=form.note.data or "")
    db.session.commit()
    flash(_("Đã công bố kết quả lần %(v)d.", v=snapshot.version), "success")
    return redirect(back)


@bp.post("/quizzes/<code>/rankings/publish")
@roles_required("admin", "organizer")
def publish_quiz_ranking(code: str):
    quiz = managed_quiz_or_abort(code)
    return _publish(quiz, None, url_for("admin.quiz_rankings", code=quiz.code))


@bp.post("/contests/<int:contest_id>/rankings/publish")
@roles_required("admin", "organizer")
def publish_contest_ranking(contest_id: int):
    contest = managed_contest_or_abort(contest_id)
    return _publish(None, contest, url_for("admin.contest_rankings", contest_id=contest.id))


def _print_source() -> str:
    """The print page prints the latest published version when there is one (the official record),
    `?source=current` the current (unpublished) figures, `?v=<n>` one publication."""
    source = request.args.get("source") or "latest"
    if source not in SOURCES:
        raise DomainError(_("Nguồn số liệu không hợp lệ: dùng latest, live hoặc published."))
    return source


def _export(quiz: Quiz | None, contest: Contest | None, fmt: str):
    source, version = (_print_source(), int_arg("v")) if fmt == "print" else (None, None)
    report = exports.build_report(quiz=quiz, contest=contest, public=False, source=source, version=version,
                                  timezone=current_app.config["QUIZ_TIMEZONE"])
    stem = f"xep-hang-{Scope(quiz=quiz, contest=contest).code}"
    if fmt == "xlsx":
        return xlsx_response(report, f"{stem}.xlsx", write_xlsx)
    if fmt == "csv":
        return csv_table_response(report, request.args.get("table"), stem)
    if fmt == "print":
        people = report.table("individuals")
        rows = []
        for row in people.rows:
            rows.append(row)
            if len(rows) >= PRINT_ROWS:
                break
        return render_template("admin/rankings/print.html", report=report, people=rows,
                               people_columns=people.columns, units=report.table("units"))
    abort(404)


@bp.get("/quizzes/<code>/rankings/export.<fmt>")
@roles_required("admin", "organizer")
def export_quiz_ranking(code: str, fmt: str):
    return _export(managed_quiz_or_abort(code), None, fmt)


@bp.get("/contests/<int:contest_id>/rankings/export.<fmt>")
@roles_required("admin", "organizer")
def export_contest_ranking(contest_id: int, fmt: str):
    return _export(None, managed_contest_or_abort(contest_id), fmt)


@bp.get("/unit-results")
@roles_required("unit")
def unit_results():
    unit = current_user.unit
    unit_ids = permissions.visible_unit_ids(current_user) or set()
    quizzes = list(db.session.scalars(db.select(Quiz).order_by(Quiz.opens_at.desc())))
    sections = []
    for quiz in quizzes:
        scope = Scope(quiz=quiz)
        rows = units.ranking(scope, unit.parent.code if unit.parent else None)
        own = next((r for r in rows if r.unit_id == unit.id), None)
        children = units.ranking(scope, unit.code)
        people = individuals.ranking(scope, unit_ids=unit_ids, limit=500)
        sections.append({"quiz": quiz, "own": row_dict(own) if own else None,
                         "siblings": len([r for r in rows if r.rank is not None]),
                         "children": [row_dict(r) for r in children],
                         "people": [row_dict(r, masked=False) for r in people]})
    return render_template("admin/rankings/unit_results.html", unit=unit, sections=sections)
