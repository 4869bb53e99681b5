"""Question import wizard: upload → preview (every error, every duplicate) → confirm, all or nothing."""
from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import ValidationError
from ...extensions import db
from ...forms.bank import BankImportConfirmForm, BankImportForm
from ...models import QuestionSet
from ...services import bank as bank_service
from ...services import bank_lint, uploads
from ..access import shared_data_admins_only
from . import bp

UPLOAD_PURPOSE = "bank"


def _import_form() -> BankImportForm:
    form = BankImportForm()
    form.set_id.choices = [(0, _("— Theo tên tệp / bộ mới —"))] + [(s.id, s.name) for s in bank_service.list_sets()]
    return form


@bp.route("/bank/import", methods=["GET", "POST"])
@shared_data_admins_only("bank")
def bank_import():
    form = _import_form()
    if not form.validate_on_submit():
        return render_template("admin/bank_import.html", form=form, preview=None), 422 if form.errors else 200
    data, filename = form.file.data.read(), form.file.data.filename or "cau-hoi"
    chosen = db.session.get(QuestionSet, form.set_id.data or 0)
    set_name = (form.new_set.data or "").strip() or (chosen.name if chosen else "")
    preview = bank_service.preview_import(data, filename, set_name)
    confirm = None
    if not preview.errors:
        token = uploads.save_upload(current_app.instance_path, data, filename, UPLOAD_PURPOSE)
        confirm = BankImportConfirmForm(formdata=None, token=token, set_name=preview.set_name)
    return render_template("admin/bank_import.html", form=form, preview=preview, confirm=confirm,
                           lint_names=bank_lint.code_names(), status=422 if preview.errors else 200), 422 if preview.errors else 200


@bp.post("/bank/import/confirm")
@shared_data_admins_only("bank")
def bank_import_confirm():
    form = BankImportConfirmForm()
    if not form.validate_on_submit():
        flash(_("Phiên nhập đã hết hạn. Vui lòng tải tệp lên lại."), "error")
        return redirect(url_for("admin.bank_import"))
    try:
        data, filename = uploads.load_upload(current_app.instance_path, form.token.data, UPLOAD_PURPOSE)
        _preview, stored = bank_service.import_file(data, filename, form.set_name.data, actor=current_user)
    except ValidationError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("admin.bank_import"))
    db.session.commit()
    uploads.discard_upload(current_app.instance_path, form.token.data)
    flash(_("Đã nhập %(n)d câu hỏi vào bộ “%(set)s”; bỏ qua %(d)d câu trùng.", n=stored.added,
            set=stored.question_set.name, d=len(stored.duplicates)), "success")
    return redirect(url_for("admin.bank", set_id=stored.question_set.id))
