"""Audit log (admins only): who did what, when, to what; filter by action and by actor."""
from flask import render_template, request
from flask_babel import gettext as _

from ...extensions import db
from ...forms.audit import AuditFilterForm
from ...models import AuditEntry, Organizer
from .. import filter_form, int_arg
from ..access import roles_required
from . import bp

PER_PAGE = 50


@bp.get("/audit")
@roles_required("admin")
def audit():
    form = filter_form(AuditFilterForm)
    actions = db.session.scalars(db.select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    form.action.choices = [("", _("Mọi hành động"))] + [(a, a) for a in actions]
    form.actor_id.choices = [(0, _("Mọi người"))] + [
        (o.id, o.email) for o in db.session.scalars(db.select(Organizer).order_by(Organizer.email))]
    query = db.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if form.action.data:
        query = query.where(AuditEntry.action == form.action.data)
    if form.actor_id.data:
        query = query.where(AuditEntry.actor_id == form.actor_id.data)
    page = db.paginate(query, page=int_arg("page", 1), per_page=PER_PAGE, error_out=False)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("admin/audit.html", form=form, page=page, args=args)
