"""Organizer rankings: the live ranking (full identities), publishing, exports, print page;
and the unit contact's view of their units' participation and results."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...extensions import db
from ...forms.rankings import PublishForm
from ...models import Contest, Quiz
from ...services import exports, permissions, publishing, ranking, results
from ...services.xlsx_report import write_xlsx
from ..access import managed_contest_or_abort, managed_quiz_or_abort, roles_required
from ..downloads import csv_table_response, xlsx_response
from . import bp

PRINT_ROWS = 100


def _live(quiz: Quiz | None, contest: Contest | None) -> dict:
    if quiz is not None:
        people = ranking.individual_ranking(quiz, limit=200)
        units = ranking.unit_ranking(quiz, parent_code=request.args.get("parent") or None)
        provisional = ranking.is_provisional(quiz)
    else:
        people = ranking.contest_individual_ranking(contest, limit=200)
        units = ranking.contest_unit_ranking(contest, parent_code=request.args.get("parent") or None)
        provisional = ranking.is_contest_provisional(contest)
    return {"people": [publishing.individual_json(r, masked=False) for r in people],
            "units": [publishing.unit_json(r) for r in units], "is_provisional": provisional,
            "snapshots": publishing.list_snapshots(quiz=quiz, contest=contest),
            "truth": ranking.prediction_truth(quiz) if quiz is not None else None,
            "parents": results.parent_units(), "parent": request.args.get("parent") or ""}


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
    snapshot = publishing.publish_ranking(quiz=quiz, contest=contest, actor=current_user, note=form.note.data or "")
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


def _export(quiz: Quiz | None, contest: Contest | None, fmt: str):
    report = exports.build_report(quiz=quiz, contest=contest, public=False,
                                  timezone=current_app.config["QUIZ_TIMEZONE"])
    stem = f"xep-hang-{quiz.code if quiz is not None else contest.code}"
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
        rows = ranking.unit_ranking(quiz, parent_code=unit.parent.code if unit.parent else None)
        own = next((r for r in rows if r.unit_id == unit.id), None)
        children = ranking.unit_ranking(quiz, parent_code=unit.code)
        people = ranking.individual_ranking(quiz, unit_ids=unit_ids, limit=500)
        sections.append({"quiz": quiz, "own": publishing.unit_json(own) if own else None,
                         "siblings": len([r for r in rows if r.rank is not None]),
                         "children": [publishing.unit_json(r) for r in children],
                         "people": [publishing.individual_json(r, masked=False) for r in people]})
    return render_template("admin/rankings/unit_results.html", unit=unit, sections=sections)
