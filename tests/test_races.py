"""Answered means scored (PRODUCT.md, issue 12 items 3 and 3b): saves racing the submit, a start
racing the console's close, last-second saves racing the lazy finalisation.

The first tests send real parallel requests to a real threaded server on the test database
(SQLite, or PostgreSQL with TEST_DATABASE_URL); the last ones replay one interleaving exactly, by
holding a request at a known point while the other one runs. Every loop is bounded in count and time.
"""
from __future__ import annotations

import random
import threading
import time
from datetime import timedelta

import pytest
import requests
from werkzeug.serving import make_server

from quiz import clock
from quiz.errors import DomainError
from quiz.extensions import db
from quiz.models import Answer, Attempt, Option, Quiz
from quiz.services import attempts as attempt_service
from quiz.services import quizzes as quiz_service

REFUSED = (409, 410)


@pytest.fixture
def server(app):
    """`app` (on the test database) served by werkzeug with a thread per request."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(5)


@pytest.fixture
def unit(make_unit):
    return make_unit(code="CDC", name="Trung tâm Kiểm soát bệnh tật tỉnh")


def _start(base: str, code: str, phone: str) -> tuple[int, dict]:
    response = requests.post(f"{base}/api/v1/quizzes/{code}/attempts", timeout=20, json={
        "full_name": "Vàng A Páo", "unit_code": "CDC", "identity": phone, "consent": True})
    return response.status_code, response.json()


def _save(base: str, token: str, question_id: int, option_ids: list[int]) -> tuple[int, dict]:
    response = requests.put(f"{base}/api/v1/attempts/{token}/answers/{question_id}",
                            json={"option_ids": option_ids}, timeout=20)
    return response.status_code, response.json()


def _correct_option(question_id: int) -> int:
    return db.session.scalar(db.select(Option.id).filter_by(question_id=question_id, is_correct=True))


def _wrong_option(question_id: int) -> int:
    return db.session.scalar(db.select(Option.id).filter_by(question_id=question_id, is_correct=False)
                             .order_by(Option.id).limit(1))


def _assert_refused(status: int, body: dict) -> None:
    assert status in REFUSED, (status, body)
    assert body["error"]["message"], body  # a Vietnamese sentence for the phone to show


def _run(threads: list[threading.Thread], timeout: float = 15) -> None:
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a request hung"


def _stored(token: str) -> tuple[Attempt, dict[int, Answer]]:
    db.session.rollback()
    db.session.expire_all()
    attempt = db.session.scalar(db.select(Attempt).filter_by(token=token))
    return attempt, {a.question_id: a for a in attempt.answers}


def _assert_scored_consistently(attempt: Attempt) -> None:
    """A finished attempt: every stored answer has its verdict, and the score counts them."""
    assert attempt.submitted_at is not None
    correct = {q.question_id: q.question.correct_mask for q in attempt.questions}
    for answer in attempt.answers:
        assert answer.is_correct == (answer.choice_mask == correct[answer.question_id]), \
            f"answer to {answer.question_id} stored {answer.choice_mask:b} with verdict {answer.is_correct}"
    assert attempt.correct_count == sum(bool(a.is_correct) for a in attempt.answers)


# --- Real threads against a real server -------------------------------------------------------------

def test_saves_racing_the_submit_are_scored_or_refused(server, app, make_quiz, unit):
    """15 correct answers sent together with the submit: each one acknowledged is in the score."""
    quiz = make_quiz(questions=15, code="DUA1")
    until = time.monotonic() + 12
    for round_no in range(6):
        if time.monotonic() > until:
            break
        status, started = _start(server, quiz.code, f"09120010{round_no:02d}")
        assert status == 201, started
        token = started["attempt_id"]
        picks = {q["id"]: _correct_option(q["id"]) for q in started["questions"]}
        barrier = threading.Barrier(len(picks) + 1)
        results: dict = {}

        def save(question_id: int) -> None:
            barrier.wait(5)
            results[question_id] = _save(server, token, question_id, [picks[question_id]])

        def submit() -> None:
            barrier.wait(5)
            time.sleep(random.uniform(0, 0.03))  # lands among the saves, not before them all
            response = requests.post(f"{server}/api/v1/attempts/{token}/submit", timeout=20)
            results["submit"] = (response.status_code, response.json())

        _run([threading.Thread(target=save, args=(q,)) for q in picks] + [threading.Thread(target=submit)])
        assert results["submit"][0] == 200, results["submit"]
        acknowledged = {q for q in picks if results[q][0] == 200}
        for question_id in set(picks) - acknowledged:
            _assert_refused(*results[question_id])
        attempt, stored = _stored(token)
        _assert_scored_consistently(attempt)
        assert attempt.score == len(acknowledged), (round_no, attempt.score, sorted(acknowledged))
        assert results["submit"][1]["score"] == len(acknowledged)
        assert set(stored) == acknowledged  # a refused save left nothing behind


def test_a_start_racing_the_close_gets_the_close_as_deadline(server, app, make_quiz, unit):
    """Starts sent together with the console's "close now": every attempt started ends at the close,
    and after the close plus the grace no save or submit is accepted."""
    quiz = make_quiz(questions=5, code="DUA2", duration_s=900)
    quiz_id, grace = quiz.id, timedelta(seconds=app.config.get("ANSWER_GRACE_S", 10))
    started: list[tuple[str, int]] = []
    until = time.monotonic() + 10
    for round_no in range(5):
        if time.monotonic() > until:
            break
        quiz = db.session.get(Quiz, quiz_id)
        quiz.closes_at = clock.utcnow() + timedelta(days=1)  # opened again for the next round
        db.session.commit()
        barrier = threading.Barrier(9)
        results: list = []

        def start(n: int) -> None:
            barrier.wait(5)
            time.sleep(random.uniform(0, 0.02))
            status, body = _start(server, "DUA2", f"0913{round_no:02d}{n:04d}")
            results.append((status, body))

        def close() -> None:
            barrier.wait(5)
            time.sleep(random.uniform(0, 0.02))
            with app.app_context():
                quiz_service.close_quiz_now(db.session.get(Quiz, quiz_id), actor=None)
                db.session.commit()

        _run([threading.Thread(target=start, args=(n,)) for n in range(8)] + [threading.Thread(target=close)])
        for status, body in results:
            assert status in (201, 410), body
            if status == 201:
                started.append((body["attempt_id"], body["questions"][0]["id"]))
            else:
                assert body["error"]["message"]
        db.session.rollback()
        closes_at = db.session.get(Quiz, quiz_id).closes_at
        db.session.expire_all()
        late = db.session.scalars(db.select(Attempt).where(Attempt.quiz_id == quiz_id,
                                                            Attempt.deadline > closes_at)).all()
        assert not late, [(a.started_at, a.deadline, closes_at) for a in late]
        # After the close and its grace nothing more is taken from any attempt of this round.
        clock.freeze(closes_at + grace + timedelta(seconds=1))
        try:
            for token, question_id in started:
                _assert_refused(*_save(server, token, question_id, [_correct_option(question_id)]))
                response = requests.post(f"{server}/api/v1/attempts/{token}/submit", timeout=20)
                assert response.status_code in REFUSED, response.json()
        finally:
            clock.unfreeze()
        started.clear()


def test_last_second_saves_racing_the_lazy_finalisation(server, app, make_quiz, unit):
    """Saves until the grace ends while ranking reads finalise expired attempts: whatever the
    last acknowledged choice of a question is, it is the one stored and scored."""
    app.config["ANSWER_GRACE_S"] = 0.4
    make_quiz(questions=5, code="DUA3")
    until = time.monotonic() + 9
    for round_no in range(3):
        if time.monotonic() > until:
            break
        _last_second_round(server, round_no)


def _last_second_round(server: str, round_no: int) -> None:
    tokens = []
    for n in range(5):
        status, body = _start(server, "DUA3", f"0914{round_no:02d}{n:04d}")
        assert status == 201, body
        tokens.append((body["attempt_id"], [q["id"] for q in body["questions"]]))
    picks = {q: (_correct_option(q), _wrong_option(q)) for _t, qs in tokens for q in qs}
    db.session.execute(db.update(Attempt).where(Attempt.token.in_([t for t, _qs in tokens]))
                       .values(deadline=clock.utcnow() + timedelta(seconds=0.3)))
    db.session.commit()
    last_acked: dict[tuple[str, int], int] = {}
    stop_at = time.monotonic() + 3

    def saver(token: str, question_id: int) -> None:
        for n in range(400):
            if time.monotonic() > stop_at:
                return
            option = picks[question_id][n % 2]
            status, body = _save(server, token, question_id, [option])
            if status == 200:
                last_acked[(token, question_id)] = option
            else:
                _assert_refused(status, body)
                return

    def reader() -> None:
        while time.monotonic() < stop_at - 1:
            requests.get(f"{server}/api/v1/quizzes/DUA3/leaderboard", timeout=20)

    _run([threading.Thread(target=saver, args=(t, q)) for t, qs in tokens for q in qs]
         + [threading.Thread(target=reader) for _i in range(3)])
    for token, questions in tokens:
        attempt, stored = _stored(token)
        assert attempt.finalised_by == "deadline"
        _assert_scored_consistently(attempt)
        for question_id in questions:
            option = last_acked.get((token, question_id))
            if option is not None:
                chosen = db.session.scalar(db.select(Option.id).filter_by(
                    question_id=question_id, position=stored[question_id].choice_mask.bit_length() - 1))
                assert chosen == option, (round_no, token, question_id)


# --- One interleaving, replayed exactly (service level) ---------------------------------------------

class Pause:
    """Holds the first thread that calls the patched function until `release()`."""

    def __init__(self, monkeypatch, owner, name: str):
        self.reached, self.go = threading.Event(), threading.Event()
        original = getattr(owner, name)

        def held(*args, **kwargs):
            if not self.reached.is_set():
                self.reached.set()
                self.go.wait(10)
            return original(*args, **kwargs)
        monkeypatch.setattr(owner, name, held)

    def release(self) -> None:
        self.go.set()


def _in_thread(app, work, results: dict, key: str) -> threading.Thread:
    def run():
        with app.app_context():
            try:
                results[key] = work()
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                results[key] = error
            finally:
                db.session.remove()
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _started(app, quiz: Quiz, phone: str) -> tuple[str, list[int]]:
    attempt, _created = attempt_service.start_attempt(quiz, {
        "full_name": "Vàng A Páo", "unit_code": "CDC", "identity": phone, "consent": True})
    db.session.commit()
    return attempt.token, [q.question_id for q in attempt.questions]


def _held_save_then(app, monkeypatch, token: str, question_id: int, option: int, other, *, now=None) -> dict:
    """Hold a save after it decided to accept, run `other` meanwhile, then let the save finish."""
    pause = Pause(monkeypatch, attempt_service, "parse_option_ids")
    results: dict = {}
    saving = _in_thread(app, lambda: attempt_service.save_answer_retrying(token, question_id, [option], now=now),
                        results, "save")
    assert pause.reached.wait(10)
    finishing = _in_thread(app, other, results, "other")
    finishing.join(0.5)  # with the save holding the attempt, this one waits for it
    pause.release()
    saving.join(15)
    finishing.join(15)
    assert not saving.is_alive() and not finishing.is_alive()
    return results


def test_a_save_held_across_the_submit_is_scored_or_refused(app, make_quiz, unit, monkeypatch):
    quiz = make_quiz(questions=3, code="DUA4")
    token, questions = _started(app, quiz, "0915000001")
    option = _correct_option(questions[0])
    results = _held_save_then(app, monkeypatch, token, questions[0], option,
                              lambda: attempt_service.submit_attempt(attempt_service.get_attempt(token)))
    attempt, _stored_answers = _stored(token)
    _assert_scored_consistently(attempt)
    if isinstance(results["save"], DomainError):
        assert results["save"].status in REFUSED and attempt.score == 0
    else:
        assert attempt.score == 1, "the save was acknowledged but not scored"


def test_a_save_held_across_the_lazy_finalisation_is_scored_or_refused(app, make_quiz, unit, monkeypatch):
    quiz = make_quiz(questions=3, code="DUA5")
    token, questions = _started(app, quiz, "0915000002")
    attempt = db.session.scalar(db.select(Attempt).filter_by(token=token))
    last_moment = attempt.deadline + attempt_service.grace()  # the save is in time, just
    results = _held_save_then(
        app, monkeypatch, token, questions[0], _correct_option(questions[0]),
        lambda: attempt_service.finalize_expired(now=last_moment + timedelta(seconds=1)), now=last_moment)
    attempt, _stored_answers = _stored(token)
    assert attempt.finalised_by == "deadline"
    _assert_scored_consistently(attempt)
    if isinstance(results["save"], DomainError):
        assert results["save"].status in REFUSED and attempt.score == 0
    else:
        assert attempt.score == 1, "the save was acknowledged but not scored"


def test_a_start_held_across_the_close_ends_at_the_close(app, make_quiz, unit, monkeypatch):
    quiz = make_quiz(questions=3, code="DUA6", duration_s=900)
    pause = Pause(monkeypatch, attempt_service, "draw_questions")
    results: dict = {}
    body = {"full_name": "Vàng A Páo", "unit_code": "CDC", "identity": "0915000003", "consent": True}
    starting = _in_thread(app, lambda: attempt_service.start_attempt(db.session.get(Quiz, quiz.id), body)[0].token,
                          results, "start")
    assert pause.reached.wait(10)
    closing = _in_thread(app, lambda: quiz_service.close_quiz_now(db.session.get(Quiz, quiz.id), actor=None),
                         results, "close")
    closing.join(0.5)
    pause.release()
    starting.join(15)
    closing.join(15)
    assert not starting.is_alive() and not closing.is_alive()
    db.session.rollback()
    db.session.expire_all()
    closes_at = db.session.get(Quiz, quiz.id).closes_at
    if isinstance(results["start"], DomainError):
        assert results["start"].status == 410
    else:
        attempt = db.session.scalar(db.select(Attempt).filter_by(token=results["start"]))
        assert attempt.deadline <= closes_at, (attempt.deadline, closes_at)



def test_a_live_answer_held_across_the_end_is_scored_or_refused(app, make_quiz, unit, monkeypatch):
    """The host's "end" finalises every phone's attempt: an answer it acknowledged is in that score."""
    from quiz.models import LiveSession
    from quiz.services.live_session import host as live
    from quiz.services.live_session import phone as live_play

    quiz = make_quiz(questions=2, code="DUA7", shuffle_questions=False)
    session = live.create_session(quiz, {"question_time_s": 20}, actor=None)
    db.session.commit()
    player, _created = live_play.join_session(session, {"full_name": "Vàng A Páo", "identity": "0915000004",
                                                        "unit_code": "CDC", "consent": True})
    db.session.commit()
    live.control(session, "start")
    db.session.commit()
    token, session_id = player.token, session.id
    current = session.questions[0]
    question_id, option = current.question_id, _correct_option(current.question_id)
    pause = Pause(monkeypatch, live_play, "parse_option_ids")
    results: dict = {}
    answering = _in_thread(app, lambda: live_play.save_live_answer(token, question_id, [option]).id,
                           results, "answer")
    assert pause.reached.wait(10)
    ending = _in_thread(app, lambda: live.control(db.session.get(LiveSession, session_id), "end"), results, "end")
    ending.join(0.5)
    pause.release()
    answering.join(15)
    ending.join(15)
    assert not answering.is_alive() and not ending.is_alive()
    attempt, _answers = _stored(token)
    assert attempt.finalised_by == "organizer"
    if isinstance(results["answer"], DomainError):
        assert results["answer"].status in REFUSED and attempt.correct_count == 0
    else:
        assert attempt.correct_count == 1, "the live answer was acknowledged but not scored"


def test_a_start_waiting_on_the_quiz_lock_sees_the_live_session_created_meanwhile(app, make_quiz, unit,
                                                                                monkeypatch):
    """Found by review: with the live-session check read in the very statement that waits for the
    quiz's lock, PostgreSQL (READ COMMITTED) took that statement's snapshot before the wait, so a
    session committed while the start waited was not seen, and the start created a normal attempt
    on a quiz run live (whose reveals publish the key). The check is its own statement after the
    lock."""
    from quiz.models import LiveSession
    from quiz.services.live_session import host as live

    quiz = make_quiz(questions=3, code="LIVERACE")
    quiz_id = quiz.id
    pause = Pause(monkeypatch, live, "draw_questions")  # create_session holds the quiz's lock here
    results: dict = {}
    creating = _in_thread(app, lambda: live.create_session(db.session.get(Quiz, quiz_id), {"question_time_s": 10},
                                                           actor=None).id, results, "live")
    assert pause.reached.wait(10)
    body = {"full_name": "Vàng A Páo", "unit_code": "CDC", "identity": "0915000099", "consent": True}
    starting = _in_thread(app, lambda: attempt_service.start_attempt(db.session.get(Quiz, quiz_id), body)[0].token,
                          results, "start")
    starting.join(1.0)  # the start now waits for the quiz's lock
    pause.release()
    creating.join(15)
    starting.join(15)
    assert not creating.is_alive() and not starting.is_alive()
    db.session.rollback()
    lives = db.session.scalar(db.select(db.func.count(LiveSession.id)).where(LiveSession.quiz_id == quiz_id))
    normal = db.session.scalar(db.select(db.func.count(Attempt.id)).where(
        Attempt.quiz_id == quiz_id, Attempt.live_session_id.is_(None)))
    assert not (lives and normal), f"a live session and a normal attempt on one quiz: {results}"
    if lives:
        assert isinstance(results["start"], DomainError) and results["start"].code == "live_only", results
