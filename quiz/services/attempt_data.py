"""What a participant may see of an attempt, as plain dicts for the pages and the API alike.

Nothing here before the quiz closes carries correctness (is_correct, correct_mask, explanation):
`question_items` and `saved_answers` are the only shapes sent while the attempt runs.
"""
from __future__ import annotations

import math
from datetime import datetime

from .. import clock
from ..extensions import db
from ..models import Attempt, AttemptQuestion, QuestionCorrection, Quiz
from . import attempts as attempt_service
from . import media as media_service
from .rankings.question_stats import unsettled_question_ids
from .rankings.units import Standing, attempt_standing
from .units import unit_picker_items


def quiz_info(quiz: Quiz, now: datetime) -> dict:
    """The public description of a quiz (the join page and `GET /quizzes/<code>`)."""
    return {
        "code": quiz.code, "title": quiz.title, "description": quiz.description,
        "contest": {"code": quiz.contest.code, "title": quiz.contest.title},
        "state": quiz.state_at(now), "opens_at": quiz.opens_at.isoformat(),
        "closes_at": quiz.closes_at.isoformat(),
        "seconds_to_open": max(0, math.ceil((quiz.opens_at - now).total_seconds())),
        "duration_s": quiz.duration_s, "question_count": quiz.question_count,
        "max_attempts": quiz.max_attempts, "prediction": quiz.prediction,
        "allow_other_unit": quiz.allow_other_unit, "show_review": quiz.show_review,
    }


def quiz_info_with_units(quiz: Quiz, now: datetime) -> dict:
    return {**quiz_info(quiz, now), "units": unit_picker_items()}


def picked_option_ids(drawn: AttemptQuestion, mask: int) -> list[int]:
    """The option ids a choice mask stands for, in the order the participant was shown them."""
    positions = {o.id: o.position for o in drawn.question.options}
    return [i for i in drawn.option_ids if mask >> positions[i] & 1]


def saved_answer_reply(target: attempt_service.AnswerTarget, question_id: int, mask: int | None,
                       now: datetime) -> dict:
    """What a participant's phone gets back for one saved (or cleared: `mask` None) answer."""
    positions = target.shape.positions
    return {"question_id": question_id,
            "option_ids": [i for i in target.option_ids if i in positions and mask >> positions[i] & 1]
            if mask is not None else [],
            "saved": mask is not None, "saved_at": now.isoformat(),
            "remaining_s": attempt_service.remaining_seconds(target, now)}


def saved_answers(attempt: Attempt) -> dict[str, list[int]]:
    """`{question_id: [option ids in the order shown]}` for every saved answer."""
    by_question = {a.question_id: a.choice_mask for a in attempt.answers}
    return {str(drawn.question_id): picked_option_ids(drawn, by_question[drawn.question_id])
            for drawn in attempt.questions if drawn.question_id in by_question}


def _attempt_media(attempt: Attempt) -> dict:
    """The size of every image the attempt shows, in one query."""
    return media_service.preload([d.question.image_sha256 for d in attempt.questions]
                                 + [o.image_sha256 for d in attempt.questions for o in d.question.options])


def question_items(attempt: Attempt) -> list[dict]:
    """The drawn questions in their stored order, options in their stored order; no answers key.

    An image is `{url, alt, width, height}` or None; its URL is the hash of its pixels, so it
    tells nothing about which option is correct.
    """
    if attempt.questions and all(getattr(d, "pooled", None) for d in attempt.questions):
        return _pooled_items(attempt)
    media = _attempt_media(attempt)
    items = []
    for drawn in attempt.questions:
        question = drawn.question
        options = {o.id: o for o in question.options}
        items.append({
            "id": drawn.question_id, "number": drawn.position + 1, "text": question.text,
            "kind": question.kind, "points": drawn.points,
            "image": media_service.image_ref(question.image_sha256, question.image_alt, media),
            "options": [{"id": i, "text": options[i].text,
                         "image": media_service.image_ref(options[i].image_sha256, options[i].image_alt, media)}
                        for i in drawn.option_ids if i in options],
        })
    return items


def _pooled_items(attempt: Attempt) -> list[dict]:
    """question_items for questions just drawn, from the pool they were drawn from (nothing read)."""
    items = []
    for drawn in attempt.questions:
        shown = drawn.pooled.item
        items.append({"id": drawn.question_id, "number": drawn.position + 1, "text": shown["text"],
                      "kind": shown["kind"], "points": drawn.points, "image": shown["image"],
                      "options": [shown["options"][i] for i in drawn.option_ids if i in shown["options"]]})
    return items


def attempt_state(attempt: Attempt, now: datetime) -> dict:
    return {
        "attempt_id": attempt.token, "quiz": attempt.quiz.code,
        "state": "finished" if attempt.is_finished else "in_progress",
        "attempt_no": attempt.attempt_no, "started_at": attempt.started_at.isoformat(),
        "deadline": attempt.deadline.isoformat(),
        "remaining_s": attempt_service.remaining_seconds(attempt, now),
        "question_count": len(attempt.questions), "answers": saved_answers(attempt),
    }


def started_payload(attempt: Attempt, now: datetime) -> dict:
    """The body of `POST /quizzes/<code>/attempts`."""
    return {**attempt_state(attempt, now), "questions": [
        {"id": q["id"], "text": q["text"], "kind": q["kind"], "image": q["image"], "options": q["options"]}
        for q in question_items(attempt)]}


def standing_of(attempt: Attempt) -> Standing:
    """Where the participant and their unit stand (the one ranking pipeline decides)."""
    return attempt_standing(attempt)


def result_data(attempt: Attempt, *, standing=None, now: datetime | None = None) -> dict:
    """The result of a finished attempt (submit response, `GET /attempts/<id>`, result page).

    The review (correct options, explanations) comes once the quiz has closed, not right after the
    submit: anyone can invent a phone number, submit a blank attempt and read the key, then hand it
    round while the quiz is still open (PRODUCT.md: answers appear only for a quiz that has closed).
    Until then `review_at` says when it will be there."""
    data = {
        "score": attempt.score, "max_score": attempt.max_score, "correct_count": attempt.correct_count,
        "question_count": len(attempt.questions),
        "percent": round(attempt.score_pct or 0.0, 2), "duration_s": round((attempt.duration_ms or 0) / 1000, 1),
        "submitted_at": attempt.submitted_at.isoformat() if attempt.submitted_at else None,
        "finalised_by": attempt.finalised_by,
        "prediction": _prediction_value(attempt),
        "rank": None, "total": None, "provisional": True,
    }
    if standing is not None:
        data.update(rank=standing.rank, total=standing.total, provisional=standing.is_provisional)
        unit_row = getattr(standing, "unit_row", None)
        if getattr(standing, "unit_rank", None) is not None and unit_row is not None:
            data["unit_rank"] = {
                "rank": standing.unit_rank, "total": standing.unit_total, "name": unit_row.name,
                "participants": unit_row.participants, "headcount": unit_row.headcount,
                "participation_rate": unit_row.participation_rate, "emulation_score": unit_row.emulation_score,
            }
    if attempt.quiz.show_review:
        now = now or clock.utcnow()
        if attempt.quiz.state_at(now) == "closed":
            data["review"] = review_items(attempt, now)
        else:
            data["review_at"] = attempt.quiz.closes_at.isoformat()
    return data


def _prediction_value(attempt: Attempt):
    if attempt.prediction is None:
        return None
    value = attempt.prediction.normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def review_items(attempt: Attempt, now: datetime | None = None) -> list[dict]:
    """Per question: the choice, the correct options, the explanation. Only after submission.

    A question someone may still be asked (another round's pool, an attempt still in its grace, a
    live session — rankings.question_stats.unsettled_question_ids, the rule public statistics follow)
    is `withheld`: the choice is shown, not whether it was right, the key or the explanation."""
    if not attempt.is_finished:
        return []
    unsettled = unsettled_question_ids({d.question_id for d in attempt.questions}, now or clock.utcnow())
    voided, corrected = _corrections(attempt)
    answers = {a.question_id: a for a in attempt.answers}
    if attempt.questions and all(getattr(d, "pooled", None) for d in attempt.questions):
        return _pooled_items(attempt)
    media = _attempt_media(attempt)
    items = []
    for drawn in attempt.questions:
        question = drawn.question
        options = {o.id: o for o in question.options}
        answer = answers.get(drawn.question_id)
        mask = answer.choice_mask if answer else 0
        items.append({
            "id": question.id, "number": drawn.position + 1, "text": question.text, "kind": question.kind,
            "image": media_service.image_ref(question.image_sha256, question.image_alt, media),
            "options": [{"id": i, "text": options[i].text, "is_correct": options[i].is_correct,
                         "chosen": bool(mask >> options[i].position & 1),
                         "image": media_service.image_ref(options[i].image_sha256, options[i].image_alt, media)}
                        for i in drawn.option_ids if i in options],
            "your_option_ids": [i for i in drawn.option_ids if i in options and mask >> options[i].position & 1],
            "correct_option_ids": [i for i in drawn.option_ids if i in options and options[i].is_correct],
            "is_correct": bool(answer and answer.is_correct),
            "explanation": question.explanation or "",
            "withheld": False, "voided": voided.get(question.id), "key_corrected": question.id in corrected,
        })
        if question.id in unsettled:
            item = items[-1]
            item.update(correct_option_ids=[], is_correct=None, explanation="", withheld=True)
            for option in item["options"]:
                option["is_correct"] = None
    return items


def _corrections(attempt: Attempt) -> tuple[dict[int, str], set[int]]:
    """The attempt's questions voided in its quiz (id → mode), and those whose key was corrected
    (in any quiz: the key is the bank's)."""
    ids = {d.question_id for d in attempt.questions}
    rows = db.session.execute(db.select(QuestionCorrection.quiz_id, QuestionCorrection.question_id,
                                        QuestionCorrection.kind, QuestionCorrection.void_mode)
                              .where(QuestionCorrection.question_id.in_(ids))).all()
    voided = {q: mode for quiz_id, q, kind, mode in rows if kind == "void" and quiz_id == attempt.quiz_id}
    return voided, {q for _quiz, q, kind, _mode in rows if kind == "key"}
