"""Who has and has not taken part, per round or for the whole contest: the unit contact's page
(their subtree only), its XLSX, the reminder for the unit's Zalo group, and the answers about
participants on no roster (confirm, move). Organizers see every unit of their contests."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import clock
from ...errors import DomainError
from ...extensions import db
from ...forms.accounts import ConfirmForm
from ...forms.rosters import MoveParticipantForm
from ...models import Contest, Participant, Quiz, Unit
from ...services import permissions, qr
from ...services.rankings.scope import Scope
from ...services.rosters import matching, report, reviews
from ...services.units import units_in_tree_order
from ...templating import local_time
from ..downloads import xlsx_response
from ..qr import join_base_url
from ..access import roles_required
from . import bp

SHOWS = ("not_yet", "taken", "unlisted")
ROLES = ("admin", "organizer", "unit")


def _contests() -> list[Contest]:
    if current_user.role == "unit":
        return list(db.session.scalars(db.select(Contest).order_by(Contest.created_at.desc())))
    return list(db.session.scalars(permissions.managed_contests_query(current_user)))


def _contest_or_abort(contest_id: int) -> Contest:
    contest = db.get_or_404(Contest, contest_id)
    if not permissions.can_view_results(current_user, contest):
        abort(403)
    return contest


def _units_in_view() -> list[Unit]:
    visible = permissions.visible_unit_ids(current_user)
    return [u for u in units_in_tree_order() if visible is None or u.id in visible]


def _selection(contest: Contest) -> dict:
    """The page's filters from the query string: round, unit (in view, else 404), sub-unit, list."""
    code = (request.args.get("round") or "").upper()
    quiz = next((q for q in contest.quizzes if q.code == code), None) if code else None
    if code and quiz is None:
        abort(404)
    units = _units_in_view()
    unit_code = request.args.get("unit") or ""
    unit = next((u for u in units if u.code == unit_code), None) if unit_code else None
    if unit_code and unit is None:
        abort(404)
    if unit is None and current_user.role == "unit":
        unit = current_user.unit
    show = request.args.get("show") if request.args.get("show") in SHOWS else "not_yet"
    scope = Scope(quiz=quiz) if quiz is not None else Scope(contest=contest)
    result = matching.participation(scope, permissions.visible_unit_ids(current_user), unit=unit,
                                    sub_unit=request.args.get("sub") or None)
    return {"contest": contest, "quiz": quiz, "scope": scope, "units": units, "unit": unit,
            "sub_unit": request.args.get("sub") or "", "show": show, "result": result}


def _args(selection: dict, **changes) -> dict:
    args = {"round": selection["quiz"].code if selection["quiz"] else None,
            "unit": selection["unit"].code if selection["unit"] else None,
            "sub": selection["sub_unit"] or None, "show": selection["show"]}
    args.update(changes)
    return {k: v for k, v in args.items() if v}


@bp.get("/participation")
@roles_required(*ROLES)
def participation():
    """The latest contest's page (the menu's link); a page saying so when there is none."""
    contests = _contests()
    if not contests:
        return render_template("admin/participation/show.html", contests=[], s=None)
    return redirect(url_for("admin.participation_contest", contest_id=contests[0].id, **request.args))


@bp.get("/participation/<int:contest_id>")
@roles_required(*ROLES)
def participation_contest(contest_id: int):
    contests = _contests()
    selection = _selection(_contest_or_abort(contest_id))
    move = MoveParticipantForm(formdata=None)
    move.set_units(selection["units"])
    page = render_template("admin/participation/show.html", contests=contests, s=selection,
                           args=lambda **c: _args(selection, **c), confirm=ConfirmForm(), move=move)
    db.session.commit()  # after rendering (a commit expires what the page reads): keeps the lazy finalisation
    return page


@bp.get("/participation/<int:contest_id>/export.xlsx")
@roles_required(*ROLES)
def participation_export(contest_id: int):
    s = _selection(_contest_or_abort(contest_id))
    built = report.participation_report(s["scope"], s["result"], unit=s["unit"], sub_unit=s["sub_unit"],
                                        now=clock.utcnow(), zone=ZoneInfo(current_app.config["QUIZ_TIMEZONE"]))
    db.session.commit()
    stem = f"tham-gia-{s['scope'].code}" + (f"-{s['unit'].code}" if s["unit"] else "")
    return xlsx_response(built, f"{stem}.xlsx", report.write_participation_xlsx)


@bp.get("/participation/<int:contest_id>/reminder")
@roles_required(*ROLES)
def participation_reminder(contest_id: int):
    s = _selection(_contest_or_abort(contest_id))
    quiz = report.reminder_quiz(s["contest"], s["quiz"], clock.utcnow())
    reminder = None
    if quiz is not None:
        url = qr.join_url(join_base_url(), quiz.code, s["unit"].code if s["unit"] else None)
        with_names = request.args.get("names") == "1"
        text = report.reminder_text(unit=s["unit"], quiz=quiz, join_url=url, result=s["result"],
                                    closes_at=local_time(quiz.closes_at), with_names=with_names)
        reminder = {"quiz": quiz, "url": url, "short_url": qr.short_url(url), "svg": qr.qr_svg_inline(url),
                    "text": text, "with_names": with_names}
    page = render_template("admin/participation/reminder.html", s=s, reminder=reminder,
                           args=lambda **c: _args(s, **c))
    db.session.commit()
    return page


def _participant_or_404(participant_id: int) -> Participant:
    participant = db.get_or_404(Participant, participant_id)
    if not reviews.can_review(current_user, participant):
        abort(404)
    return participant


def _back() -> str:
    target = request.form.get("next") or ""
    return target if target.startswith("/admin/participation") else url_for("admin.participation")


@bp.post("/participation/participants/<int:participant_id>/confirm")
@roles_required(*ROLES)
def participant_confirm(participant_id: int):
    participant = _participant_or_404(participant_id)
    if ConfirmForm().validate_on_submit():
        reviews.confirm_participant(participant, current_user)
        db.session.commit()
        flash(_("Đã xác nhận %(name)s thuộc %(unit)s.", name=participant.full_name, unit=participant.unit.name),
              "success")
    return redirect(_back())


@bp.post("/participation/participants/<int:participant_id>/move")
@roles_required(*ROLES)
def participant_move(participant_id: int):
    participant = _participant_or_404(participant_id)
    form = MoveParticipantForm()
    form.set_units(_units_in_view())
    if form.validate_on_submit():
        try:
            reviews.move_participant(participant, db.session.get(Unit, form.unit_id.data or 0), current_user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Đã chuyển %(name)s sang %(unit)s.", name=participant.full_name, unit=participant.unit.name),
                  "success")
    else:
        flash(_("Chọn một đơn vị thuộc phạm vi của bạn."), "error")
    return redirect(_back())
