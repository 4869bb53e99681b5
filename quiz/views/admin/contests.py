"""Contests: list, create, edit, and one contest's page with its quizzes."""
from decimal import Decimal

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import clock
from ...errors import DomainError
from ...extensions import db
from ...forms.contests import ActionForm, ContestForm
from ...services import monitor, permissions
from ...services.contests import save_contest
from ..access import managed_contest_or_abort, roles_required
from . import bp


@bp.get("/contests")
@roles_required("admin", "organizer")
def contests():
    items = list(db.session.scalars(permissions.managed_contests_query(current_user)))
    return render_template("admin/contests.html", contests=items, now=clock.utcnow())


def _save(form: ContestForm, contest=None):
    try:
        saved = save_contest(contest, code=form.code.data, title=form.title.data,
                             description=form.description.data or "", rate_percent=float(form.w_rate.data),
                             score_percent=float(form.w_score.data), actor=current_user._get_current_object())
    except DomainError as error:
        db.session.rollback()
        for name, messages in error.fields.items():
            if name in form:
                form[name].errors = [*form[name].errors, *messages]
        return None
    db.session.commit()
    return saved


@bp.route("/contests/new", methods=["GET", "POST"])
@roles_required("admin", "organizer")
def contest_new():
    form = ContestForm(data={"w_rate": 50, "w_score": 50} if request.method == "GET" else None)
    if form.validate_on_submit() and (contest := _save(form)) is not None:
        flash(_("Đã tạo cuộc thi %(code)s. Thêm đợt thi đầu tiên.", code=contest.code), "success")
        return redirect(url_for("admin.quiz_new", contest=contest.id))
    return render_template("admin/contest_form.html", form=form, contest=None)


@bp.route("/contests/<int:contest_id>/edit", methods=["GET", "POST"])
@roles_required("admin", "organizer")
def contest_edit(contest_id: int):
    contest = managed_contest_or_abort(contest_id)
    initial = {"code": contest.code, "title": contest.title, "description": contest.description,
               "w_rate": Decimal(f"{contest.w_rate * 100:g}"), "w_score": Decimal(f"{contest.w_score * 100:g}")}
    form = ContestForm(data=initial if request.method == "GET" else None)
    if form.validate_on_submit() and _save(form, contest) is not None:
        flash(_("Đã lưu cuộc thi %(code)s.", code=contest.code), "success")
        return redirect(url_for("admin.contest_detail", contest_id=contest.id))
    return render_template("admin/contest_form.html", form=form, contest=contest)


@bp.get("/contests/<int:contest_id>")
@roles_required("admin", "organizer")
def contest_detail(contest_id: int):
    contest = managed_contest_or_abort(contest_id)
    counts = monitor.quiz_counts([quiz.id for quiz in contest.quizzes])
    return render_template("admin/contest.html", contest=contest, counts=counts, now=clock.utcnow(),
                           action_form=ActionForm())
