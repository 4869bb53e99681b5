"""What the participant's requests cost the database (issue 18, "Run big"): the start and the
submit are the two requests every participant makes when everyone else does, and saves are most
of an event's writes. On SQLite everything a request does between taking the write lock and
committing holds every other save, start and submit.

These tests pin the shape, not the time: how many statements a request sends, that the number does
not grow with the quiz's length, what it does while holding the lock, and that nothing of the
attempt's graph (question texts, every option) is read to score a submit or to answer it.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from quiz.extensions import db
from quiz.models import Attempt

LOCKED = re.compile(r"BEGIN IMMEDIATE|FOR UPDATE|FOR SHARE|^(INSERT|UPDATE|DELETE)\b", re.I)


def start(client, code, n):
    response = client.post(f"/api/v1/quizzes/{code}/attempts", json={
        "full_name": f"Trần Văn Bình {n}", "unit_code": "CDC", "identity": f"0912 000 {n:03d}", "consent": True})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def answer_all(client, started, *, right_from=0):
    for index, question in enumerate(started["questions"]):
        wanted = "Phương án B" if index >= right_from else "Phương án A"  # B is the key (conftest)
        pick = next(o for o in question["options"] if o["text"] == wanted)
        response = client.put(f"/api/v1/attempts/{started['attempt_id']}/answers/{question['id']}",
                              json={"option_ids": [pick["id"]]})
        assert response.status_code == 200


class Statements:
    """Every statement the app's engine sends, and a COMMIT marker at each commit."""

    def __init__(self):
        self.log: list[str] = []

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self._statement)
        event.listen(db.engine, "commit", self._commit)
        return self

    def __exit__(self, *_exc):
        event.remove(db.engine, "before_cursor_execute", self._statement)
        event.remove(db.engine, "commit", self._commit)

    def _statement(self, _conn, _cursor, statement, *_rest):
        self.log.append(" ".join(statement.split()))

    def _commit(self, _conn):
        self.log.append("COMMIT")

    @property
    def sent(self) -> list[str]:
        return [s for s in self.log if s != "COMMIT"]

    def under_lock(self) -> list[str]:
        """From the statement that takes the write lock (or the first write) to the commit."""
        first = next(i for i, s in enumerate(self.log) if LOCKED.search(s))
        end = self.log.index("COMMIT", first)
        return self.log[first:end]


@pytest.fixture
def quizzes(make_quiz, make_unit, frozen_clock):
    make_unit(code="CDC", name="Trung tâm Kiểm soát bệnh tật tỉnh", headcount=40)
    return make_quiz(questions=5, code="NGAN"), make_quiz(questions=20, code="DAI")


def submit_logged(client, started):
    with Statements() as seen:
        response = client.post(f"/api/v1/attempts/{started['attempt_id']}/submit")
    assert response.status_code == 200, response.get_json()
    return response.get_json(), seen


def test_a_submit_costs_the_same_for_5_or_20_questions_and_few_statements(client, quizzes):
    short, long = start(client, "NGAN", 1), start(client, "DAI", 2)
    answer_all(client, short)
    answer_all(client, long)
    short_result, short_seen = submit_logged(client, short)
    long_result, long_seen = submit_logged(client, long)
    assert (short_result["score"], short_result["max_score"]) == (5, 5)
    assert (long_result["score"], long_result["max_score"]) == (20, 20)
    assert len(short_seen.sent) == len(long_seen.sent), (short_seen.sent, long_seen.sent)
    # Before issue 18's work: 36 statements, 13 of them under the lock.
    assert len(long_seen.sent) <= 18, "\n".join(long_seen.sent)
    assert len(long_seen.under_lock()) <= 7, "\n".join(long_seen.under_lock())


def test_scoring_under_the_lock_reads_the_key_once_and_no_question_text(client, quizzes):
    started = start(client, "DAI", 3)
    answer_all(client, started, right_from=5)
    result, seen = submit_logged(client, started)
    assert result["score"] == 15 and result["correct_count"] == 15 and result["question_count"] == 20
    locked = seen.under_lock()
    assert sum(1 for s in locked if re.search(r"\bFROM attempt_question\b", s)) == 1, "\n".join(locked)
    assert not any(re.search(r"\bquestion\.text\b", s) for s in seen.sent), "the graph was loaded"
    assert not any(re.search(r"\boption\.text\b", s) for s in seen.sent), "the options were loaded"


def test_a_second_submit_sends_nothing_under_a_lock(client, quizzes):
    started = start(client, "NGAN", 4)
    answer_all(client, started)
    first, _ = submit_logged(client, started)
    again, seen = submit_logged(client, started)
    assert again["score"] == first["score"] == 5
    assert not any(LOCKED.search(s) for s in seen.sent)
    assert db.session.get(Attempt, db.session.scalar(db.select(Attempt.id).limit(1))) is not None


def test_a_start_holds_the_lock_for_the_quiz_check_and_three_inserts(client, quizzes):
    start(client, "DAI", 7)  # the first start of a quiz in a process reads its question pool
    with Statements() as seen:
        started = start(client, "DAI", 5)
    assert len(started["questions"]) == 20
    locked = seen.under_lock()
    # The quiz re-read, the live-session check (its own statement after the lock: see
    # tests/test_races.py), one INSERT each for the participant, the attempt, the questions, then
    # the drawn questions' versions (an edit that raced the draw: tests/test_question_pool.py).
    assert len([s for s in locked if s != "BEGIN IMMEDIATE"]) == 6, "\n".join(locked)
    assert [s.split()[2] for s in locked if s.startswith("INSERT")] == ["participant", "attempt", "attempt_question"]
    assert locked[-1].startswith("SELECT question.id, question.updated_at"), locked[-1]
    assert len(seen.sent) <= 12, "\n".join(seen.sent)


def test_a_save_is_one_statement_under_the_lock(client, quizzes):
    started = start(client, "NGAN", 6)
    question = started["questions"][0]
    url = f"/api/v1/attempts/{started['attempt_id']}/answers/{question['id']}"
    # The first save of a question in a process reads its shape (kind, option positions) once.
    assert client.put(url, json={"option_ids": [question["options"][1]["id"]]}).status_code == 200
    with Statements() as seen:
        response = client.put(url, json={"option_ids": [question["options"][0]["id"]]})
    assert response.status_code == 200 and response.get_json()["option_ids"] == [question["options"][0]["id"]]
    assert seen.under_lock() == [s for s in seen.sent if s.startswith("INSERT INTO answer")], "\n".join(seen.log)
    assert len(seen.sent) == 2, "\n".join(seen.sent)
