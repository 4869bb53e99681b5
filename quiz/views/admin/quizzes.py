"""Quizzes: create (form or definition file), edit, open/close now, duplicate, download."""
from __future__ import annotations

import json
from datetime import timedelta

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import clock
from ...errors import DomainError
from ...extensions import db
from ...forms.contests import ActionForm
from ...forms.quizzes import DefinitionUploadForm, QuizForm, form_data
from ...services import monitor, permissions
from ...services import quizzes as quiz_service
from .. import int_arg
from ..access import managed_contest_or_abort, managed_quiz_or_abort, roles_required
from . import bp


def _timezone() -> str:
    return current_app.config["QUIZ_TIMEZONE"]


def _actor():
    return current_user._get_current_object()


def _render_form(form: QuizForm, quiz=None, status: int = 200):
    sets, topics = quiz_service.draw_rule_options()
    return render_template("admin/quiz_form.html", form=form, quiz=quiz, bank_sets=sets, topics=topics,
                           timezone=_timezone()), status


def _prepare(form: QuizForm) -> None:
    contests = [(c.code, f"{c.title} ({c.code})")
                for c in db.session.scalars(permissions.managed_contests_query(current_user))]
    sets, _topics = quiz_service.draw_rule_options()
    if request.method == "GET":
        form.draw.append_entry()  # a blank row, so a browser without JS can still add a rule
    form.set_choices(contests, [name for name, _n in sets])


@bp.route("/quizzes/new", methods=["GET", "POST"])
@roles_required("admin", "organizer")
def quiz_new():
    initial = None
    if request.method == "GET":
        contest_id = int_arg("contest")
        contest = managed_contest_or_abort(contest_id) if contest_id else None
        now = clock.utcnow()
        initial = form_data({
            "code": quiz_service.generate_quiz_code(), "contest": contest.code if contest else None,
            "opens_at": (now + timedelta(days=1)).isoformat(), "closes_at": (now + timedelta(days=8)).isoformat(),
            **quiz_service.DEFAULTS, "draw": [{"count": 10}],
        }, _timezone())
    form = QuizForm(data=initial)
    _prepare(form)
    if form.validate_on_submit():
        try:
            quiz = quiz_service.create_quiz(form.to_definition(), timezone=_timezone(), actor=_actor())
        except DomainError as error:
            db.session.rollback()
            form.show_error(error)
            return _render_form(form, status=422)
        db.session.commit()
        flash(_("Đã tạo đợt thi %(code)s.", code=quiz.code), "success")
        return redirect(url_for("admin.quiz_detail", code=quiz.code))
    return _render_form(form, status=422 if form.errors else 200)


@bp.route("/quizzes/<code>/edit", methods=["GET", "POST"])
@roles_required("admin", "organizer")
def quiz_edit(code: str):
    quiz = managed_quiz_or_abort(code)
    definition = quiz_service.quiz_definition(quiz, timezone=_timezone())
    form = QuizForm(data=form_data(definition, _timezone()) if request.method == "GET" else None)
    form.code.data = quiz.code  # the code is on printed posters: it never changes
    _prepare(form)
    if form.validate_on_submit():
        try:
            quiz_service.update_quiz(quiz, form.to_definition(base=definition), timezone=_timezone(), actor=_actor())
        except DomainError as error:
            db.session.rollback()
            form.show_error(error)
            return _render_form(form, quiz, status=422)
        db.session.commit()
        flash(_("Đã lưu đợt thi %(code)s.", code=quiz.code), "success")
        return redirect(url_for("admin.quiz_detail", code=quiz.code))
    return _render_form(form, quiz, status=422 if form.errors else 200)


@bp.route("/quizzes/upload", methods=["GET", "POST"])
@roles_required("admin", "organizer")
def quiz_upload():
    form = DefinitionUploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            definition = quiz_service.load_definition_file(upload.read(), upload.filename or "quiz.json")
            quiz = quiz_service.create_quiz(definition, timezone=_timezone(), actor=_actor())
        except DomainError as error:
            db.session.rollback()
            problems = [error.message, *error.problems,
                        *(m for msgs in error.fields.values() for m in msgs if m != error.message)]
            return render_template("admin/quiz_upload.html", form=form, problems=problems), 422
        db.session.commit()
        flash(_("Đã tạo đợt thi %(code)s từ tệp định nghĩa.", code=quiz.code), "success")
        return redirect(url_for("admin.quiz_detail", code=quiz.code))
    return render_template("admin/quiz_upload.html", form=form, problems=problems), 422 if form.errors else 200


@bp.get("/quizzes/<code>")
@roles_required("admin", "organizer")
def quiz_detail(code: str):
    quiz = managed_quiz_or_abort(code)
    return render_template("admin/quiz.html", quiz=quiz, counts=monitor.quiz_counts([quiz.id])[quiz.id],
                           now=clock.utcnow(), action_form=ActionForm())


@bp.get("/quizzes/<code>/definition.json")
@roles_required("admin", "organizer")
def quiz_definition_file(code: str):
    quiz = managed_quiz_or_abort(code)
    body = json.dumps(quiz_service.quiz_definition(quiz, timezone=_timezone()), ensure_ascii=False, indent=2)
    return Response(body + "\n", mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{quiz.code}.json"'})


def _quiz_action(code: str, action, message: str, next_endpoint: str = "admin.quiz_detail"):
    """Run a one-click POST action; `message` has a %(code)s placeholder for the resulting quiz."""
    quiz = managed_quiz_or_abort(code)
    if not ActionForm().validate_on_submit():
        flash(_("Phiên làm việc đã hết hạn, vui lòng thử lại."), "error")
        return redirect(url_for("admin.quiz_detail", code=quiz.code))
    try:
        result = action(quiz)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("admin.quiz_detail", code=quiz.code))
    db.session.commit()
    flash(message % {"code": result.code}, "success")
    return redirect(url_for(next_endpoint, code=result.code))


@bp.post("/quizzes/<code>/open")
@roles_required("admin", "organizer")
def quiz_open(code: str):
    return _quiz_action(code, lambda q: quiz_service.open_quiz_now(q, actor=_actor()), _("Đợt thi %(code)s đã mở."))


@bp.post("/quizzes/<code>/close")
@roles_required("admin", "organizer")
def quiz_close(code: str):
    return _quiz_action(code, lambda q: quiz_service.close_quiz_now(q, actor=_actor()), _("Đợt thi %(code)s đã đóng."))


@bp.post("/quizzes/<code>/duplicate")
@roles_required("admin", "organizer")
def quiz_duplicate(code: str):
    return _quiz_action(code, lambda q: quiz_service.duplicate_quiz(q, timezone=_timezone(), actor=_actor()),
                        _("Đã tạo bản sao %(code)s cho tuần sau: hãy sửa tên và kiểm tra lại."), "admin.quiz_edit")
