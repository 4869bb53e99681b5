"""Images: checked and re-encoded with Pillow, stored once by hash in the database, served immutable."""
from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from question_bank import ImageData, OptionData, QuestionData
from quiz.errors import ValidationError
from quiz.extensions import db
from quiz.models import Media, Question
from quiz.services import bank as bank_service
from quiz.services import media as media_service
from tests import media_files


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_a_photo_is_reencoded_to_a_small_webp_without_exif(ctx):
    encoded = media_service.encode_image(media_files.png(1600, 1000), "anh.png", "question")
    image = _open(encoded.data)
    assert image.format == "WEBP"
    assert (encoded.width, encoded.height) == image.size == (720, 450)
    assert len(encoded.data) <= media_service.TARGET_BYTES
    assert not image.getexif() and "exif" not in image.info and "icc_profile" not in image.info
    assert b"PhoneMaker" not in encoded.data
    assert encoded.sha256 == hashlib.sha256(encoded.data).hexdigest()


def test_an_option_image_is_at_most_360_px_and_a_rotated_jpeg_comes_out_upright(ctx):
    encoded = media_service.encode_image(media_files.jpeg(800, 600), "sms.jpg", "option")
    assert encoded.width <= 360
    assert encoded.height > encoded.width  # EXIF orientation 6 applied before EXIF was dropped
    assert b"PhoneMaker" not in encoded.data


@pytest.mark.parametrize("data, name, words", [
    (media_files.png_bomb(), "bom.png", "triệu điểm ảnh"),
    (media_files.zip_named_png(), "anh.png", "không phải ảnh"),
    (b"GIF89a" + b"\x00" * 20, "hong.gif", "ảnh"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "logo.png", "không phải ảnh"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * (media_service.MAX_UPLOAD_BYTES + 1), "to.png", "quá lớn"),
    (b"", "rong.png", "trống"),
])
def test_bombs_fake_extensions_and_oversize_files_are_refused_with_a_message(ctx, data, name, words):
    with pytest.raises(ValidationError) as caught:
        media_service.store_image(data, name, "question")
    assert words in caught.value.message
    assert db.session.scalar(db.select(db.func.count()).select_from(Media)) == 0


def test_the_same_picture_is_stored_once(ctx):
    data = media_files.png(900, 600)
    first = media_service.store_image(data, "a.png")
    second = media_service.store_image(data, "b.png")
    db.session.commit()
    assert first.sha256 == second.sha256
    assert db.session.scalar(db.select(db.func.count()).select_from(Media)) == 1


def _question_with_images(ctx_set="Bộ ảnh") -> Question:
    data = QuestionData(
        text="Biểu tượng nào là VNeID?", kind="single",
        image=ImageData(media_files.png(1000, 700), "cau.png", "Bốn biểu tượng trên màn hình"),
        options=[OptionData("", i == 2, ImageData(media_files.small_png((40 * i, 90, 10)), f"o{i}.png",
                                                  f"Biểu tượng {i + 1}")) for i in range(4)])
    question = bank_service.create_question(bank_service.get_or_create_set(ctx_set), data)
    db.session.commit()
    return question


def test_an_image_is_served_by_hash_with_immutable_caching_and_an_etag(app, client, ctx):
    question = _question_with_images()
    url = media_service.media_url(question.image_sha256)
    assert url == f"/m/{question.image_sha256}.webp"
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "image/webp"
    assert "immutable" in response.headers["Cache-Control"] and "max-age=31536000" in response.headers["Cache-Control"]
    assert response.headers["ETag"] == f'"{question.image_sha256}"'
    assert hashlib.sha256(response.data).hexdigest() == question.image_sha256
    assert "Set-Cookie" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    again = client.get(url, headers={"If-None-Match": f'"{question.image_sha256}"'})
    assert again.status_code == 304 and again.data == b""
    assert client.get(f"/m/{'0' * 64}.webp").status_code == 404
    assert client.get("/m/../../etc/passwd.webp").status_code == 404
    assert client.get(f"/m/{question.image_sha256.upper()}.webp").status_code == 404


def test_option_image_urls_never_hint_at_the_correct_option(ctx):
    question = _question_with_images()
    urls = [media_service.media_url(o.image_sha256) for o in question.options]
    correct = [o.is_correct for o in question.options]
    assert len(set(urls)) == 4 and correct.count(True) == 1
    # The URL is the hash of the re-encoded pixels and nothing else: no position, no mark, no name.
    for option, url in zip(question.options, urls):
        stored = db.session.get(Media, option.image_sha256)
        assert url == f"/m/{hashlib.sha256(stored.data).hexdigest()}.webp"


def test_two_app_instances_serve_the_same_image(app, make_app, ctx):
    question = _question_with_images()
    url = media_service.media_url(question.options[1].image_sha256)
    other = make_app(dict(app.config), name="second-server")
    first, second = app.test_client().get(url), other.test_client().get(url)
    assert first.status_code == second.status_code == 200
    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]


def test_an_image_without_alt_text_is_refused(ctx):
    data = QuestionData(text="Ảnh này là gì?", kind="true_false",
                        options=[OptionData("Đúng", True), OptionData("Sai", False)],
                        image=ImageData(media_files.small_png(), "x.png", "  "))
    with pytest.raises(ValidationError) as caught:
        bank_service.create_question(bank_service.get_or_create_set("Bộ"), data)
    assert "mô tả (alt)" in str(caught.value.fields)


def test_the_byte_cache_is_bounded_by_size(make_app, app_config):
    app = make_app({**app_config, "MEDIA_CACHE_BYTES": 1000}, name="small-media-cache")
    cache = app.extensions["caches"][media_service.BYTES]
    for n in range(10):
        cache.set(f"{n:064x}", (bytes(200), "image/webp"))
    assert cache.weight <= 1000 and len(cache) == 5
    assert cache.get(f"{0:064x}") is None and cache.get(f"{9:064x}") is not None
    cache.set("big", (bytes(600), "image/webp"))  # over a quarter of the bound: never kept
    assert cache.get("big") is None
    off = make_app({**app_config, "MEDIA_CACHE_BYTES": 0}, name="no-media-cache")
    assert not off.extensions["caches"][media_service.BYTES].is_active
