"""Moodle XML with images, without an app: our own Moodle-shaped files read, written, read back."""
from __future__ import annotations

import pytest

from question_bank import ImageData, OptionData, QuestionData, read_bytes, write_questions
from question_bank.formats.moodle import category_topic

pytest.importorskip("PIL")
from tests import media_files  # noqa: E402  (needs Pillow to draw the pictures)


def _key(q: QuestionData):
    def image(i):
        return (i.data, i.alt) if i is not None else None
    return (q.text, q.kind, q.explanation, q.topic, q.points, image(q.image),
            [(o.text, o.is_correct, image(o.image)) for o in q.options])


def test_moodle_fixtures_round_trip_with_their_images():
    files = [media_files.moodle_multichoice(media_files.small_png((9, 9, 9)),
                                            [media_files.small_png((i * 50, 0, 0)) for i in range(4)]),
             media_files.moodle_truefalse(media_files.jpeg(300, 200))]
    for data in files:
        first = read_bytes(data, "moodle.xml").questions
        written = write_questions(first, "moodle_xml", "Bộ")
        again = read_bytes(written, "lai.xml").questions
        assert [_key(q) for q in again] == [_key(q) for q in first]
        assert b"@@PLUGINFILE@@/" in written and b'encoding="base64"' in written


def test_multiple_answers_text_with_markup_and_topics_round_trip():
    questions = [
        QuestionData(text="Chọn các việc an toàn <khi> dùng mạng & email\ndòng hai", kind="multiple",
                     options=[OptionData("Bật 2FA", True), OptionData("Chia sẻ OTP", False),
                              OptionData("Cập nhật", True), OptionData("", False, ImageData(b"\x89PNG...", "x.png",
                                                                                            "Ảnh \"lạ\""))],
                     explanation="Vì <b> an toàn", topic="An toàn/Bảo mật", points=2),
        QuestionData(text="Câu đúng sai?", kind="true_false",
                     options=[OptionData("Đúng", False), OptionData("Sai", True)], topic="Khác"),
    ]
    written = write_questions(questions, "moodle_xml", "Bộ")
    again = read_bytes(written, "x.xml").questions
    assert [_key(q) for q in again] == [_key(q) for q in questions]


def test_image_file_names_never_hint_at_the_correct_option():
    q = QuestionData(text="Biểu tượng nào?", kind="single", options=[
        OptionData("", i == 2, ImageData(bytes([i]) * 10, f"dung-{i}.png" if i == 2 else f"sai-{i}.png", f"Hình {i}"))
        for i in range(3)])
    written = write_questions([q], "moodle_xml").decode()
    assert "dung" not in written and "sai-" not in written


def test_category_with_a_slash_keeps_it():
    assert category_topic("$course$/top/An toàn//Bảo mật") == "An toàn/Bảo mật"
