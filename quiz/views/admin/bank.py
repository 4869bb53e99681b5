"""Question bank screen: search and filter, create/edit one question, archive or delete, export."""
from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from question_bank import ImageData, OptionData, QuestionData, write_template

from ...errors import ConflictError, DomainError, ValidationError
from ...extensions import db
from ...forms.accounts import ConfirmForm
from ...forms.bank import MAX_OPTIONS, BankSearchForm, QuestionForm
from ...models import Question, QuestionSet
from ...services import bank as bank_service
from ...services import bank_lint, permissions
from .. import filter_form, int_arg
from ..access import roles_required, shared_data_admins_only
from . import bp
from .helpers import apply_field_errors


@bp.get("/bank")
@roles_required("admin", "organizer")
def bank():
    form = filter_form(BankSearchForm)
    sets = bank_service.list_sets()
    form.set_id.choices = [(0, _("Mọi bộ"))] + [(s.id, s.name) for s in sets]
    form.topic.choices = [("", _("Mọi chủ đề"))] + [(t, t) for t in bank_service.list_topics()]
    query = bank_service.search_questions_query(
        form.q.data or "", set_id=form.set_id.data or None, topic=form.topic.data or "",
        difficulty=form.difficulty.data or None, kind=form.kind.data or "", include_archived=form.archived.data)
    page = db.paginate(query, page=int_arg("page", 1), per_page=bank_service.PER_PAGE,
                       error_out=False)
    stats = bank_service.answer_stats([q.id for q in page.items])
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    can_edit = permissions.can_change_shared_data(current_user)
    chosen = db.session.get(QuestionSet, form.set_id.data) if form.set_id.data else None
    # The linter's messages name correct answers ("«22/12/2024» is the answer of question 3"): only for
    # those who may see the answers, as the export with answers is.
    lint = bank_lint.lint_stored_set(chosen) if chosen is not None and can_edit else None
    return render_template("admin/bank.html", form=form, page=page, stats=stats, sets=sets, args=args,
                           set_counts=bank_service.set_question_counts(), lint=lint,
                           lint_by_id=lint.by_question_id() if lint else {}, lint_names=bank_lint.code_names(),
                           can_edit=can_edit)


def _question_form(question: Question | None = None) -> QuestionForm:
    form = QuestionForm(obj=question)
    form.set_id.choices = [(s.id, s.name) for s in bank_service.list_sets()]
    if question is not None and not form.is_submitted():
        form.set_id.data = question.set_id
        form.image_keep.data, form.image_alt.data = question.image_sha256 or "", question.image_alt
        for entry, option in zip(form.options.entries, question.options):
            entry.form.text.data, entry.form.is_correct.data = option.text, option.is_correct
            entry.form.image_keep.data, entry.form.image_alt.data = option.image_sha256 or "", option.image_alt
    elif question is None and not form.is_submitted():
        form.set_id.data = int_arg("set_id", 0)
    return form


def _image_data(fields) -> ImageData | None:
    """What an image slot of the form asks for: a new upload, the stored image kept, or none."""
    if fields.image_remove.data:
        return None
    upload, alt = fields.image.data, fields.image_alt.data or ""
    if upload is not None and getattr(upload, "filename", ""):
        return ImageData(upload.read(), upload.filename, alt)
    keep = (fields.image_keep.data or "").strip()
    return ImageData(b"", f"{keep}.webp", alt, sha256=keep) if keep else None


def _form_data(form: QuestionForm, with_images: bool = True) -> QuestionData:
    image_of = _image_data if with_images else (lambda fields: None)
    rows = [(e.form.text.data or "", bool(e.form.is_correct.data), image_of(e.form)) for e in form.options.entries]
    options = [OptionData(text, correct, image) for text, correct, image in rows if text.strip() or image]
    if form.kind.data == "true_false" and not options:
        # A true/false question needs no typing: its options are always "Đúng" and "Sai".
        options = [OptionData("Đúng", rows[0][1]), OptionData("Sai", rows[1][1])]
    return QuestionData(text=form.text.data or "", kind=form.kind.data, options=options,
                        explanation=form.explanation.data or "", topic=form.topic.data or "",
                        difficulty=form.difficulty.data or 1, source=form.source.data or "",
                        points=form.points.data or 1, image=image_of(form))


def _target_set(form: QuestionForm) -> QuestionSet:
    if (form.new_set.data or "").strip():
        return bank_service.get_or_create_set(form.new_set.data)
    question_set = db.session.get(QuestionSet, form.set_id.data or 0)
    if question_set is None:
        raise ValidationError(_("Hãy chọn bộ câu hỏi hoặc nhập tên bộ mới."),
                          fields={"set_id": [_("Hãy chọn bộ câu hỏi hoặc nhập tên bộ mới.")]})
    return question_set


def draft_warnings(form: QuestionForm, question: Question | None):
    """The linter's advice on the question as the form holds it (typed, or as stored on a first visit);
    none for a form not yet started."""
    if not (form.text.data or "").strip():
        return []
    return bank_lint.lint_draft(_form_data(form, with_images=False), form.set_id.data or None,
                                question.id if question else None, new_set=form.new_set.data or "")


def _render_form(form, question, option_errors=(), locked=False, status=200):
    return render_template("admin/question_form.html", form=form, question=question, option_errors=option_errors,
                           locked=locked, confirm=ConfirmForm(), max_options=MAX_OPTIONS,
                           lint_warnings=draft_warnings(form, question), lint_names=bank_lint.code_names(),
                           preview=bank_service.phone_preview(question) if question else None,
                           drawn=bank_service.times_drawn(question) if question else 0), status


def _save(form: QuestionForm, question: Question | None):
    """Validate and save; on a rule broken, the form again with each message by its field."""
    try:
        question_set = _target_set(form)
        data = _form_data(form)
        if question is None:
            saved = bank_service.create_question(question_set, data, actor=current_user)
        elif "save_copy" in request.form:
            saved = bank_service.replace_with_copy(question, question_set, data, actor=current_user)
        else:
            saved = bank_service.update_question(question, question_set, data, actor=current_user)
    except ConflictError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _render_form(form, question, locked=True, status=409)
    except DomainError as error:
        db.session.rollback()
        option_errors = error.fields.pop("options", []) + error.fields.pop("correct", [])
        apply_field_errors(form, error, aliases={"set": "new_set"})
        return _render_form(form, question, option_errors, status=422)
    warnings = bank_lint.lint_draft(bank_service.question_to_data(saved), saved.set_id, saved.id)
    db.session.commit()
    flash(_("Đã lưu câu hỏi số %(id)d.", id=saved.id), "success")
    if warnings:  # advice, never a refusal: shown once after the save for browsers without JavaScript
        flash(_("Câu hỏi số %(id)d có %(n)d cảnh báo về cách ra đề: %(list)s", id=saved.id, n=len(warnings),
                list=" · ".join(w.message for w in warnings)), "warning")
    return redirect(url_for("admin.bank", set_id=saved.set_id))


@bp.route("/bank/questions/new", methods=["GET", "POST"])
@shared_data_admins_only("bank")
def bank_question_new():
    form = _question_form()
    if form.validate_on_submit():
        return _save(form, None)
    return _render_form(form, None, status=422 if form.errors else 200)


@bp.route("/bank/questions/<int:question_id>", methods=["GET", "POST"])
@shared_data_admins_only("bank")
def bank_question_edit(question_id: int):
    question = db.get_or_404(Question, question_id)
    form = _question_form(question)
    if form.validate_on_submit():
        return _save(form, question)
    return _render_form(form, question, status=422 if form.errors else 200)


@bp.post("/bank/questions/lint")
@bp.post("/bank/questions/<int:question_id>/lint")
@shared_data_admins_only("bank")
def bank_question_lint(question_id: int | None = None):
    """The editor's check as you type (JSON, CSRF-protected like every POST): the linter's warnings
    about the question as typed, compared with the rest of the chosen set. Nothing is saved."""
    question = db.get_or_404(Question, question_id) if question_id is not None else None
    form = _question_form(question)
    warnings, names = draft_warnings(form, question), bank_lint.code_names()
    return jsonify({"count": len(warnings), "empty": not (form.text.data or "").strip(),
                    "warnings": [{"code": w.code, "label": names[w.code], "field": w.field, "message": w.message}
                                 for w in warnings]})


@bp.post("/bank/questions/<int:question_id>/remove")
@shared_data_admins_only("bank")
def bank_question_remove(question_id: int):
    question = db.get_or_404(Question, question_id)
    if ConfirmForm().validate_on_submit():
        outcome = bank_service.remove_question(question, actor=current_user)
        db.session.commit()
        flash(_("Câu hỏi đã được dùng trong lượt thi nên được lưu trữ (không bị xóa, không bốc thăm nữa).")
              if outcome == "archived" else _("Đã xóa câu hỏi."), "success")
    return redirect(url_for("admin.bank"))


@bp.get("/bank/sets/<int:set_id>/export/<fmt>")
@shared_data_admins_only("bank")
def bank_export(set_id: int, fmt: str):
    question_set = db.get_or_404(QuestionSet, set_id)
    data = bank_service.export_set(question_set, fmt)
    suffix, mimetype = bank_service.EXPORT_TYPES[fmt]
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename=bo-cau-hoi-{set_id}.{suffix}"})


@bp.get("/bank/template.xlsx")
@roles_required("admin", "organizer")
def bank_template():
    return Response(write_template(), mimetype=bank_service.EXPORT_TYPES["xlsx"][1],
                    headers={"Content-Disposition": "attachment; filename=mau-cau-hoi.xlsx"})
