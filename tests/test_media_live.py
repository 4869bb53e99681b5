"""Live mode with images: the projector's state carries the question image, phones the option images."""
from __future__ import annotations

import pytest

from question_bank import ImageData, OptionData, QuestionData
from quiz.extensions import db
from quiz.models import Contest, DrawRule, Quiz
from quiz.services import bank as bank_service
from quiz.services.live_session import host as live
from tests import media_files


@pytest.fixture
def image_hall(app, client, login_as, make_unit, frozen_clock):
    from datetime import timedelta
    from quiz import clock
    make_unit(code="BVA", name="Bệnh viện A")
    question_set = bank_service.get_or_create_set("Ảnh trực tiếp")
    bank_service.create_question(question_set, QuestionData(
        text="Đâu là biểu tượng VNeID?", kind="single",
        image=ImageData(media_files.png(900, 600, noise=False), "q.png", "Màn hình ứng dụng"),
        options=[OptionData("", i == 1, ImageData(media_files.small_png((60 * i, 40, 90)), f"{i}.png", f"Hình {i + 1}"))
                 for i in range(4)]))
    now = clock.utcnow()
    quiz = Quiz(code="LIVEANH", title="Trực tiếp có ảnh", contest=Contest(code="CLA", title="C"),
                opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1), duration_s=600,
                draw_rules=[DrawRule(position=0, question_set=question_set, count=1)])
    db.session.add(quiz)
    db.session.flush()
    session = live.create_session(quiz, {"question_time_s": 10}, actor=None)
    db.session.commit()
    login_as("admin")
    return session


def test_the_state_carries_the_question_image_and_option_images(client, image_hall):
    response = client.post(f"/admin/live/{image_hall.id}/start", headers={"Accept": "application/json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    doc = client.get(f"/api/v1/live/{image_hall.id}/state").get_json()
    question = doc["question"]
    assert question["image"]["url"].startswith("/m/") and question["image"]["alt"] == "Màn hình ứng dụng"
    assert question["image"]["width"] == 720
    assert [o["image"]["alt"] for o in question["options"]] == [f"Hình {i + 1}" for i in range(4)]
    assert "correct" not in str(question)
    assert client.get(question["options"][0]["image"]["url"]).status_code == 200


def test_the_question_sheet_names_that_a_question_has_an_image(ctx, make_quiz, make_attempt):
    from quiz.models import Question
    from quiz.services import exports, media as media_service
    quiz = make_quiz(questions=2)
    question = db.session.scalars(db.select(Question).where(Question.set_id == quiz.draw_rules[0].set_id)
                                  .order_by(Question.id)).first()
    media = media_service.store_image(media_files.small_png(), "a.png")
    question.image_sha256, question.image_alt = media.sha256, "Ổ khoá"
    question.options[2].image_sha256, question.options[2].image_alt = media.sha256, "Hình C"
    db.session.commit()
    make_attempt(quiz)
    table = exports.build_report(quiz=quiz).table("questions")
    column = [c.header for c in table.columns].index("Ảnh")
    notes = {row[0]: row[column] for row in table.rows}
    assert notes[question.id] == "Có ảnh: Ổ khoá; Ảnh ở phương án C"
    assert set(notes.values()) == {"Có ảnh: Ổ khoá; Ảnh ở phương án C", ""}
