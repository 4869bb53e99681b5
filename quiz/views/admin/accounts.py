"""Accounts screen (admins only): list, create, edit role/unit/contests, enable/disable, reset password."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import DomainError
from ...extensions import db
from ...forms.accounts import AccountCreateForm, AccountEditForm, ConfirmForm, PasswordResetForm
from ...models import Contest, Organizer, Unit
from ...services import accounts as account_service
from ...services.units import units_in_tree_order
from ..access import roles_required
from . import bp
from .helpers import apply_field_errors


def _with_choices(form):
    form.set_choices(units_in_tree_order(), db.session.scalars(db.select(Contest).order_by(Contest.code)))
    return form


@bp.get("/accounts")
@roles_required("admin")
def accounts():
    return render_template("admin/accounts.html", organizers=account_service.list_organizers(),
                           confirm=ConfirmForm())


@bp.route("/accounts/new", methods=["GET", "POST"])
@roles_required("admin")
def account_new():
    form = _with_choices(AccountCreateForm())
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit_id.data) if form.role.data == "unit" else None
        try:
            organizer = account_service.create_organizer(
                form.email.data, form.role.data, form.password.data, unit_code=unit.code if unit else None,
                full_name=form.full_name.data or "", actor=current_user)
            if form.role.data == "organizer" and form.contest_ids.data:
                account_service.update_organizer(organizer, full_name=organizer.full_name, role="organizer",
                                                 unit=None, contest_ids=form.contest_ids.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            apply_field_errors(form, error)
        else:
            db.session.commit()
            flash(_("Đã tạo tài khoản %(email)s.", email=organizer.email), "success")
            return redirect(url_for("admin.accounts"))
    return render_template("admin/account_form.html", form=form, organizer=None), 422 if form.errors else 200


@bp.route("/accounts/<int:organizer_id>", methods=["GET", "POST"])
@roles_required("admin")
def account_edit(organizer_id: int):
    organizer = db.get_or_404(Organizer, organizer_id)
    form = _with_choices(AccountEditForm(obj=organizer))
    if not form.is_submitted():
        form.unit_id.data = organizer.unit_id or 0
        form.contest_ids.data = account_service.granted_contest_ids(organizer)
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None
        try:
            account_service.update_organizer(organizer, full_name=form.full_name.data or "", role=form.role.data,
                                             unit=unit, contest_ids=form.contest_ids.data or [], actor=current_user)
        except DomainError as error:
            db.session.rollback()
            apply_field_errors(form, error)
        else:
            db.session.commit()
            flash(_("Đã lưu tài khoản %(email)s.", email=organizer.email), "success")
            return redirect(url_for("admin.accounts"))
    return render_template("admin/account_form.html", form=form, organizer=organizer,
                           password_form=PasswordResetForm(formdata=None), confirm=ConfirmForm()), \
        422 if form.errors else 200


@bp.post("/accounts/<int:organizer_id>/enabled")
@roles_required("admin")
def account_toggle(organizer_id: int):
    organizer = db.get_or_404(Organizer, organizer_id)
    if ConfirmForm().validate_on_submit():
        try:
            account_service.set_enabled(organizer, not organizer.is_enabled, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("admin.accounts"))
        db.session.commit()
        flash(_("Đã mở khóa tài khoản %(email)s.", email=organizer.email) if organizer.is_enabled
              else _("Đã khóa tài khoản %(email)s.", email=organizer.email), "success")
    return redirect(url_for("admin.accounts"))


@bp.post("/accounts/<int:organizer_id>/password")
@roles_required("admin")
def account_password(organizer_id: int):
    organizer = db.get_or_404(Organizer, organizer_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        account_service.reset_password(organizer, form.password.data, actor=current_user)
        db.session.commit()
        flash(_("Đã đặt mật khẩu mới cho %(email)s.", email=organizer.email), "success")
        return redirect(url_for("admin.accounts"))
    edit_form = _with_choices(AccountEditForm(formdata=None, obj=organizer))
    edit_form.unit_id.data = organizer.unit_id or 0
    edit_form.contest_ids.data = account_service.granted_contest_ids(organizer)
    return render_template("admin/account_form.html", form=edit_form, organizer=organizer,
                           password_form=form, confirm=ConfirmForm()), 422
