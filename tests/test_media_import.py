"""Images through imports and onto the participant's pages: Moodle XML (our own files in Moodle's
export shape), stored once, re-encoded, served, shown on the attempt page and in the review."""
from __future__ import annotations

import hashlib
import io
import re
from datetime import timedelta

import pytest
from PIL import Image

from quiz import clock
from quiz.extensions import db
from quiz.models import Contest, DrawRule, Media, Question, QuestionSet, Quiz
from quiz.services import bank as bank_service
from tests import media_files

OPTION_COLOURS = [(200, 0, 0), (0, 160, 0), (0, 0, 200), (200, 160, 0)]


def moodle_files():
    return {
        "multichoice.xml": media_files.moodle_multichoice(media_files.png(1400, 900),
                                                          [media_files.small_png(c) for c in OPTION_COLOURS]),
        "truefalse.xml": media_files.moodle_truefalse(media_files.jpeg(1200, 900)),
    }


def _media_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Media))


def test_moodle_images_are_imported_reencoded_and_stored_once(ctx):
    files = moodle_files()
    preview, stored = bank_service.import_file(files["multichoice.xml"], "multichoice.xml", "Nhận diện")
    assert stored.added == 1
    # The audio file is listed as not imported, never dropped silently.
    assert any("huong-dan.mp3" in str(p) and "không được nhập" in str(p) for p in preview.warnings)
    assert not preview.skipped  # no question was skipped: only the audio file
    bank_service.import_file(files["truefalse.xml"], "truefalse.xml", "Nhận diện")
    db.session.commit()
    mc, tf = db.session.scalars(db.select(Question).order_by(Question.id)).all()
    assert mc.image_alt == "Màn hình điện thoại có bốn biểu tượng"
    assert [o.image_alt for o in mc.options] == [f"Biểu tượng {i}" for i in range(1, 5)]
    assert [o.is_correct for o in mc.options] == [False, True, False, False]
    assert tf.kind == "true_false" and tf.image_sha256 and tf.image_alt  # no alt in the file: a default one
    assert _media_count() == 6
    for sha in [mc.image_sha256, tf.image_sha256] + [o.image_sha256 for o in mc.options]:
        media = db.session.get(Media, sha)
        image = Image.open(io.BytesIO(media.data))
        assert image.format == "WEBP" and hashlib.sha256(media.data).hexdigest() == sha
        assert media.size <= 80 * 1024 and b"PhoneMaker" not in media.data
    assert db.session.get(Media, mc.image_sha256).width == 720
    assert max(db.session.get(Media, o.image_sha256).width for o in mc.options) <= 360
    # The same file into another set: the questions are new there, the images are not.
    bank_service.import_file(files["multichoice.xml"], "multichoice.xml", "Bộ khác")
    db.session.commit()
    assert _media_count() == 6


def test_a_moodle_file_whose_image_is_not_embedded_is_refused_on_its_line(ctx):
    data = media_files.moodle_multichoice(media_files.small_png(), [media_files.small_png()] * 2)
    data = re.sub(rb'<file name="man hinh.png"[^>]*>[^<]*</file>', b"", data)
    preview = bank_service.preview_import(data, "thieu.xml", "X")
    assert preview.errors and "man hinh.png" in str(preview.errors[0]) and preview.errors[0].line


def test_a_moodle_image_that_is_a_bomb_is_refused_and_nothing_is_imported(ctx):
    data = media_files.moodle_multichoice(media_files.png_bomb(), [media_files.small_png()] * 2)
    preview = bank_service.preview_import(data, "bom.xml", "X")
    assert preview.errors and "triệu điểm ảnh" in str(preview.errors[0])
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 0
    assert _media_count() == 0


@pytest.fixture
def image_quiz(ctx, make_unit, frozen_clock):
    make_unit(code="CDC", name="Trung tâm Kiểm soát bệnh tật tỉnh")
    for name, data in moodle_files().items():
        bank_service.import_file(data, name, "Nhận diện")
    question_set = db.session.scalar(db.select(QuestionSet).filter_by(name="Nhận diện"))
    now = clock.utcnow()
    quiz = Quiz(code="ANH1", title="Nhận diện bằng hình", contest=Contest(code="CANH", title="Ảnh"),
                opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1), duration_s=600,
                show_review=True, shuffle_questions=False,
                draw_rules=[DrawRule(position=0, question_set=question_set, count=2)])
    db.session.add(quiz)
    db.session.commit()
    return quiz


def _start(client):
    body = {"full_name": "Nguyễn Thị Hoa", "unit_code": "CDC", "identity": "0912 345 678", "consent": True}
    response = client.post("/api/v1/quizzes/ANH1/attempts", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def test_the_api_and_the_attempt_page_show_the_images(client, image_quiz):
    started = _start(client)
    by_kind = {q["kind"]: q for q in started["questions"]}
    mc = by_kind["single"]
    assert mc["image"]["url"].startswith("/m/") and mc["image"]["alt"] and mc["image"]["width"] == 720
    assert all(o["image"] and o["image"]["url"].startswith("/m/") for o in mc["options"])
    assert "is_correct" not in str(mc)
    page = client.get(f"/a/{started['attempt_id']}").get_data(as_text=True)
    for q in started["questions"]:
        assert f'src="{q["image"]["url"]}"' in page
        assert f'alt="{q["image"]["alt"]}"' in page
        assert f'width="{q["image"]["width"]}" height="{q["image"]["height"]}"' in page
    for option in mc["options"]:
        tag = re.search(r'<img src="%s"[^>]*>' % re.escape(option["image"]["url"]), page).group(0)
        assert 'loading="lazy"' in tag and f'alt="{option["image"]["alt"]}"' in tag
    served = client.get(mc["image"]["url"])
    assert served.status_code == 200 and "immutable" in served.headers["Cache-Control"]


def test_the_review_after_submit_shows_the_images(client, image_quiz, frozen_clock):
    started = _start(client)
    assert client.post(f"/api/v1/attempts/{started['attempt_id']}/submit").status_code == 200
    frozen_clock.advance(days=2)  # the review comes with the close
    review = client.get(f"/api/v1/attempts/{started['attempt_id']}").get_json()["result"]["review"]
    assert all(item["image"] for item in review)
    page = client.get(f"/a/{started['attempt_id']}/result").get_data(as_text=True)
    for item in review:
        assert f'src="{item["image"]["url"]}"' in page
        for option in item["options"]:
            if option["image"]:
                assert f'src="{option["image"]["url"]}"' in page
