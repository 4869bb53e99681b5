"""Certificates in the console: the list of a contest's certificates, downloads of a round as one
PDF or a ZIP, and revocation with a reason. Organizers of the contest (and admins) only."""
from __future__ import annotations

import io

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import DomainError
from ...extensions import db
from ...forms.awards import RevokeForm
from ...models import Contest, Quiz
from ...services import permissions
from ...services.awards import certificates as service
from ...services.awards.pdf import certificates_zip, render_certificates
from ..access import managed_contest_or_abort, roles_required
from ..qr import join_base_url
from . import bp

ORGANIZERS = ("admin", "organizer")


def _round(contest: Contest) -> Quiz | None:
    code = request.args.get("round")
    if not code:
        return None
    quiz = next((q for q in contest.quizzes if q.code == code.upper()), None)
    if quiz is None:
        abort(404)
    return quiz


def _selected(contest: Contest):
    quiz = _round(contest)
    scope = "contest" if request.args.get("scope") == "contest" else None
    return quiz, service.contest_certificates(contest, quiz, scope=scope)


@bp.get("/contests/<int:contest_id>/certificates")
@roles_required(*ORGANIZERS)
def certificates(contest_id: int):
    contest = managed_contest_or_abort(contest_id)
    quiz = _round(contest)
    items = service.contest_certificates(contest, quiz, include_revoked=True)
    return render_template("admin/awards/certificates.html", contest=contest, quiz=quiz, items=items,
                           revoke_form=RevokeForm(), display_code=service.display_code)


@bp.get("/contests/<int:contest_id>/certificates.<fmt>")
@roles_required(*ORGANIZERS)
def certificates_download(contest_id: int, fmt: str):
    contest = managed_contest_or_abort(contest_id)
    if fmt not in ("pdf", "zip"):
        abort(404)
    quiz, items = _selected(contest)
    if not items:
        flash(_("Chưa có giấy chứng nhận nào: công bố danh sách khen thưởng trước."), "error")
        return redirect(url_for("admin.certificates", contest_id=contest.id))
    stem = f"giay-chung-nhan-{contest.code}" + (f"-{quiz.code}" if quiz else "")
    timezone = current_app.config["QUIZ_TIMEZONE"]
    buffer = io.BytesIO()
    if fmt == "pdf":
        buffer.write(render_certificates(items, base_url=join_base_url(), timezone=timezone))
    else:
        certificates_zip(items, buffer, base_url=join_base_url(), timezone=timezone)
    buffer.seek(0)
    response = send_file(buffer, as_attachment=True, download_name=f"{stem}.{fmt}",
                         mimetype="application/pdf" if fmt == "pdf" else "application/zip")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/certificates/<code>/revoke")
@roles_required(*ORGANIZERS)
def certificate_revoke(code: str):
    certificate = service.find_certificate(code)
    if certificate is None:
        abort(404)
    if not permissions.can_manage_contest(current_user, certificate.contest):
        abort(403)
    form = RevokeForm()
    back = url_for("admin.certificates", contest_id=certificate.contest_id)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(back)
    try:
        service.revoke_certificate(certificate, form.reason.data, actor=current_user._get_current_object())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(back)
    db.session.commit()
    flash(_("Đã thu hồi giấy chứng nhận %(code)s.", code=service.display_code(certificate.code)), "success")
    return redirect(back)
