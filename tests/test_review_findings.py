"""Adversarial review of the issue 12 integrity fixes (helper "review").

Each test reproduces one way a determined participant still gets the answer key of a quiz that
can still ask the question. They FAIL on the code they were written against; see the report.

The common root: `rankings.read` decides per *question* (a question is settled only when no quiz
that can draw it is open or to come, no attempt holding it still takes answers, no live session
holding it is running — `rankings.question_stats.unsettled_question_ids`), while the review after
submit (`attempt_data.result_data`) and the live reveal / live-only rule (`live_board._question_doc`,
`attempts.check_not_live`, `live.create_session`) decide per *quiz*. A question bank is shared by
every quiz drawing from the same set, and the console itself tells the organizer to duplicate a
quiz (same draw rules, same pool) to run it live.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from quiz.errors import ConflictError
from quiz.extensions import db
from quiz.models import DrawRule, Question, Quiz
from quiz.services.live_session import host as live

REGISTRATION = {"full_name": "Trần Văn Dò", "unit_code": "BVR", "identity": "0912000111", "consent": True}


def sibling_quiz(quiz: Quiz, code: str, **overrides) -> Quiz:
    """Another round of the same contest drawing from the same question set (what "nhân bản" gives)."""
    rule = quiz.draw_rules[0]
    sibling = Quiz(code=code, title=f"Vòng {code}", contest=quiz.contest,
                   opens_at=overrides.pop("opens_at", quiz.opens_at),
                   closes_at=overrides.pop("closes_at", quiz.closes_at),
                   duration_s=quiz.duration_s,
                   draw_rules=[DrawRule(position=0, question_set=rule.question_set, count=rule.count)], **overrides)
    db.session.add(sibling)
    db.session.commit()
    return sibling


def correct_ids(quiz: Quiz) -> dict[int, set[int]]:
    rule = quiz.draw_rules[0]
    questions = db.session.scalars(db.select(Question).where(Question.set_id == rule.set_id)).all()
    return {q.id: {o.id for o in q.options if o.is_correct} for q in questions}


@pytest.fixture
def rounds(make_quiz, make_unit, frozen_clock):
    """Round 1 (review on) closes in 1 h; round 2 of the same contest, same set, is open for a day."""
    make_unit(code="BVR", name="Bệnh viện R")
    first = make_quiz(questions=3, code="VONG1", show_review=True,
                      closes_at=frozen_clock.now() + timedelta(hours=1))
    second = sibling_quiz(first, "VONG2", closes_at=frozen_clock.now() + timedelta(days=1))
    return first, second


# --- 1. The review of a closed round is the key of the next round still open -------------------

def test_the_review_of_a_closed_round_does_not_give_the_key_of_an_open_round(app, rounds, frozen_clock):
    first, second = rounds
    phone = app.test_client()
    started = phone.post("/api/v1/quizzes/VONG1/attempts", json=REGISTRATION)
    assert started.status_code == 201, started.get_json()
    token = started.get_json()["attempt_id"]
    assert phone.post(f"/api/v1/attempts/{token}/submit").status_code == 200  # a blank attempt
    frozen_clock.advance(hours=1, minutes=5)  # round 1 closed (and its grace passed); round 2 open
    assert second.state_at(frozen_clock.now()) == "open"

    keys = correct_ids(second)
    for url in (f"/api/v1/attempts/{token}", f"/a/{token}/result"):
        body = phone.get(url)
        assert body.status_code == 200, url
        if url.startswith("/api"):
            review = (body.get_json().get("result") or {}).get("review") or []
            leaked = {item["id"]: set(item["correct_option_ids"]) for item in review
                      if item["id"] in keys and item["correct_option_ids"]}  # withheld items carry no key
            # Every question of round 2's pool, with its correct options, before round 2 closes.
            assert leaked == {}, f"review gives the key of {len(leaked)} questions of the open round 2"


def test_the_review_waits_for_attempts_still_in_their_grace(app, make_quiz, make_unit, frozen_clock):
    """The quiz closes at T; an attempt started just before it has T as its deadline and still takes
    saves until T + grace (10 s). At T + 1 s a finished attempt's review is already out."""
    make_unit(code="BVR", name="Bệnh viện R")
    quiz = make_quiz(questions=3, code="ANHAN", show_review=True,
                     closes_at=frozen_clock.now() + timedelta(minutes=2))
    reader, late = app.test_client(), app.test_client()
    first = reader.post("/api/v1/quizzes/ANHAN/attempts", json=REGISTRATION).get_json()["attempt_id"]
    assert reader.post(f"/api/v1/attempts/{first}/submit").status_code == 200
    frozen_clock.advance(seconds=60)
    other = late.post("/api/v1/quizzes/ANHAN/attempts",
                      json={**REGISTRATION, "identity": "0912000222", "full_name": "Lê Muộn"})
    assert other.status_code == 201
    late_token = other.get_json()["attempt_id"]
    frozen_clock.advance(seconds=61)  # closed 1 s ago; the late attempt is in its grace

    review = [item for item in
              (reader.get(f"/api/v1/attempts/{first}").get_json().get("result") or {}).get("review") or []
              if item["correct_option_ids"]]  # a withheld item carries no key
    saved = [late.put(f"/api/v1/attempts/{late_token}/answers/{item['id']}",
                      json={"option_ids": item["correct_option_ids"]}).status_code for item in review]
    # Either the review waits for the grace, or the save is refused: never both.
    assert not (review and saved and all(code == 200 for code in saved)), (
        "the key read from the review was saved as answers in the grace")


# --- 2. A live session on a sibling quiz reveals the key of a quiz open for normal attempts ---

def _run_to_first_reveal(session) -> None:
    live.control(session, "start", actor=None)
    live.control(session, "reveal", actor=None)
    db.session.commit()


def test_a_live_reveal_does_not_give_the_key_of_an_open_quiz_with_the_same_questions(app, rounds):
    """The refusal to run live a quiz with attempts says "nhân bản đợt thi thành một đợt riêng": the
    copy draws the same questions, and its reveals are public (`/api/v1/live/<id>/state`)."""
    first, second = rounds
    phone = app.test_client()
    assert phone.post("/api/v1/quizzes/VONG2/attempts", json=REGISTRATION).status_code == 201
    with pytest.raises(ConflictError):
        live.create_session(second, {"question_time_s": 10}, actor=None)  # refused: VONG2 has attempts
    db.session.rollback()
    try:
        session = live.create_session(first, {"question_time_s": 10}, actor=None)  # the copy: VONG1
        db.session.commit()
    except ConflictError:
        return  # refused: fine
    _run_to_first_reveal(session)
    state = app.test_client().get(f"/api/v1/live/{session.id}/state").get_json()
    question = state["question"]
    assert question["id"] in correct_ids(second)  # a question VONG2 (open) asks at home
    assert "correct_option_ids" not in question, "the projector's reveal is the key of the open VONG2"


def test_a_normal_attempt_is_refused_while_a_sibling_is_run_live(app, rounds):
    """The other order: the session is created first, then a phone starts the sibling quiz at home
    and reads each reveal from the public live state while answering."""
    first, second = rounds
    try:
        session = live.create_session(first, {"question_time_s": 10}, actor=None)
        db.session.commit()
    except ConflictError:
        return  # refused: VONG2, open, draws the same questions
    phone = app.test_client()
    started = phone.post("/api/v1/quizzes/VONG2/attempts", json=REGISTRATION)
    if started.status_code != 201:
        return  # refused: fine
    token = started.get_json()["attempt_id"]
    _run_to_first_reveal(session)
    revealed = app.test_client().get(f"/api/v1/live/{session.id}/state").get_json()["question"]
    saved = phone.put(f"/api/v1/attempts/{token}/answers/{revealed['id']}",
                      json={"option_ids": revealed.get("correct_option_ids", [])})
    assert saved.status_code != 200, "the key read on the projector was saved in the open VONG2"


# --- 3. The question bank of an open quiz, with its answers, for an organizer of another contest --

def test_an_organizer_of_another_contest_cannot_export_an_open_quizs_set_with_answers(app, client, rounds,
                                                                                      login_as):
    """Issue 12 item 13 ("exported contest A's question set with its answers"): still open. An
    account with the organizer role and no right on VONG1's contest reads its key."""
    first, _second = rounds
    login_as("organizer")  # manages no contest at all
    assert client.get(f"/admin/quizzes/{first.code}").status_code in (403, 404)  # the quiz itself: refused
    set_id = first.draw_rules[0].set_id
    export = client.get(f"/admin/bank/sets/{set_id}/export/json")
    question = client.get(f"/admin/bank/questions/{next(iter(correct_ids(first)))}")
    assert export.status_code in (403, 404), "the open quiz's whole set, with is_correct, as JSON"
    assert question.status_code in (403, 404), "one question of the open quiz, with its correct option"


# --- 4. An identity with no letter that is not a phone number is still "a staff code" -------------

def test_a_phone_number_with_a_trailing_symbol_is_not_a_new_staff_code(app, make_quiz, make_unit, frozen_clock):
    """identity.py: "Anything with a letter is a staff code". `0977123456_` and `0977123456/` have no
    letter, fail the phone pattern (the `_`/`/` are not phone punctuation) and pass the staff pattern
    `[A-Z0-9][A-Z0-9_\\-/.]{2,29}`: the same number gets another attempt, and escapes the
    per-identity rate limit, as with the other digits of item 4."""
    make_unit(code="BVR", name="Bệnh viện R")
    make_quiz(questions=2, code="MOTLAN", max_attempts=1)
    phone = app.test_client()
    first = phone.post("/api/v1/quizzes/MOTLAN/attempts", json={**REGISTRATION, "identity": "0977123456"})
    assert first.status_code == 201
    assert phone.post(f"/api/v1/attempts/{first.get_json()['attempt_id']}/submit").status_code == 200
    for variant in ("0977123456_", "0977123456/", "0977.123.456/"):
        again = phone.post("/api/v1/quizzes/MOTLAN/attempts", json={**REGISTRATION, "identity": variant})
        assert again.status_code != 201, f"{variant!r} is a new person with a new attempt"


def test_a_second_live_session_does_not_replay_questions_whose_key_was_revealed(app, rounds):
    """Morning and afternoon halls, one quiz: session 1's reveals were public
    (`/api/v1/live/<id>/state`, small sequential ids); session 2 asks the same questions, so the
    afternoon hall (or a player with max_attempts 2) has the key before the first question."""
    first, second = rounds
    second.closes_at = second.opens_at + timedelta(minutes=1)  # only the two halls share the questions
    db.session.commit()
    morning = live.create_session(first, {"question_time_s": 10}, actor=None)
    db.session.commit()
    _run_to_first_reveal(morning)
    revealed = app.test_client().get(f"/api/v1/live/{morning.id}/state").get_json()["question"]
    assert revealed["correct_option_ids"]
    live.control(morning, "end", actor=None)
    db.session.commit()
    try:
        afternoon = live.create_session(first, {"question_time_s": 10}, actor=None)
        db.session.commit()
    except ConflictError:
        return  # refused: fine
    asked = {q.question_id for q in afternoon.questions}
    assert revealed["id"] not in asked, "session 2 asks a question whose key session 1 made public"
