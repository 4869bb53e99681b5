"""Rosters screen: every unit's staff list (a unit contact: their subtree's), import with a
preview then a confirmation, and single-entry edits."""
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import DomainError, ForbiddenError, ValidationError
from ...extensions import db
from ...forms.accounts import ConfirmForm
from ...forms.rosters import RosterEntryForm
from ...forms.units import UnitImportForm, UploadConfirmForm
from ...models import RosterEntry, Unit
from ...services import permissions, uploads
from ...services.rosters import entries as roster_entries
from ...services.rosters.importing import import_roster_file, sample_csv
from ...services.units import unit_tree_rows
from ..access import roles_required
from . import bp
from .helpers import apply_field_errors

UPLOAD_PURPOSE = "rosters"
ROLES = ("admin", "organizer", "unit")


def roster_unit_or_404(code: str) -> Unit:
    """A unit whose roster the user may read; 404 for any other (a contact never learns of it)."""
    unit = db.session.scalar(db.select(Unit).filter_by(code=code))
    if unit is None or not roster_entries.can_read_roster(current_user, unit):
        abort(404)
    return unit


def _entry_or_404(entry_id: int) -> RosterEntry:
    entry = db.get_or_404(RosterEntry, entry_id)
    if not roster_entries.can_read_roster(current_user, entry.unit):
        abort(404)
    return entry


def _check_may_edit() -> None:
    """A 403 saying why for an organizer (they read rosters, never change them)."""
    if not roster_entries.may_edit_rosters(current_user):
        raise ForbiddenError(str(roster_entries.ORGANIZER_READ_ONLY))


def _rights(unit: Unit) -> dict:
    return {"can_edit": roster_entries.can_manage_roster(current_user, unit),
            "can_remove": roster_entries.can_manage_roster(current_user, unit)
            and roster_entries.may_remove_entries(current_user)}


@bp.get("/rosters")
@roles_required(*ROLES)
def rosters():
    visible = permissions.visible_unit_ids(current_user)
    rows, _total = unit_tree_rows()
    rows = [r for r in rows if visible is None or r.unit.id in visible]
    sizes = roster_entries.roster_sizes(r.unit.id for r in rows)
    return render_template("admin/rosters/index.html", rows=rows, sizes=sizes,
                           total=sum(sizes.values()), can_edit=roster_entries.may_edit_rosters(current_user))


@bp.get("/rosters/template.csv")
@roles_required(*ROLES)
def rosters_template():
    return Response(sample_csv(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=danh-sach-can-bo-mau.csv"})


@bp.route("/rosters/import", methods=["GET", "POST"])
@roles_required(*ROLES)
def rosters_import():
    """Step 1 uploads and shows what would change (nothing written); step 2 confirms by token."""
    _check_may_edit()
    form = UnitImportForm()
    if not form.validate_on_submit():
        return render_template("admin/rosters/import.html", form=form, preview=None)
    data, filename = form.file.data.read(), form.file.data.filename or "danh-sach.csv"
    try:
        preview = import_roster_file(data, filename, actor=current_user, dry_run=True)
    except ValidationError as error:
        db.session.rollback()
        return render_template("admin/rosters/import.html", form=form, preview=None, error=error,
                               filename=filename), 422
    token = uploads.save_upload(current_app.instance_path, data, filename, UPLOAD_PURPOSE)
    return render_template("admin/rosters/import.html", form=form, preview=preview, filename=filename,
                           confirm=UploadConfirmForm(formdata=None, token=token))


@bp.post("/rosters/import/confirm")
@roles_required(*ROLES)
def rosters_import_confirm():
    _check_may_edit()
    form = UploadConfirmForm()
    if not form.validate_on_submit():
        flash(_("Phiên nhập đã hết hạn. Vui lòng tải tệp lên lại."), "error")
        return redirect(url_for("admin.rosters_import"))
    try:
        data, filename = uploads.load_upload(current_app.instance_path, form.token.data, UPLOAD_PURPOSE)
        result = import_roster_file(data, filename, actor=current_user)
    except ValidationError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("admin.rosters_import"))
    db.session.commit()
    uploads.discard_upload(current_app.instance_path, form.token.data)
    flash(_("Đã nhập danh sách: %(n)d người của %(u)d đơn vị.", n=result.entries, u=len(result.units)), "success")
    return redirect(url_for("admin.rosters"))


@bp.route("/rosters/units/<unit_code>", methods=["GET", "POST"])
@roles_required(*ROLES)
def roster_unit(unit_code: str):
    """A unit's roster, with a form that adds one person."""
    unit = roster_unit_or_404(unit_code)
    form = RosterEntryForm()
    if request.method == "POST":
        roster_entries.check_roster_access(current_user, unit)
    if form.validate_on_submit():
        try:
            entry = roster_entries.save_entry(unit, form.values(), actor=current_user)
        except DomainError as error:
            db.session.rollback()
            apply_field_errors(form, error)
        else:
            db.session.commit()
            flash(_("Đã thêm %(name)s vào danh sách.", name=entry.full_name), "success")
            return redirect(url_for("admin.roster_unit", unit_code=unit.code))
    return render_template("admin/rosters/unit.html", unit=unit, entries=roster_entries.unit_roster(unit),
                           form=form, confirm=ConfirmForm(), **_rights(unit)), 422 if form.errors else 200


@bp.route("/rosters/entries/<int:entry_id>", methods=["GET", "POST"])
@roles_required(*ROLES)
def roster_entry(entry_id: int):
    entry = _entry_or_404(entry_id)
    form = RosterEntryForm(obj=entry)
    if request.method == "POST":
        roster_entries.check_roster_access(current_user, entry.unit)
    if form.validate_on_submit():
        try:
            roster_entries.save_entry(entry.unit, form.values(), entry=entry, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            apply_field_errors(form, error)
        else:
            db.session.commit()
            flash(_("Đã lưu %(name)s.", name=entry.full_name), "success")
            return redirect(url_for("admin.roster_unit", unit_code=entry.unit.code))
    return render_template("admin/rosters/entry.html", entry=entry, unit=entry.unit, form=form,
                           confirm=ConfirmForm(), **_rights(entry.unit)), 422 if form.errors else 200


@bp.post("/rosters/entries/<int:entry_id>/delete")
@roles_required(*ROLES)
def roster_entry_delete(entry_id: int):
    entry = _entry_or_404(entry_id)
    unit_code, name = entry.unit.code, entry.full_name
    roster_entries.check_roster_access(current_user, entry.unit)
    if ConfirmForm().validate_on_submit():
        try:
            roster_entries.delete_entry(entry, actor=current_user)
        except ForbiddenError as error:  # a quiz is open: say whom to ask
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("admin.roster_entry", entry_id=entry_id))
        db.session.commit()
        flash(_("Đã xóa %(name)s khỏi danh sách.", name=name), "success")
    return redirect(url_for("admin.roster_unit", unit_code=unit_code))
