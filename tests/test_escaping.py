"""Text typed by organizers and participants is shown as text on every page, never run as HTML."""
import pytest

from quiz.extensions import db
from quiz.models import Option, Question, Unit
from quiz.services.publishing import publish_ranking

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert("


@pytest.fixture
def hostile(client, make_quiz, make_unit, login_as, frozen_clock):
    """A quiz whose question, options, explanation, unit and participant name all carry a payload,
    with one submitted attempt, and an admin logged in."""
    make_unit(code="XSS", name="Đơn vị " + PAYLOAD)
    quiz = make_quiz(questions=1, code="XSS1", show_review=True, title="Đợt " + PAYLOAD)
    question = db.session.scalar(db.select(Question).where(Question.set_id == quiz.draw_rules[0].set_id))
    question.text = "Câu hỏi " + PAYLOAD
    question.explanation = "Giải thích " + PAYLOAD
    for option in question.options:
        option.text = f"{option.position} {PAYLOAD}"
    db.session.commit()
    started = client.post("/api/v1/quizzes/XSS1/attempts", json={
        "full_name": "Người " + PAYLOAD, "unit_code": "XSS", "identity": "0912345678", "consent": True})
    assert started.status_code == 201, started.get_json()
    token = started.get_json()["attempt_id"]
    first = started.get_json()["questions"][0]
    client.put(f"/api/v1/attempts/{token}/answers/{first['id']}", json={"option_ids": [first["options"][0]["id"]]})
    admin = login_as("admin")
    publish_ranking(quiz=quiz, actor=admin)
    db.session.commit()
    return quiz, token


def assert_escaped(page: str, url: str) -> None:
    assert "<script>alert" not in page, url
    assert "onerror=alert" not in page.replace("onerror=alert(1)&gt;", ""), url
    assert ESCAPED in page, f"{url} does not show the text at all, so this check proves nothing"


def test_payloads_are_escaped_on_participant_pages(client, hostile):
    quiz, token = hostile
    for url in (f"/j/{quiz.code}", f"/a/{token}"):
        assert_escaped(client.get(url).get_data(as_text=True), url)
    client.post(f"/api/v1/attempts/{token}/submit")
    assert_escaped(client.get(f"/a/{token}/result").get_data(as_text=True), "result")


def test_payloads_are_escaped_on_public_and_organizer_pages(client, hostile):
    quiz, token = hostile
    client.post(f"/api/v1/attempts/{token}/submit")
    for url in (f"/r/{quiz.code}", f"/board/{quiz.code}", "/", "/admin/bank", "/admin/units",
                f"/admin/quizzes/{quiz.code}", f"/admin/quizzes/{quiz.code}/rankings",
                f"/admin/quizzes/{quiz.code}/rankings/export.print", f"/admin/quizzes/{quiz.code}/monitor",
                f"/admin/quizzes/{quiz.code}/posters"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.get_data(as_text=True), url)
