"""Units screen: the tree with headcounts and totals, add/edit/move/delete, import with a preview."""
from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import DomainError, ValidationError
from ...extensions import db
from ...forms.accounts import ConfirmForm
from ...forms.units import UnitForm, UnitImportForm, UploadConfirmForm
from ...models import Unit
from ...services import units as unit_service
from ...services import permissions, uploads
from ..access import roles_required, shared_data_admins_only
from . import bp
from .helpers import apply_field_errors

UPLOAD_PURPOSE = "units"


@bp.get("/units")
@roles_required("admin", "organizer")
def units():
    rows, total = unit_service.unit_tree_rows()
    return render_template("admin/units.html", rows=rows, total=total, confirm=ConfirmForm(),
                           can_edit=permissions.can_change_shared_data(current_user))


def _unit_form_page(form: UnitForm, unit: Unit | None):
    return render_template("admin/unit_form.html", form=form, unit=unit, confirm=ConfirmForm()), \
        422 if form.errors else 200


@bp.route("/units/new", methods=["GET", "POST"])
@shared_data_admins_only("units")
def unit_new():
    form = UnitForm()
    form.set_parents(unit_service.units_in_tree_order())
    if form.validate_on_submit():
        try:
            unit = unit_service.create_unit(form.code.data, form.name.data, headcount=form.headcount.data,
                                            parent=db.session.get(Unit, form.parent_id.data or 0),
                                            actor=current_user)
        except DomainError as error:
            db.session.rollback()
            apply_field_errors(form, error)
        else:
            db.session.commit()
            flash(_("Đã thêm đơn vị %(name)s.", name=unit.name), "success")
            return redirect(url_for("admin.units"))
    return _unit_form_page(form, None)


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@shared_data_admins_only("units")
def unit_edit(unit_id: int):
    unit = db.get_or_404(Unit, unit_id)
    form = UnitForm(obj=unit)
    form.set_parents(unit_service.units_in_tree_order(), exclude=unit)
    if not form.is_submitted():
        form.parent_id.data = unit.parent_id or 0
    if form.validate_on_submit():
        try:
            unit_service.update_unit(unit, form.code.data, form.name.data, headcount=form.headcount.data,
                                     parent=db.session.get(Unit, form.parent_id.data or 0), actor=current_user)
        except DomainError as error:
            db.session.rollback()
            apply_field_errors(form, error)
        else:
            db.session.commit()
            flash(_("Đã lưu đơn vị %(name)s.", name=unit.name), "success")
            return redirect(url_for("admin.units"))
    return _unit_form_page(form, unit)


@bp.post("/units/<int:unit_id>/delete")
@shared_data_admins_only("units")
def unit_delete(unit_id: int):
    unit = db.get_or_404(Unit, unit_id)
    if ConfirmForm().validate_on_submit():
        name = unit.name
        try:
            unit_service.delete_unit(unit, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("admin.unit_edit", unit_id=unit_id))
        db.session.commit()
        flash(_("Đã xóa đơn vị %(name)s.", name=name), "success")
    return redirect(url_for("admin.units"))


@bp.get("/units/sample.csv")
@roles_required("admin", "organizer")
def units_sample():
    return Response(unit_service.sample_csv(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=don-vi-mau.csv"})


@bp.route("/units/import", methods=["GET", "POST"])
@shared_data_admins_only("units")
def units_import():
    """Step 1 uploads and shows what would change (nothing written); step 2 confirms by token."""
    form = UnitImportForm()
    if not form.validate_on_submit():
        return render_template("admin/units_import.html", form=form, preview=None)
    data, filename = form.file.data.read(), form.file.data.filename or "don-vi.csv"
    try:
        preview = unit_service.import_units_file(data, filename, dry_run=True)
    except ValidationError as error:
        db.session.rollback()
        return render_template("admin/units_import.html", form=form, preview=None, error=error,
                               filename=filename), 422
    token = uploads.save_upload(current_app.instance_path, data, filename, UPLOAD_PURPOSE)
    return render_template("admin/units_import.html", form=form, preview=preview, filename=filename,
                           confirm=UploadConfirmForm(formdata=None, token=token))


@bp.post("/units/import/confirm")
@shared_data_admins_only("units")
def units_import_confirm():
    form = UploadConfirmForm()
    if not form.validate_on_submit():
        flash(_("Phiên nhập đã hết hạn. Vui lòng tải tệp lên lại."), "error")
        return redirect(url_for("admin.units_import"))
    try:
        data, filename = uploads.load_upload(current_app.instance_path, form.token.data, UPLOAD_PURPOSE)
        result = unit_service.import_units_file(data, filename, actor=current_user)
    except ValidationError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("admin.units_import"))
    db.session.commit()
    uploads.discard_upload(current_app.instance_path, form.token.data)
    flash(_("Đã nhập đơn vị: thêm %(c)d, cập nhật %(u)d, giữ nguyên %(n)d.", c=len(result.created),
            u=len(result.updated), n=len(result.unchanged)), "success")
    return redirect(url_for("admin.units"))
