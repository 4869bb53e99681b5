"""Live sessions in the console: create one from a quiz, the host screen, its controls.

The host screen (`/admin/live/<id>`) is meant for the hall's projector; its script polls
`host.json` (the phones' shared state plus the host-only counts) and posts the controls with the
CSRF token in the `X-CSRFToken` header. Without JavaScript the controls are plain forms.
"""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import clock
from ...errors import DomainError
from ...extensions import db
from ...forms.contests import ActionForm
from ...models import LiveSession
from ...services import live_session, permissions, qr
from ..access import managed_quiz_or_abort, roles_required
from ..admin import bp
from ..qr import join_base_url


def _managed_session_or_abort(session_id: int) -> LiveSession:
    session = db.get_or_404(LiveSession, session_id)
    if not permissions.can_manage_quiz(current_user, session.quiz):
        abort(403)
    return session


def _join_url(quiz_code: str) -> str:
    return f"{join_base_url()}/live/{quiz_code}"


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.is_json


@bp.get("/quizzes/<code>/live")
@roles_required("admin", "organizer")
def live_sessions(code: str):
    quiz = managed_quiz_or_abort(code)
    return render_template("admin/live_sessions.html", quiz=quiz, sessions=live_session.sessions_of(quiz),
                           running=live_session.running_session(quiz), form=ActionForm())


@bp.post("/quizzes/<code>/live")
@roles_required("admin", "organizer")
def live_create(code: str):
    quiz = managed_quiz_or_abort(code)
    if not ActionForm().validate_on_submit():
        flash(_("Phiên làm việc đã hết hạn, vui lòng thử lại."), "error")
        return redirect(url_for("admin.live_sessions", code=quiz.code))
    try:
        session = live_session.create_session(quiz, request.form.to_dict(), actor=current_user._get_current_object())
    except DomainError as error:
        db.session.rollback()
        messages = [m for msgs in error.fields.values() for m in msgs] or [error.message]
        flash(" ".join(messages), "error")
        return redirect(url_for("admin.live_sessions", code=quiz.code))
    db.session.commit()
    return redirect(url_for("admin.live_host", session_id=session.id))


@bp.get("/live/<int:session_id>")
@roles_required("admin", "organizer")
def live_host(session_id: int):
    session = _managed_session_or_abort(session_id)
    join_url = _join_url(session.quiz.code)
    return render_template("live/host.html", session=session, quiz=session.quiz, join_url=join_url,
                           join_short=qr.short_url(join_url), qr_svg=qr.qr_svg_inline(join_url),
                           host=host_payload(session), form=ActionForm())


def host_payload(session: LiveSession) -> dict:
    _version, _body, doc = live_session.state_document(session.id, session.version)
    joined = live_session.joined_by_unit(session)
    return {**doc, "joined": sum(u["count"] for u in joined), "joined_units": joined[:12],
            "answered": live_session.answered_count(session),
            "server_time_ms": int(clock.utcnow().timestamp() * 1000)}


@bp.get("/live/<int:session_id>/host.json")
@roles_required("admin", "organizer")
def live_host_state(session_id: int):
    session = _managed_session_or_abort(session_id)
    response = jsonify(host_payload(session))
    response.cache_control.no_store = True
    return response


@bp.post("/live/<int:session_id>/<action>")
@roles_required("admin", "organizer")
def live_control(session_id: int, action: str):
    session = _managed_session_or_abort(session_id)
    if action not in live_session.ACTIONS:
        abort(404)
    if not ActionForm().validate_on_submit():
        if _wants_json():
            return jsonify({"error": {"code": "csrf", "message": _("Phiên làm việc đã hết hạn, vui lòng tải lại trang.")}}), 400
        flash(_("Phiên làm việc đã hết hạn, vui lòng thử lại."), "error")
        return redirect(url_for("admin.live_host", session_id=session.id))
    try:
        live_session.control(session, action, actor=current_user._get_current_object())
    except DomainError as error:
        db.session.rollback()
        if _wants_json():
            return jsonify({"error": error.to_dict()}), error.status
        flash(error.message, "error")
        return redirect(url_for("admin.live_host", session_id=session_id))
    db.session.commit()
    live_session.remember_version(session.id, session.version)
    if _wants_json():
        return jsonify(host_payload(session))
    return redirect(url_for("admin.live_host", session_id=session.id))
