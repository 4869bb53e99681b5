"""The question linter (question_bank.lint) applied to stored sets, a question being edited, an import.

Warnings never block a save or an import: they are advice shown beside the question. Stored questions
are named "câu số <id>" (the number the bank list shows); questions of a file by their row in the
preview ("câu 3").
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import selectinload

from question_bank import OptionData, QuestionData, normalise_text
from question_bank.lint import CODES, LintWarning, SetReport, lint_set

from ..extensions import db
from ..models import Question, QuestionSet


@dataclass
class StoredSetLint:
    question_set: QuestionSet
    report: SetReport
    questions: list[Question]

    def by_question_id(self) -> dict[int, list[LintWarning]]:
        return {q.id: ws for q, ws in zip(self.questions, self.report.warnings) if ws}


def _data(question: Question) -> QuestionData:
    """What the linter reads of a stored question (images play no part in it)."""
    return QuestionData(text=question.text, kind=question.kind,
                        options=[OptionData(o.text, o.is_correct) for o in question.options],
                        explanation=question.explanation, source=question.source, topic=question.topic,
                        difficulty=question.difficulty, points=question.points)


def _label(question: Question) -> str:
    # Not translated: it is part of the linter's messages, which question_bank writes in Vietnamese.
    return f"câu số {question.id}"


def _active(set_id: int, exclude_id: int | None = None) -> list[Question]:
    query = (db.select(Question).options(selectinload(Question.options))
             .where(Question.set_id == set_id, Question.is_archived.is_(False)).order_by(Question.id))
    if exclude_id is not None:
        query = query.where(Question.id != exclude_id)
    return list(db.session.scalars(query))


def lint_stored_set(question_set: QuestionSet) -> StoredSetLint:
    """Every active question of the set, linted together."""
    questions = _active(question_set.id)
    report = lint_set([_data(q) for q in questions], labels=[_label(q) for q in questions])
    return StoredSetLint(question_set, report, questions)


def lint_draft(data: QuestionData, set_id: int | None, question_id: int | None = None,
               new_set: str = "") -> list[LintWarning]:
    """Warnings about a question as typed in the editor, compared with the rest of its set: the set
    named in `new_set` when one is typed (as saving does), else the chosen `set_id`."""
    if (new_set or "").strip():
        named = db.session.scalar(db.select(QuestionSet).filter_by(name=normalise_text(new_set)))
        set_id = named.id if named is not None else None
    others = _active(set_id, exclude_id=question_id) if set_id else []
    report = lint_set([data], context=[_data(q) for q in others], labels=["câu này"],
                      context_labels=[_label(q) for q in others])
    return report.warnings[0]


def lint_import(questions: list[QuestionData], question_set: QuestionSet | None) -> SetReport:
    """The questions of a file, compared with each other and with the target set's stored ones."""
    others = _active(question_set.id) if question_set is not None else []
    return lint_set(questions, context=[_data(q) for q in others],
                    context_labels=[_label(q) for q in others])


def code_names() -> dict[str, str]:
    return dict(CODES)
