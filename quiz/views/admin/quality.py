"""Question quality after a round: item analysis per quiz and per question, and correcting a key or
voiding a question (a confirmation page first, then the regrade in one transaction)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import DomainError
from ...extensions import db
from ...forms.corrections import CorrectionForm
from ...models import Question, Quiz
from ...services import corrections, item_analysis, monitor
from ..access import managed_quiz_or_abort, roles_required
from . import bp
from .helpers import apply_field_errors

SORTS = ("flag", "question", "difficulty", "discrimination")


@bp.get("/quizzes/<code>/items")
@roles_required("admin", "organizer")
def quiz_items(code: str):
    quiz = managed_quiz_or_abort(code)
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else "flag"
    figures = item_analysis.analyse_quiz(quiz)
    return render_template("admin/items/analysis.html", quiz=quiz, sort=sort,
                           figures=item_analysis.sort_figures(figures, sort),
                           flagged=sum(1 for f in figures if f.flags),
                           finished=monitor.quiz_counts([quiz.id])[quiz.id].finished, corrections=corrections.corrections_of(quiz),
                           flag_label=item_analysis.flag_label, min_responses=item_analysis.MIN_RESPONSES)


def _question_or_404(quiz: Quiz, question_id: int) -> tuple[Question, item_analysis.ItemFigure]:
    figure = item_analysis.item_figure(quiz, question_id)
    question = db.session.get(Question, question_id)
    if figure is None or question is None:
        abort(404)
    return question, figure


def _render_question(quiz: Quiz, question: Question, figure, form: CorrectionForm, status: int = 200):
    return render_template("admin/items/question.html", quiz=quiz, question=question, figure=figure, form=form,
                           void_mode=corrections.active_void(quiz, question),
                           others=[q for q in corrections.quizzes_that_drew(question) if q.id != quiz.id],
                           flag_label=item_analysis.flag_label), status


@bp.get("/quizzes/<code>/items/<int:question_id>")
@roles_required("admin", "organizer")
def quiz_item(code: str, question_id: int):
    quiz = managed_quiz_or_abort(code)
    question, figure = _question_or_404(quiz, question_id)
    form = CorrectionForm(correct=[o.position for o in question.options if o.is_correct])
    return _render_question(quiz, question, figure, form)


@bp.post("/quizzes/<code>/items/<int:question_id>/correct")
@roles_required("admin", "organizer")
def quiz_item_correct(code: str, question_id: int):
    quiz = managed_quiz_or_abort(code)
    question, figure = _question_or_404(quiz, question_id)
    form = CorrectionForm()
    if not form.validate_on_submit():
        return _render_question(quiz, question, figure, form, 422)
    change = corrections.Change(kind=form.action.data, reason=form.reason.data, mask=form.mask(),
                                void_mode=form.void_mode.data if form.action.data == "void" else None)
    actor = current_user._get_current_object()
    try:
        if form.confirmed.data != "1":
            outcome = corrections.preview_correction(quiz, question, change, actor)
            db.session.rollback()
            form.confirmed.data = "1"
            return render_template("admin/items/confirm.html", quiz=quiz, question=question, form=form,
                                   change=change, outcome=outcome)
        outcome = corrections.apply_correction(quiz, question, change, actor)
    except DomainError as error:
        db.session.rollback()
        apply_field_errors(form, error)
        return _render_question(quiz, question, figure, form, error.status)
    db.session.commit()
    if outcome.is_noop:
        flash(_("Không có gì thay đổi: đáp án và điểm đã đúng như yêu cầu."), "info")
    else:
        flash(_("Đã chấm lại %(n)d bài thi, %(changed)d bài đổi điểm.", n=outcome.attempts_rescored,
                changed=outcome.scores_changed), "success")
    return redirect(url_for("admin.quiz_items", code=quiz.code))
