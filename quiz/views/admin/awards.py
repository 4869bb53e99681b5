"""Awards in the console: prize tables and settings, the proposal with winner checks, publishing
the award list, its XLSX and A4 print page. Organizers of the contest (and admins) only."""
from __future__ import annotations

import io
from decimal import Decimal

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import DomainError
from ...extensions import db
from ...forms.awards import (LEVEL_ROWS, AwardSettingsForm, CheckForm, ClearCheckForm, PrizeTableForm,
                             PublishAwardsForm)
from ...models import Contest, Participant, PrizeTable, Quiz
from ...services.awards import checks, publish, report, tables
from ...services.awards.certificates import contest_certificates
from ...services.awards.propose import propose
from .. import int_arg
from ..access import managed_contest_or_abort, roles_required
from . import bp

ORGANIZERS = ("admin", "organizer")


def _float(value) -> float | None:
    return None if value is None else float(value)


def _decimal(value: float | None) -> Decimal | None:
    """A stored percentage as the form shows it: 80, not 80.0."""
    return None if value is None else Decimal(f"{value:g}")


def _scope_quiz(contest: Contest, scope: str) -> Quiz | None:
    if scope == tables.CONTEST_KEY:
        return None
    quiz = next((q for q in contest.quizzes if q.code == scope.upper()), None)
    if quiz is None:
        abort(404)
    return quiz


def _errors_to_form(error: DomainError, form) -> list[str]:
    """Field errors onto the form's fields; what fits no field comes back for the summary."""
    general = [error.message]
    for name, messages in error.fields.items():
        if name in form:
            form[name].errors = [*form[name].errors, *messages]
        else:
            general += messages
    return general


@bp.route("/contests/<int:contest_id>/awards/settings", methods=["GET", "POST"])
@roles_required(*ORGANIZERS)
def award_settings(contest_id: int):
    contest = managed_contest_or_abort(contest_id)
    initial = None
    if request.method == "GET":
        initial = {name: getattr(contest, name) for name in (
            "one_prize_per_person", "certificate_issuer", "certificate_place", "certificate_signer_title",
            "certificate_signer_name")}
        initial["completion_min_pct"] = _decimal(contest.completion_min_pct)
    form = AwardSettingsForm(data=initial)
    general = []
    if form.validate_on_submit():
        try:
            tables.save_award_settings(
                contest, one_prize_per_person=form.one_prize_per_person.data,
                certificate_issuer=form.certificate_issuer.data, certificate_place=form.certificate_place.data,
                certificate_signer_title=form.certificate_signer_title.data,
                certificate_signer_name=form.certificate_signer_name.data,
                completion_min_pct=_float(form.completion_min_pct.data), actor=current_user._get_current_object())
        except DomainError as error:
            db.session.rollback()
            general = _errors_to_form(error, form)
        else:
            db.session.commit()
            flash(_("Đã lưu cài đặt giải thưởng và giấy chứng nhận."), "success")
            return redirect(url_for("admin.award_settings", contest_id=contest.id))
    return render_template("admin/awards/settings.html", contest=contest, form=form, general=general,
                           tables=tables.contest_tables(contest))


@bp.route("/contests/<int:contest_id>/awards/tables/<scope>", methods=["GET", "POST"])
@roles_required(*ORGANIZERS)
def prize_table(contest_id: int, scope: str):
    contest = managed_contest_or_abort(contest_id)
    quiz = _scope_quiz(contest, scope)
    table = tables.get_table(contest, quiz)
    if request.method == "GET":
        data = {"levels": [{"name": level.name, "count": level.count} for level in table.levels]} if table else {
            "levels": [{"name": name, "count": count} for name, count in
                       ((_("Nhất"), 1), (_("Nhì"), 2), (_("Ba"), 3), (_("Khuyến khích"), 5))]}
        if table:
            data.update(min_score_pct=_decimal(table.min_score_pct), cap_pct=_decimal(table.cap_pct),
                        unit_top_n=table.unit_top_n, unit_top_name=table.unit_top_name,
                        unit_min_rate_pct=_decimal(table.unit_min_rate_pct),
                        unit_rate_name=table.unit_rate_name)
        form = PrizeTableForm(data=data)
        while len(form.levels) < LEVEL_ROWS:
            form.levels.append_entry()
    else:
        form = PrizeTableForm()
    general = []
    if form.validate_on_submit():
        levels = [tables.LevelInput(entry.form.name.data or "", entry.form.count.data or 0) for entry in form.levels]
        try:
            tables.save_prize_table(
                contest, quiz, levels=levels, min_score_pct=_float(form.min_score_pct.data),
                cap_pct=_float(form.cap_pct.data), unit_top_n=form.unit_top_n.data,
                unit_top_name=form.unit_top_name.data or "", unit_min_rate_pct=_float(form.unit_min_rate_pct.data),
                unit_rate_name=form.unit_rate_name.data or "", actor=current_user._get_current_object())
        except DomainError as error:
            db.session.rollback()
            general = _errors_to_form(error, form)
        else:
            db.session.commit()
            flash(_("Đã lưu cơ cấu giải của %(title)s.", title=quiz.title if quiz else contest.title), "success")
            return redirect(url_for("admin.award_settings", contest_id=contest.id))
    return render_template("admin/awards/table_form.html", contest=contest, quiz=quiz, form=form, general=general)


@bp.get("/contests/<int:contest_id>/awards")
@roles_required(*ORGANIZERS)
def award_proposal(contest_id: int):
    contest = managed_contest_or_abort(contest_id)
    proposal = propose(contest)
    ids = {w.participant_id for s in proposal.sections for w in s.winners}
    ids |= {s.row["participant_id"] for sec in proposal.sections for s in sec.skipped}
    people = {p.id: p for p in db.session.scalars(db.select(Participant).where(Participant.id.in_(ids)))} if ids else {}
    return render_template("admin/awards/proposal.html", contest=contest, proposal=proposal, people=people,
                           versions=publish.list_versions(contest), publish_form=PublishAwardsForm(),
                           check_form=CheckForm(), clear_form=ClearCheckForm(),
                           certificate_count=len(contest_certificates(contest)))


def _refused(form, back: str):
    """A form that did not validate: a tampered id is a 400; what a person typed (a note too long)
    is said on the page they came from, and nothing changes."""
    if any(name in form.errors for name in ("table_id", "participant_id", "status")):
        abort(400)
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")
    return redirect(back)


def _check_target(contest: Contest, form) -> PrizeTable:
    table = db.session.get(PrizeTable, form.table_id.data)
    if table is None or table.contest_id != contest.id:
        abort(404)
    return table


@bp.post("/contests/<int:contest_id>/awards/check")
@roles_required(*ORGANIZERS)
def award_check(contest_id: int):
    contest = managed_contest_or_abort(contest_id)
    form = CheckForm()
    if not form.validate_on_submit():
        return _refused(form, url_for("admin.award_proposal", contest_id=contest.id))
    table = _check_target(contest, form)
    checks.check_winner(table, form.participant_id.data, status=form.status.data, note=form.note.data or "",
                        actor=current_user._get_current_object())
    db.session.commit()
    flash(_("Đã loại người này; người kế tiếp được đưa lên.") if form.status.data == "disqualified"
          else _("Đã ghi nhận xác minh."), "success")
    return redirect(url_for("admin.award_proposal", contest_id=contest.id) + f"#table-{table.id}")


@bp.post("/contests/<int:contest_id>/awards/uncheck")
@roles_required(*ORGANIZERS)
def award_uncheck(contest_id: int):
    contest = managed_contest_or_abort(contest_id)
    form = ClearCheckForm()
    if not form.validate_on_submit():
        return _refused(form, url_for("admin.award_proposal", contest_id=contest.id))
    table = _check_target(contest, form)
    checks.clear_check(table, form.participant_id.data, actor=current_user._get_current_object())
    db.session.commit()
    flash(_("Đã bỏ kết quả kiểm tra."), "success")
    return redirect(url_for("admin.award_proposal", contest_id=contest.id) + f"#table-{table.id}")


@bp.post("/contests/<int:contest_id>/awards/publish")
@roles_required(*ORGANIZERS)
def award_publish(contest_id: int):
    contest = managed_contest_or_abort(contest_id)
    form = PublishAwardsForm()
    back = url_for("admin.award_proposal", contest_id=contest.id)
    if not form.validate_on_submit():
        return _refused(form, back)
    try:
        award_list = publish.publish_awards(contest, actor=current_user._get_current_object(),
                                            note=form.note.data or "")
    except DomainError as error:
        db.session.rollback()
        flash(" ".join([error.message, *[m for msgs in error.fields.values() for m in msgs][:10]]), "error")
        return redirect(back)
    db.session.commit()
    flash(_("Đã công bố danh sách khen thưởng lần %(v)d.", v=award_list.version), "success")
    return redirect(back)


def _version_or_404(contest: Contest):
    award_list = publish.get_version(contest, int_arg("v"))
    if award_list is None:
        abort(404)
    return award_list


@bp.get("/contests/<int:contest_id>/awards/export.xlsx")
@roles_required(*ORGANIZERS)
def award_xlsx(contest_id: int):
    contest = managed_contest_or_abort(contest_id)
    award_list = _version_or_404(contest)
    buffer = io.BytesIO()
    report.write_award_xlsx(award_list, contest, buffer, timezone=current_app.config["QUIZ_TIMEZONE"])
    buffer.seek(0)
    return send_file(buffer, as_attachment=True,
                     download_name=f"khen-thuong-{contest.code}-lan-{award_list.version}.xlsx", mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/contests/<int:contest_id>/awards/print")
@roles_required(*ORGANIZERS)
def award_print(contest_id: int):
    contest = managed_contest_or_abort(contest_id)
    award_list = _version_or_404(contest)
    return render_template("admin/awards/print.html", contest=contest, award_list=award_list,
                           groups=report.groups(award_list), people_headers=report.people_headers(),
                           unit_headers=report.unit_headers(),
                           signed=report.date_line(contest.certificate_place, award_list.published_at,
                                                   current_app.config["QUIZ_TIMEZONE"]),
                           subtitle=report.subtitle(award_list, current_app.config["QUIZ_TIMEZONE"]))
