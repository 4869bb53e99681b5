"""The question pool kept per process for attempt starts (quiz/services/question_pool.py): a change
to the bank made on any server reaches the next start on every server, with no time window."""
from __future__ import annotations

import pytest

from quiz.extensions import db
from quiz.models import Question, QuestionSet
from quiz.services import bank
from quiz.services.bank import question_to_data


@pytest.fixture(autouse=True)
def unit(make_unit):
    return make_unit(code="CDC", name="Trung tâm Kiểm soát bệnh tật tỉnh")


def start(client, n, code="KHO"):
    response = client.post(f"/api/v1/quizzes/{code}/attempts", json={
        "full_name": f"Người thi {n}", "unit_code": "CDC", "identity": f"09120000{n:02d}", "consent": True})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["questions"]


def test_a_start_sees_every_change_to_the_pool_at_once(app, client, make_app, app_config, make_quiz, make_question):
    quiz = make_quiz(questions=4, code="KHO")
    quiz.draw_rules[0].count = 4
    db.session.commit()
    question_set = db.session.get(QuestionSet, quiz.draw_rules[0].set_id)
    other_server = make_app(app_config, name="server-b").test_client()
    first = start(client, 1)
    assert len(first) == 4 and len(start(other_server, 2)) == 4  # both servers keep the pool now

    drawn_ids = {q["id"] for q in first}
    archived = db.session.get(Question, min(drawn_ids))
    bank.archive_question(archived)
    added = make_question(question_set, text="Câu hỏi mới thêm vào giữa đợt thi?")
    db.session.commit()
    for client_, n in ((client, 3), (other_server, 4)):
        ids = {q["id"] for q in start(client_, n)}
        assert archived.id not in ids and added.id in ids, n



def test_an_undrawn_question_edited_shows_its_new_options(client, make_quiz, make_question, monkeypatch):
    """Only the options change: the question's own columns stay as they were, and the pool must
    still notice (bank.update_question moves `updated_at`)."""
    from quiz.services import attempts
    quiz = make_quiz(questions=2, code="KHO")
    question_set = db.session.get(QuestionSet, quiz.draw_rules[0].set_id)
    spare = make_question(question_set, text="Câu hỏi dự phòng?")
    monkeypatch.setattr(attempts._rng, "sample", lambda pool, k: sorted(pool)[:k])  # the spare (last id) left out
    assert spare.id not in {q["id"] for q in start(client, 1)}
    data = question_to_data(spare)
    data.options[1].text = "Phương án B đã sửa trước khi ai bốc trúng"
    bank.update_question(spare, question_set, data)
    db.session.commit()
    monkeypatch.setattr(attempts._rng, "sample", lambda pool, k: sorted(pool)[-k:])  # now the spare is in
    drawn = {q["id"]: q for q in start(client, 2)}
    assert "Phương án B đã sửa trước khi ai bốc trúng" in {o["text"] for o in drawn[spare.id]["options"]}


def test_points_changed_mid_event_count_for_the_next_start(client, make_quiz):
    quiz = make_quiz(questions=3, code="KHO")
    start(client, 1)
    for question in db.session.scalars(db.select(Question)):
        question.points = 2
    db.session.commit()
    start(client, 2)
    from quiz.models import Attempt
    assert db.session.scalars(db.select(Attempt.max_score).order_by(Attempt.id)).all() == [3, 6]


def test_a_save_checks_against_the_question_as_it_is_now(client, make_quiz):
    """Saves keep each question's kind and option positions per process (`question_pool.shape_of`),
    keyed by the question's version: an edit that raced the first draw (bank.update_question
    refuses it once a question is drawn) is seen by the next save, never the kept copy."""
    from datetime import timedelta

    from quiz.models import Answer, Option
    make_quiz(questions=1, code="KHO")
    started = client.post("/api/v1/quizzes/KHO/attempts", json={
        "full_name": "Người thi 1", "unit_code": "CDC", "identity": "0912000001", "consent": True}).get_json()
    question = started["questions"][0]
    url = f"/api/v1/attempts/{started['attempt_id']}/answers/{question['id']}"
    first, second = question["options"][0]["id"], question["options"][1]["id"]
    assert client.put(url, json={"option_ids": [first]}).status_code == 200  # the shape is kept now
    # The racing edit: two options swap positions (through a free one), and the version moves.
    a, b = db.session.get(Option, first), db.session.get(Option, second)
    was_a, was_b = a.position, b.position
    a.position = 9
    db.session.flush()
    b.position = was_a
    db.session.flush()
    a.position = was_b
    stored = db.session.get(Question, question["id"])
    stored.updated_at = stored.updated_at + timedelta(seconds=1)
    db.session.commit()
    assert client.put(url, json={"option_ids": [first]}).status_code == 200
    saved = db.session.scalar(db.select(Answer.choice_mask).where(Answer.question_id == question["id"]))
    assert saved == 1 << was_b


def test_a_save_with_an_option_the_attempt_was_never_shown_is_not_a_500(client, make_quiz):
    """Found by review: after the same racing edit replaced an option (a new id), a client sending
    the new id made the reply look up the attempt's stored ids in the new positions: a KeyError."""
    from datetime import timedelta

    from quiz.models import Option
    make_quiz(questions=1, code="KHO")
    started = client.post("/api/v1/quizzes/KHO/attempts", json={
        "full_name": "Người thi 1", "unit_code": "CDC", "identity": "0912000001", "consent": True}).get_json()
    question = started["questions"][0]
    shown = question["options"][0]["id"]
    old = db.session.get(Option, shown)
    position, stored = old.position, db.session.get(Question, question["id"])
    replacement = Option(question_id=stored.id, position=9, text="Phương án thay thế", is_correct=False)
    db.session.add(replacement)
    db.session.flush()  # a new id (added before the old one goes, so no id is reused)
    db.session.delete(old)
    db.session.flush()
    replacement.position = position
    stored.updated_at = stored.updated_at + timedelta(seconds=1)
    db.session.commit()
    response = client.put(f"/api/v1/attempts/{started['attempt_id']}/answers/{question['id']}",
                          json={"option_ids": [replacement.id]})
    assert response.status_code in (200, 422), response.get_json()


# --- An edit racing a question's first draw (real threads, on whichever database the suite runs) --

def _race(app, quiz_id, question_id, *, pause_start, hold):
    """A start in one thread and an edit of a question it draws in another, interleaved as
    `pause_start` says: "after the draw" (the start has read the pool, not written yet: the edit
    runs and commits while it waits) or "before the commit" (the start has written its attempt:
    the edit runs while it waits `hold` s and then commits). Returns what either thread raised, as
    `(label, error)`, and the options the start's reply shows (id → text)."""
    import threading

    from quiz.models import Quiz
    from quiz.services import attempts
    from tests.threads import in_app_thread

    paused, resume, errors, shown = threading.Event(), threading.Event(), [], {}
    draw = attempts.draw_questions

    def drawing(quiz):
        drawn = draw(quiz)
        if pause_start == "after the draw":
            paused.set()
            resume.wait(10)
        return drawn

    def start():
        attempt, _created = attempts.start_attempt(db.session.get(Quiz, quiz_id), {
            "full_name": "Nguyễn Thị Lan", "unit_code": "CDC", "identity": "0912345678", "consent": True})
        shown.update({o["id"]: o["text"] for o in attempt.questions[0].pooled.item["options"].values()})
        if pause_start == "before the commit":
            paused.set()
            resume.wait(hold)

    def edit():
        question = db.session.get(Question, question_id)
        data = question_to_data(question)
        data.options[0].text = "Phương án A đã sửa"
        bank.update_question(question, question.question_set, data)

    attempts.draw_questions = drawing
    try:
        starter = in_app_thread(app, "start", errors, start, done=paused)
        assert paused.wait(15)
        editor = in_app_thread(app, "edit", errors, edit, done=resume)
        if pause_start == "before the commit":
            editor.join(hold / 2)
            resume.set()  # (the edit waits for the start's lock: let the start commit)
        editor.join(30)
        starter.join(30)
    finally:
        attempts.draw_questions = draw
    assert not starter.is_alive() and not editor.is_alive()
    return errors, shown


def _as_stored(question_id, shown):
    """The options the phone was shown are the question's options as stored now (ids and texts):
    what the attempt's saves are checked against and its answers scored by."""
    from quiz.models import Option
    db.session.rollback()
    return shown == dict(db.session.execute(db.select(Option.id, Option.text).where(Option.question_id == question_id)).all())


def test_an_edit_while_a_start_holds_the_old_pool_is_drawn_afresh(app, ctx, make_quiz):
    """The start read the pool, then the edit replaced the question's options and committed: the
    start showed the old options and stored their ids, which no longer existed (every save of that
    question refused) or, where the database reuses ids, now named other options.
    Now the start sees the question moved after its write and draws again."""
    quiz = make_quiz(questions=1, code="KHO")
    question_id = db.session.scalar(db.select(Question.id))
    errors, shown = _race(app, quiz.id, question_id, pause_start="after the draw", hold=0)
    assert errors == []
    assert "Phương án A đã sửa" in shown.values()
    assert _as_stored(question_id, shown)


def test_an_edit_while_a_start_is_writing_waits_and_is_refused(app, ctx, make_quiz):
    """The start wrote its attempt (not committed yet) and the edit checked "never drawn" without a
    lock: it saw nothing and replaced the options under the attempt. Now the edit locks the question
    first, waits for the start and refuses (the question has been drawn)."""
    from quiz.errors import ConflictError
    quiz = make_quiz(questions=1, code="KHO")
    question_id = db.session.scalar(db.select(Question.id))
    errors, shown = _race(app, quiz.id, question_id, pause_start="before the commit", hold=2.0)
    assert [(label, type(error)) for label, error in errors] == [("edit", ConflictError)], errors
    assert _as_stored(question_id, shown)
