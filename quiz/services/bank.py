"""Storing questions from `question_bank` into the database, and reading them back."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from question_bank import OptionData, QuestionData, duplicate_key, normalise_text

from ..errors import ValidationError
from ..extensions import db
from ..models import Option, Organizer, Question, QuestionSet
from . import audit


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
        db.session.add(question_from_data(data, question_set, key))
        result.added += 1
    db.session.flush()
    audit.record(actor, "bank.import", question_set, added=result.added, skipped=len(result.duplicates))
    return result


def question_from_data(data: QuestionData, question_set: QuestionSet, key: str | None = None) -> Question:
    return Question(
        question_set=question_set, text=data.text, text_key=key or duplicate_key(data.text)[:512], kind=data.kind,
        explanation=data.explanation or "", topic=data.topic or "", difficulty=data.difficulty or 1,
        source=data.source or "", points=data.points or 1,
        options=[Option(position=i, text=o.text, is_correct=o.is_correct) for i, o in enumerate(data.options)],
    )


def question_to_data(question: Question) -> QuestionData:
    return QuestionData(
        text=question.text, kind=question.kind,
        options=[OptionData(text=o.text, is_correct=o.is_correct) for o in question.options],
        explanation=question.explanation, topic=question.topic, difficulty=question.difficulty,
        source=question.source, points=question.points,
    )
