"""Public side of the awards: the published award list (`/r/contest/<code>/awards`), the
certificate check (`/c/<code>`: 200 valid, 404 unknown, 410 revoked) and a participant's own
certificate, downloaded from their result page with their attempt token (never by an id)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, make_response, render_template

from .. import clock
from ..extensions import db
from ..models import Contest
from ..ratelimit import limit_lookup
from ..services import attempts
from ..services.awards import certificates as service
from ..services.awards import publish, report
from ..services.awards.pdf import certificate_filename, render_certificates
from ..services.identity import mask_name
from . import int_arg
from .qr import join_base_url, vary_on_host

bp = Blueprint("awards", __name__)


@bp.get("/r/contest/<code>/awards")
def public_list(code: str):
    contest = db.session.scalar(db.select(Contest).filter_by(code=code))
    if contest is None:
        abort(404)
    award_list = publish.get_version(contest, int_arg("v"))
    return render_template("awards/public.html", contest=contest, award_list=award_list,
                           versions=publish.list_versions(contest) if award_list else [],
                           subtitle=report.subtitle(award_list, current_app.config["QUIZ_TIMEZONE"])
                           if award_list else "", score_text=report.score_text,
                           duration_text=report.duration_text)


@bp.get("/c/<code>")
@limit_lookup
def verify(code: str):
    certificate = service.find_certificate(code)
    status = 404 if certificate is None else 410 if certificate.is_revoked else 200
    response = make_response(render_template(
        "awards/verify.html", certificate=certificate, status=status,
        masked_name=mask_name(certificate.full_name) if certificate else "",
        display_code=service.display_code(certificate.code) if certificate else ""), status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/a/<token>/certificates/<code>.pdf")
def own_certificate(token: str, code: str):
    attempt = attempts.get_attempt(token, now=clock.utcnow())
    certificate = service.attempt_certificate(attempt, code)
    db.session.commit()
    pdf = render_certificates([certificate], base_url=join_base_url(),
                              timezone=current_app.config["QUIZ_TIMEZONE"])
    response = Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{certificate_filename(certificate)}"',
        "Cache-Control": "no-store"})
    return vary_on_host(response)
