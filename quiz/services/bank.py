"""Storing questions from `question_bank` into the database, and reading them back."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

import secrets

from sqlalchemy import case, func

from question_bank import (FORMATS_WRITE, ImportResult, OptionData, Problem, QuestionBankError, QuestionData,
                           duplicate_key, find_duplicates, normalise_text, read_bytes, validate_question,
                           write_questions)
from question_bank.lint import SetReport
from question_bank.schema import normalise_question

from .. import clock
from ..errors import ConflictError, NotFoundError, ValidationError
from ..extensions import db
from ..models import Answer, Attempt, AttemptQuestion, LiveQuestion, Option, Organizer, Question, QuestionSet
from ..models.bank import fold_for_search
from . import audit, bank_lint, locks
from . import media as media_service


@dataclass
class StoreResult:
    question_set: QuestionSet
    added: int = 0
    duplicates: list[str] = field(default_factory=list)  # texts skipped: already in the set


def get_or_create_set(name: str, description: str = "") -> QuestionSet:
    name = normalise_text(name or "")
    if not name:
        raise ValidationError(_("Cần tên bộ câu hỏi."), fields={"set": [_("Bắt buộc nhập.")]})
    question_set = db.session.scalar(db.select(QuestionSet).filter_by(name=name))
    if question_set is None:
        question_set = QuestionSet(name=name, description=description)
        db.session.add(question_set)
        db.session.flush()
    return question_set


def existing_keys(question_set: QuestionSet) -> set[str]:
    return set(db.session.scalars(db.select(Question.text_key).filter_by(set_id=question_set.id)))


def store_questions(set_name: str, questions: list[QuestionData], *, description: str = "",
                    actor: Organizer | None = None) -> StoreResult:
    """Add questions to the named set (created if missing), skipping ones already in it."""
    question_set = get_or_create_set(set_name, description)
    keys = existing_keys(question_set)
    result = StoreResult(question_set=question_set)
    for data in questions:
        key = duplicate_key(data.text)[:512]
        if key in keys:
            result.duplicates.append(data.text)
            continue
        keys.add(key)
        db.session.add(question_from_data(media_service.store_question_images(data), question_set, key))
        result.added += 1
    db.session.flush()
    audit.record(actor, "bank.import", question_set, added=result.added, skipped=len(result.duplicates))
    return result


def _image_columns(image) -> dict:
    """Column values for an image already stored (see media_service.store_question_images)."""
    return {"image_sha256": image.sha256 if image else None, "image_alt": image.alt if image else ""}


def _options_from_data(data: QuestionData) -> list[Option]:
    return [Option(position=i, text=o.text, is_correct=o.is_correct, **_image_columns(o.image))
            for i, o in enumerate(data.options)]


def question_from_data(data: QuestionData, question_set: QuestionSet, key: str | None = None) -> Question:
    """A new Question row; `data`'s images must already be stored (known by hash)."""
    return Question(
        question_set=question_set, text=data.text, text_key=key or duplicate_key(data.text)[:512], kind=data.kind,
        explanation=data.explanation or "", topic=data.topic or "", difficulty=data.difficulty or 1,
        source=data.source or "", points=data.points or 1, options=_options_from_data(data),
        **_image_columns(data.image),
    )


def question_to_data(question: Question) -> QuestionData:
    """A stored question as the question bank carries it; images by hash, without their bytes."""
    return QuestionData(
        text=question.text, kind=question.kind,
        options=[OptionData(text=o.text, is_correct=o.is_correct,
                            image=media_service.image_of(o.image_sha256, o.image_alt)) for o in question.options],
        explanation=question.explanation, topic=question.topic, difficulty=question.difficulty,
        source=question.source, points=question.points,
        image=media_service.image_of(question.image_sha256, question.image_alt),
    )


# --- Browsing the bank ---------------------------------------------------------------------

PER_PAGE = 25


def search_questions_query(q: str = "", *, set_id: int | None = None, topic: str = "", difficulty: int | None = None,
                           kind: str = "", include_archived: bool = False):
    """A SELECT of questions matching every filter; `q` ignores case and Vietnamese accents."""
    query = db.select(Question).order_by(Question.id.desc())
    for word in fold_for_search(q).split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Question.search_text.like(f"%{escaped}%", escape="\\"))
    if set_id:
        query = query.where(Question.set_id == set_id)
    if topic:
        query = query.where(Question.topic == topic)
    if difficulty:
        query = query.where(Question.difficulty == difficulty)
    if kind:
        query = query.where(Question.kind == kind)
    if not include_archived:
        query = query.where(Question.is_archived.is_(False))
    return query


def list_sets() -> list[QuestionSet]:
    return list(db.session.scalars(db.select(QuestionSet).order_by(QuestionSet.name)))


def list_topics() -> list[str]:
    return list(db.session.scalars(db.select(Question.topic).where(Question.topic != "")
                                   .distinct().order_by(Question.topic)))


def set_question_counts() -> dict[int, int]:
    rows = db.session.execute(db.select(Question.set_id, func.count()).where(Question.is_archived.is_(False))
                              .group_by(Question.set_id))
    return dict(rows.all())


def answer_stats(question_ids: list[int]) -> dict[int, tuple[int, int]]:
    """`{question id: (times answered in finished attempts, times correct)}`, in one GROUP BY.

    A drawn question left blank counts as answered wrongly: it was shown and not got right.
    """
    if not question_ids:
        return {}
    correct = func.sum(case((Answer.is_correct.is_(True), 1), else_=0))
    query = (db.select(AttemptQuestion.question_id, func.count(AttemptQuestion.id), correct)
             .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
             .outerjoin(Answer, (Answer.attempt_id == AttemptQuestion.attempt_id)
                        & (Answer.question_id == AttemptQuestion.question_id))
             .where(AttemptQuestion.question_id.in_(question_ids), Attempt.submitted_at.is_not(None))
             .group_by(AttemptQuestion.question_id))
    return {qid: (int(n), int(ok or 0)) for qid, n, ok in db.session.execute(query)}


def times_drawn(question: Question) -> int:
    """How many attempts and live sessions drew the question (a live session draws when it is
    created, before any phone joins: its projector and phones show the options it stored)."""
    attempts = db.select(func.count()).select_from(AttemptQuestion).filter_by(question_id=question.id)
    sessions = db.select(func.count()).select_from(LiveQuestion).filter_by(question_id=question.id)
    return (db.session.scalar(attempts) or 0) + (db.session.scalar(sessions) or 0)


# --- Creating and editing one question ---------------------------------------------------------

def _validated(data: QuestionData) -> QuestionData:
    data = normalise_question(data)
    fields: dict[str, list[str]] = {}
    for name, message in validate_question(data):
        fields.setdefault(name or "text", []).append(message[:1].upper() + message[1:] + ".")
    if fields:
        raise ValidationError(_("Câu hỏi chưa hợp lệ: xem các lỗi bên dưới."), fields=fields)
    return data


def _check_unique(question_set: QuestionSet, key: str, question: Question | None) -> None:
    other = db.session.scalar(db.select(Question).filter_by(set_id=question_set.id, text_key=key))
    if other is not None and other is not question:
        raise ValidationError(_("Bộ câu hỏi này đã có câu hỏi giống hệt (câu số %(id)d).", id=other.id),
                              fields={"text": [_("Bộ câu hỏi này đã có câu hỏi giống hệt (câu số %(id)d).",
                                                 id=other.id)]})


def create_question(question_set: QuestionSet, data: QuestionData, *, actor: Organizer | None = None) -> Question:
    data = media_service.store_question_images(_validated(data))
    key = duplicate_key(data.text)[:512]
    _check_unique(question_set, key, None)
    question = question_from_data(data, question_set, key)
    db.session.add(question)
    db.session.flush()
    audit.record(actor, "question.create", question, set=question_set.name)
    return question


def _content(data: QuestionData) -> tuple:
    """What a participant saw: text, kind, options with their marks, and every image with its alt."""
    def image(i):
        return (i.sha256, i.alt) if i is not None else None
    return (data.text, data.kind, image(data.image), [(o.text, o.is_correct, image(o.image)) for o in data.options])


def update_question(question: Question, question_set: QuestionSet, data: QuestionData, *,
                    actor: Organizer | None = None) -> Question:
    """Save an edit. Once a question has been drawn, what participants saw (text, kind, options,
    correct marks) is frozen: such an edit raises ConflictError and the caller may offer
    `replace_with_copy` instead; explanation, topic, difficulty, source and points stay editable."""
    data = media_service.store_question_images(_validated(data))
    key = duplicate_key(data.text)[:512]
    content_changed = _content(data) != _content(question_to_data(question))
    if content_changed or question_set.id != question.set_id:
        # What a start draws changes: lock first, then "drawn?" (a start drawing it now is waited
        # for, locks.py), on the question as it is now. Points or an explanation need no lock.
        locks.lock_question(question)
        content_changed = _content(data) != _content(question_to_data(question))
    if (content_changed or question_set.id != question.set_id) and times_drawn(question):
        raise ConflictError(_("Câu hỏi này đã được dùng trong các lượt thi nên không thể sửa nội dung, "
                              "phương án hay bộ câu hỏi (để kết quả cũ giữ nguyên). Hãy tạo bản sao để sửa."))
    _check_unique(question_set, key, question)
    if content_changed:
        question.text, question.text_key, question.kind = data.text, key, data.kind
        question.image_sha256, question.image_alt = _image_columns(data.image).values()
        question.options.clear()
        db.session.flush()  # free (question, position) before the new options take the same places
        question.options.extend(_options_from_data(data))
        # Options alone may have changed: the question's row must move too (question_pool.py keeps
        # what phones are shown and checks `updated_at` to know it is current).
        question.updated_at = clock.utcnow()
    question.question_set = question_set
    question.explanation, question.topic, question.source = data.explanation, data.topic, data.source
    question.difficulty, question.points = data.difficulty, data.points
    db.session.flush()
    audit.record(actor, "question.update", question, content_changed=content_changed or None)
    return question


def phone_preview(question: Question) -> dict:
    """The question as a participant's phone shows it (same shape as attempt_data.question_items)."""
    media = media_service.preload([question.image_sha256] + [o.image_sha256 for o in question.options])
    return {"text": question.text, "kind": question.kind,
            "image": media_service.image_ref(question.image_sha256, question.image_alt, media),
            "options": [{"id": o.id, "text": o.text,
                         "image": media_service.image_ref(o.image_sha256, o.image_alt, media)}
                        for o in question.options]}


def archive_question(question: Question, *, actor: Organizer | None = None) -> None:
    """Retire a question: never drawn again, kept for the attempts that saw it.

    Its duplicate key is released so a corrected copy may reuse the same text in the set.
    """
    if not question.is_archived:
        question.is_archived = True
        question.text_key = f"{question.text_key[:480]}#luu-tru-{secrets.token_hex(8)}"
        db.session.flush()
        audit.record(actor, "question.archive", question)


def replace_with_copy(question: Question, question_set: QuestionSet, data: QuestionData, *,
                      actor: Organizer | None = None) -> Question:
    """Archive a drawn question and save the edited version as a new one."""
    data = _validated(data)
    archive_question(question, actor=actor)
    copy = create_question(question_set, data, actor=actor)
    audit.record(actor, "question.copy", copy, copied_from=question.id)
    return copy


def remove_question(question: Question, *, actor: Organizer | None = None) -> str:
    """Delete a question never drawn; archive one that was. Returns "deleted" or "archived"."""
    locks.lock_question(question)
    if times_drawn(question):
        archive_question(question, actor=actor)
        return "archived"
    audit.record(actor, "question.delete", question, text=question.text[:200])
    db.session.delete(question)
    db.session.flush()
    return "deleted"


# --- Import with a preview, and export ---------------------------------------------------------

PREVIEW_ROWS = 200


@dataclass
class ImportPreview:
    filename: str
    format: str = ""
    set_name: str = ""
    set_exists: bool = False
    questions: list[QuestionData] = field(default_factory=list)
    marks: list[str] = field(default_factory=list)   # per question: "", "in_file" or "in_set"
    errors: list[Problem] = field(default_factory=list)
    duplicates: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # kept questions, something in them not
    lint: SetReport | None = None  # the linter's advice per question (never blocks the import)

    @property
    def new_count(self) -> int:
        return sum(1 for m in self.marks if not m)

    # The page lists at most PREVIEW_ROWS of each list: a file of 20,000 questions (or duplicates)
    # is counted in full but not drawn in full (the page once weighed 99 MB).
    @property
    def shown(self) -> list[tuple[QuestionData, str]]:
        return list(zip(self.questions[:PREVIEW_ROWS], self.marks))

    @property
    def not_shown(self) -> int:
        return max(0, len(self.questions) - PREVIEW_ROWS)

    @property
    def shown_duplicates(self) -> list[Problem]:
        return self.duplicates[:PREVIEW_ROWS]

    @property
    def shown_skipped(self) -> list[Problem]:
        return self.skipped[:PREVIEW_ROWS]


def preview_import(data: bytes, filename: str, set_name: str = "", *, with_lint: bool = True) -> ImportPreview:
    """Read a file of any supported format and say what importing it into `set_name` would do.

    Never writes. Errors come back in `errors` (file, line, field, message); duplicates within the
    file or already in the target set are marked per question and listed in `duplicates`.
    """
    preview = ImportPreview(filename=filename)
    try:
        result: ImportResult = read_bytes(data, filename)
    except QuestionBankError as error:
        preview.errors = error.problems
        preview.set_name = normalise_text(set_name or "")
        return preview
    preview.format, preview.questions, preview.skipped = result.format, result.questions, result.skipped
    preview.warnings = result.warnings
    preview.errors = media_service.check_import_images(result, filename)
    if preview.errors:
        return preview
    preview.set_name = normalise_text(set_name or result.set_name or _stem(filename))
    target = db.session.scalar(db.select(QuestionSet).filter_by(name=preview.set_name))
    preview.set_exists = target is not None
    in_set = existing_keys(target) if target is not None else set()
    seen: set[str] = set()
    for question in result.questions:
        key = duplicate_key(question.text)[:512]
        preview.marks.append("in_file" if key in seen else "in_set" if key in in_set else "")
        seen.add(key)
    preview.duplicates = list(result.duplicates) + [
        p for p in find_duplicates(result.questions, in_set, file=filename) if "đã có" in p.message]
    if with_lint:
        preview.lint = bank_lint.lint_import(result.questions, target)
    return preview


def _stem(filename: str) -> str:
    name = (filename or "").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name


def import_file(data: bytes, filename: str, set_name: str = "", *, actor: Organizer | None = None) -> tuple[ImportPreview, StoreResult]:
    """Import every question of the file into the set, or nothing if the file has any error."""
    preview = preview_import(data, filename, set_name, with_lint=False)
    if preview.errors:
        raise ValidationError(_("Không nhập câu nào: tệp %(name)s có %(n)d lỗi.", name=filename, n=len(preview.errors)),
                              problems=[str(p) for p in preview.errors])
    stored = store_questions(preview.set_name, preview.questions, actor=actor)
    return preview, stored


EXPORT_TYPES = {
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": ("csv", "text/csv; charset=utf-8"),
    "gift": ("gift.txt", "text/plain; charset=utf-8"),
    "aiken": ("aiken.txt", "text/plain; charset=utf-8"),
    "json": ("json", "application/json"),
    "moodle_xml": ("moodle.xml", "application/xml"),
}


def export_set(question_set: QuestionSet, fmt: str) -> bytes:
    """The set's active questions in a writable format (xlsx, csv, gift, aiken, json, moodle_xml)."""
    if fmt not in FORMATS_WRITE:
        raise NotFoundError(_("Không có định dạng xuất %(fmt)s.", fmt=fmt))
    questions = media_service.with_image_bytes(
        [question_to_data(q) for q in question_set.questions if not q.is_archived])
    try:
        return write_questions(questions, fmt, question_set.name)
    except QuestionBankError as error:  # e.g. Aiken cannot hold multiple-answer questions
        raise ValidationError(_("Không xuất được bộ câu hỏi ở định dạng %(fmt)s.", fmt=fmt),
                              problems=[str(p) for p in error.problems]) from error
