"""The question editor: add, replace, remove an image on the question and on each option."""
from __future__ import annotations

import io

import pytest

from quiz.extensions import db
from quiz.models import Media, Question
from tests import media_files


@pytest.fixture
def editor(client, login_as, make_question):
    login_as("admin")  # the bank is shared by every contest: admins change it (issue 12 item 13)
    return client


def _form(question=None, **extra):
    data = {"set_id": "0", "new_set": "Bộ ảnh", "text": "Biểu tượng nào là VNeID?", "kind": "single",
            "difficulty": "1", "points": "1", "explanation": "", "topic": "", "source": ""}
    for i, text in enumerate(["", "", "Không có"]):
        data[f"options-{i}-text"] = text
    data["options-1-is_correct"] = "y"
    data.update(extra)
    return data


def _file(data: bytes, name: str):
    return (io.BytesIO(data), name)


def test_add_replace_and_remove_images_on_the_question_and_options(editor, ctx):
    form = _form(**{
        "image": _file(media_files.png(1000, 700, noise=False), "cau.png"), "image_alt": "Bốn biểu tượng",
        "options-0-image": _file(media_files.small_png((255, 0, 0)), "a.png"), "options-0-image_alt": "Khiên đỏ",
        "options-1-image": _file(media_files.small_png((0, 0, 255)), "b.png"), "options-1-image_alt": "Quốc huy",
    })
    response = editor.post("/admin/bank/questions/new", data=form, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    question = db.session.scalar(db.select(Question))
    assert question.image_sha256 and question.image_alt == "Bốn biểu tượng"
    assert [o.image_alt for o in question.options] == ["Khiên đỏ", "Quốc huy", ""]
    assert [o.text for o in question.options] == ["", "", "Không có"]
    first_image = question.image_sha256

    page = editor.get(f"/admin/bank/questions/{question.id}").get_data(as_text=True)
    assert first_image in page and "Xem trước trên điện thoại" in page
    assert f'src="/m/{question.options[0].image_sha256}.webp"' in page
    listing = editor.get("/admin/bank?q=VNeID").get_data(as_text=True)
    assert f'src="/m/{first_image}.webp"' in listing  # the bank list's thumbnail; search on text still works

    # Replace the question image, keep option A's, remove option B's (B becomes text).
    form = _form(**{
        "image": _file(media_files.png(600, 600, (0, 90, 0), noise=False), "moi.png"), "image_alt": "Ảnh mới",
        "image_keep": first_image,
        "options-0-image_keep": question.options[0].image_sha256, "options-0-image_alt": "Khiên đỏ",
        "options-1-text": "Quốc huy", "options-1-image_keep": question.options[1].image_sha256,
        "options-1-image_alt": "Quốc huy", "options-1-image_remove": "y",
    })
    response = editor.post(f"/admin/bank/questions/{question.id}", data=form, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    question = db.session.get(Question, question.id)
    assert question.image_sha256 != first_image and question.image_alt == "Ảnh mới"
    assert question.options[0].image_sha256 and question.options[1].image_sha256 is None
    assert question.options[1].text == "Quốc huy"

    form = _form(**{"image_keep": question.image_sha256, "image_alt": "Ảnh mới", "image_remove": "y",
                    "options-0-image_keep": question.options[0].image_sha256, "options-0-image_alt": "Khiên đỏ",
                    "options-1-text": "Quốc huy"})
    assert editor.post(f"/admin/bank/questions/{question.id}", data=form,
                       content_type="multipart/form-data").status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, question.id).image_sha256 is None


@pytest.mark.parametrize("extra, words", [
    ({"image": (io.BytesIO(media_files.small_png()), "x.png"), "image_alt": ""}, "mô tả (alt)"),
    ({"image": (io.BytesIO(media_files.zip_named_png()), "x.png"), "image_alt": "Ảnh"}, "không phải ảnh"),
    ({"image": (io.BytesIO(media_files.png_bomb()), "x.png"), "image_alt": "Ảnh"}, "triệu điểm ảnh"),
    ({"options-0-text": "A", "options-0-image": (io.BytesIO(media_files.zip_named_png()), "a.png"),
      "options-0-image_alt": "Ảnh A"}, "Ảnh phương án A"),
    ({"image_keep": "f" * 64, "image_alt": "Ảnh"}, "không còn trên máy chủ"),
])
def test_bad_images_are_refused_next_to_their_field_and_nothing_is_saved(editor, ctx, extra, words):
    response = editor.post("/admin/bank/questions/new", data=_form(**{"options-0-text": "A", "options-1-text": "B",
                                                                      **extra}),
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert words in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(Media)) == 0


def test_the_image_of_a_drawn_question_is_frozen_like_its_text(ctx, make_quiz, make_attempt):
    from question_bank import ImageData
    from quiz.errors import ConflictError
    from quiz.services import bank as bank_service
    quiz = make_quiz(questions=1)
    question = db.session.scalar(db.select(Question).where(Question.set_id == quiz.draw_rules[0].set_id))
    make_attempt(quiz)
    data = bank_service.question_to_data(question)
    data.image = ImageData(media_files.small_png(), "moi.png", "Ảnh mới")
    with pytest.raises(ConflictError):
        bank_service.update_question(question, question.question_set, data)
    db.session.rollback()
    copy = bank_service.replace_with_copy(question, question.question_set, data)
    db.session.commit()
    assert copy.image_sha256 and db.session.get(Question, question.id).image_sha256 is None
